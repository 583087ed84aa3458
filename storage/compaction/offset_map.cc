#include "storage/compaction/offset_map.h"

#include <algorithm>

namespace keel::storage::compaction {
namespace {
constexpr size_t kMinSlots = 16;
}  // namespace

KeyOffsetMap::KeyOffsetMap(size_t memory_budget, size_t expected_keys) {
  const size_t by_budget = memory_budget / kEntryBytes;
  const size_t by_need = static_cast<size_t>(static_cast<double>(expected_keys) / kMaxLoad) + 1;
  const size_t slots = std::max(kMinSlots, std::min(by_budget, by_need));
  entries_.assign(slots, Entry{0, 0, -1});
  max_keys_ = std::max<size_t>(1, static_cast<size_t>(static_cast<double>(slots) * kMaxLoad));
}

size_t KeyOffsetMap::slot_of(const KeyHash& hash) const {
  // Multiply-shift maps the uniform hash onto any table size without a modulo.
  return static_cast<size_t>((static_cast<unsigned __int128>(hash.hi) * entries_.size()) >> 64);
}

bool KeyOffsetMap::put(const KeyHash& hash, int64_t offset) {
  const size_t n = entries_.size();
  for (size_t i = slot_of(hash);; i = i + 1 == n ? 0 : i + 1) {
    Entry& e = entries_[i];
    if (e.offset < 0) {
      if (size_ >= max_keys_) return false;
      e = Entry{hash.hi, hash.lo, offset};
      ++size_;
      return true;
    }
    if (e.hi == hash.hi && e.lo == hash.lo) {
      e.offset = std::max(e.offset, offset);
      return true;
    }
  }
}

int64_t KeyOffsetMap::get(const KeyHash& hash) const {
  const size_t n = entries_.size();
  for (size_t i = slot_of(hash);; i = i + 1 == n ? 0 : i + 1) {
    const Entry& e = entries_[i];
    if (e.offset < 0) return -1;
    if (e.hi == hash.hi && e.lo == hash.lo) return e.offset;
  }
}

void KeyOffsetMap::clear() {
  std::fill(entries_.begin(), entries_.end(), Entry{0, 0, -1});
  size_ = 0;
}

}  // namespace keel::storage::compaction
