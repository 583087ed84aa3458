// File: storage/offset_index.h
// The sparse offset index of a segment (`<base>.index`, Kafka's format): 8-byte entries
// {int32 offset - base_offset, int32 file position}, big-endian, strictly increasing in both,
// one per index.interval.bytes of batches. An entry names a batch's LAST offset and the
// position where that batch starts; the first batch (position 0) is never indexed, so an
// all-zero slot marks the end of the entries in a pre-allocated file.
//
// Thread-safety: as storage/mapped_index.h (owner thread; file() may be synced elsewhere).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/env.h"
#include "storage/mapped_index.h"

namespace keel::storage {

class OffsetIndex {
 public:
  static constexpr uint64_t kEntrySize = 8;

  struct Entry {
    int64_t offset = 0;     // absolute
    uint64_t position = 0;  // in the segment file
    bool operator==(const Entry&) const = default;
  };

  // Opens or creates `path`. `max_bytes` > 0: mapped (and pre-allocated) at max_bytes rounded
  // down to whole entries, for appends; 0: mapped at the file's length (a sealed segment).
  // Entries are the leading valid ones (see above); later slots are ignored.
  static absl::StatusOr<std::unique_ptr<OffsetIndex>> open(Env* env, std::string path,
                                                           int64_t base_offset, uint64_t max_bytes);

  int64_t base_offset() const { return base_offset_; }
  size_t entries() const { return entries_; }
  size_t capacity() const { return file_->length() / kEntrySize; }
  bool full() const { return entries_ >= capacity(); }
  Entry entry(size_t i) const;
  // {base_offset, 0} when empty.
  Entry last() const { return entries_ == 0 ? Entry{base_offset_, 0} : entry(entries_ - 1); }

  // The entry with the largest offset <= `offset`, or {base_offset, 0}.
  Entry lookup(int64_t offset) const;
  // The entry with the largest position <= `position`, or {base_offset, 0}.
  Entry lookup_position(uint64_t position) const;

  // REQUIRES: offset and position larger than last()'s, offset - base fits int32, position
  // fits int32, not full (FailedPrecondition otherwise).
  absl::Status append(int64_t offset, uint64_t position);
  // Drops entries with offset >= `offset` (zeroing their slots).
  void truncate_to(int64_t offset);
  void clear() { truncate_to(base_offset_); }
  // True when every entry points inside a segment of `segment_size` bytes.
  bool consistent_with(uint64_t segment_size) const;

  // Resizes the file to exactly the entries (sealing) or to `max_bytes` (re-activating).
  absl::Status trim();
  absl::Status grow(uint64_t max_bytes);
  const std::shared_ptr<MappedIndex>& file() const { return file_; }

 private:
  OffsetIndex(int64_t base_offset, std::shared_ptr<MappedIndex> file)
      : base_offset_(base_offset), file_(std::move(file)) {}
  void count_entries();

  int64_t base_offset_;
  std::shared_ptr<MappedIndex> file_;
  size_t entries_ = 0;
};

}  // namespace keel::storage
