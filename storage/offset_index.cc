#include "storage/offset_index.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "protocol/status.h"
#include "storage/coding.h"

namespace keel::storage {

absl::StatusOr<std::unique_ptr<OffsetIndex>> OffsetIndex::open(Env* env, std::string path,
                                                               int64_t base_offset,
                                                               uint64_t max_bytes) {
  KEEL_ASSIGN_OR_RETURN(std::shared_ptr<MappedIndex> file,
                        MappedIndex::open_entries(env, std::move(path), max_bytes, kEntrySize));
  std::unique_ptr<OffsetIndex> index(new OffsetIndex(base_offset, std::move(file)));
  index->count_entries();
  return index;
}

OffsetIndex::Entry OffsetIndex::entry(size_t i) const {
  auto bytes = file_->bytes();
  const size_t pos = i * kEntrySize;
  return Entry{base_offset_ + load_i32(bytes, pos), load_u32(bytes, pos + 4)};
}

void OffsetIndex::count_entries() {
  const size_t slots = capacity();
  auto valid_after = [&](size_t i) {  // slot i continues the increasing run of i - 1
    const Entry e = entry(i);
    if (e.position == 0 || e.offset < base_offset_) return false;
    if (i == 0) return true;
    const Entry prev = entry(i - 1);
    return e.offset > prev.offset && e.position > prev.position;
  };
  // The leading increasing run: a pre-allocated file ends in zeros, a damaged one anywhere.
  size_t n = 0;
  while (n < slots && valid_after(n)) ++n;
  entries_ = n;
}

OffsetIndex::Entry OffsetIndex::lookup(int64_t offset) const {
  // First entry with offset > target, then one back.
  size_t lo = 0, hi = entries_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (entry(mid).offset <= offset) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo == 0 ? Entry{base_offset_, 0} : entry(lo - 1);
}

OffsetIndex::Entry OffsetIndex::lookup_position(uint64_t position) const {
  size_t lo = 0, hi = entries_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (entry(mid).position <= position) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo == 0 ? Entry{base_offset_, 0} : entry(lo - 1);
}

absl::Status OffsetIndex::append(int64_t offset, uint64_t position) {
  if (full()) return absl::FailedPreconditionError("offset index " + file_->path() + " is full");
  const Entry prev = last();
  if (offset - base_offset_ > std::numeric_limits<int32_t>::max() ||
      position > std::numeric_limits<int32_t>::max() || position == 0 ||
      (entries_ > 0 && (offset <= prev.offset || position <= prev.position))) {
    return absl::FailedPreconditionError("offset index " + file_->path() + ": entry out of order");
  }
  KEEL_RETURN_IF_ERROR(file_->ensure_allocated((entries_ + 1) * kEntrySize));
  auto bytes = file_->bytes();
  store_i32(bytes, entries_ * kEntrySize, static_cast<int32_t>(offset - base_offset_));
  store_u32(bytes, entries_ * kEntrySize + 4, static_cast<uint32_t>(position));
  ++entries_;
  return absl::OkStatus();
}

void OffsetIndex::truncate_to(int64_t offset) {
  size_t keep = 0;
  while (keep < entries_ && entry(keep).offset < offset) ++keep;
  file_->zero(keep * kEntrySize, entries_ * kEntrySize);
  entries_ = keep;
}

bool OffsetIndex::consistent_with(uint64_t segment_size) const {
  return entries_ == 0 || entry(entries_ - 1).position < segment_size;
}

absl::Status OffsetIndex::trim() { return file_->resize(entries_ * kEntrySize); }

absl::Status OffsetIndex::grow(uint64_t max_bytes) {
  const uint64_t length = std::max<uint64_t>(max_bytes / kEntrySize, entries_) * kEntrySize;
  return file_->resize(length);
}

}  // namespace keel::storage
