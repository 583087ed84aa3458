// File: storage/time_index.h
// The time index of a segment (`<base>.timeindex`, Kafka's format): 12-byte entries
// {int64 timestamp, int32 offset - base_offset}, big-endian. An entry {T, O} says the largest
// timestamp among the batches up to the one holding offset O is T, and no batch before it
// reached T. Timestamps strictly increase and offsets never decrease. Entries are added next
// to offset-index entries when the segment's max timestamp grew, plus a final one when the
// segment is sealed, so the last entry holds the segment's max timestamp. An all-zero slot
// after the first marks the end of the entries in a pre-allocated file.
//
// Thread-safety: as storage/mapped_index.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/env.h"
#include "storage/mapped_index.h"

namespace keel::storage {

class TimeIndex {
 public:
  static constexpr uint64_t kEntrySize = 12;

  struct Entry {
    int64_t timestamp = -1;
    int64_t offset = 0;  // absolute
    bool operator==(const Entry&) const = default;
  };

  // As OffsetIndex::open.
  static absl::StatusOr<std::unique_ptr<TimeIndex>> open(Env* env, std::string path,
                                                         int64_t base_offset, uint64_t max_bytes);

  int64_t base_offset() const { return base_offset_; }
  size_t entries() const { return entries_; }
  size_t capacity() const { return file_->length() / kEntrySize; }
  bool full() const { return entries_ >= capacity(); }
  Entry entry(size_t i) const;
  // {-1, base_offset} when empty.
  Entry last() const { return entries_ == 0 ? Entry{-1, base_offset_} : entry(entries_ - 1); }

  // The entry with the largest timestamp <= `timestamp`, or {-1, base_offset}.
  Entry lookup(int64_t timestamp) const;

  // Appends {timestamp, offset} when timestamp > last().timestamp (and offset >= last's);
  // otherwise a no-op. FailedPrecondition when full.
  absl::Status maybe_append(int64_t timestamp, int64_t offset);
  // Drops entries with offset >= `offset`.
  void truncate_to(int64_t offset);
  void clear();
  // True when every entry's offset is below `next_offset`.
  bool consistent_with(int64_t next_offset) const;

  absl::Status trim();
  absl::Status grow(uint64_t max_bytes);
  const std::shared_ptr<MappedIndex>& file() const { return file_; }

 private:
  TimeIndex(int64_t base_offset, std::shared_ptr<MappedIndex> file)
      : base_offset_(base_offset), file_(std::move(file)) {}
  void count_entries();

  int64_t base_offset_;
  std::shared_ptr<MappedIndex> file_;
  size_t entries_ = 0;
};

}  // namespace keel::storage
