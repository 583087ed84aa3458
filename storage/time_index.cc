#include "storage/time_index.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "protocol/status.h"
#include "storage/coding.h"

namespace keel::storage {

absl::StatusOr<std::unique_ptr<TimeIndex>> TimeIndex::open(Env* env, std::string path,
                                                           int64_t base_offset,
                                                           uint64_t max_bytes) {
  KEEL_ASSIGN_OR_RETURN(std::shared_ptr<MappedIndex> file,
                        MappedIndex::open_entries(env, std::move(path), max_bytes, kEntrySize));
  std::unique_ptr<TimeIndex> index(new TimeIndex(base_offset, std::move(file)));
  index->count_entries();
  return index;
}

TimeIndex::Entry TimeIndex::entry(size_t i) const {
  auto bytes = file_->bytes();
  const size_t pos = i * kEntrySize;
  return Entry{load_i64(bytes, pos), base_offset_ + load_i32(bytes, pos + 8)};
}

void TimeIndex::count_entries() {
  const size_t slots = capacity();
  auto valid_after = [&](size_t i) {
    const Entry e = entry(i);
    if (e.timestamp < 0 || e.offset < base_offset_) return false;
    if (i == 0) return !(e.timestamp == 0 && e.offset == base_offset_);  // a zero slot
    const Entry prev = entry(i - 1);
    return e.timestamp > prev.timestamp && e.offset >= prev.offset;
  };
  size_t n = 0;
  while (n < slots && valid_after(n)) ++n;
  entries_ = n;
}

TimeIndex::Entry TimeIndex::lookup(int64_t timestamp) const {
  size_t lo = 0, hi = entries_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (entry(mid).timestamp <= timestamp) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo == 0 ? Entry{-1, base_offset_} : entry(lo - 1);
}

absl::Status TimeIndex::maybe_append(int64_t timestamp, int64_t offset) {
  const Entry prev = last();
  if (timestamp <= prev.timestamp) return absl::OkStatus();
  if (offset < prev.offset) offset = prev.offset;                         // never go backwards
  if (timestamp == 0 && offset == base_offset_) return absl::OkStatus();  // looks like a hole
  if (full()) return absl::FailedPreconditionError("time index " + file_->path() + " is full");
  if (offset - base_offset_ > std::numeric_limits<int32_t>::max()) {
    return absl::FailedPreconditionError("time index " + file_->path() + ": offset too large");
  }
  KEEL_RETURN_IF_ERROR(file_->ensure_allocated((entries_ + 1) * kEntrySize));
  auto bytes = file_->bytes();
  store_i64(bytes, entries_ * kEntrySize, timestamp);
  store_i32(bytes, entries_ * kEntrySize + 8, static_cast<int32_t>(offset - base_offset_));
  ++entries_;
  return absl::OkStatus();
}

void TimeIndex::truncate_to(int64_t offset) {
  size_t keep = 0;
  while (keep < entries_ && entry(keep).offset < offset) ++keep;
  file_->zero(keep * kEntrySize, entries_ * kEntrySize);
  entries_ = keep;
}

void TimeIndex::clear() { truncate_to(std::numeric_limits<int64_t>::min()); }

bool TimeIndex::consistent_with(int64_t next_offset) const {
  return entries_ == 0 || entry(entries_ - 1).offset < next_offset;
}

absl::Status TimeIndex::trim() { return file_->resize(entries_ * kEntrySize); }

absl::Status TimeIndex::grow(uint64_t max_bytes) {
  const uint64_t length = std::max<uint64_t>(max_bytes / kEntrySize, entries_) * kEntrySize;
  return file_->resize(length);
}

}  // namespace keel::storage
