// LogSegment reads: by offset (whole batches, for Fetch) and by timestamp (ListOffsets).
#include <algorithm>

#include "protocol/records/batch_records.h"
#include "protocol/status.h"
#include "storage/batch_scanner.h"
#include "storage/file_names.h"
#include "storage/log_segment.h"
#include "storage/log_segment_internal.h"

namespace keel::storage {

using segment_internal::corrupt_segment;
using segment_internal::kMaxDecompressed;
using segment_internal::kReadBuffer;

absl::StatusOr<uint64_t> LogSegment::position_of_first_batch_at_or_after(
    int64_t offset, int64_t* found_base) const {
  KEEL_RETURN_IF_ERROR(ensure_indexes());
  const uint64_t start = offset_index_->lookup(offset).position;
  BatchScanner scanner(*readable_, start, size_, kReadBuffer);
  while (true) {
    KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, scanner.next());
    if (step == BatchScanner::Step::kCorrupt) return corrupt_segment(log_path_, scanner);
    if (step == BatchScanner::Step::kEnd) return size_;
    if (scanner.header().last_offset() >= offset) {
      if (found_base != nullptr) *found_base = scanner.header().base_offset;
      return scanner.position();
    }
  }
}

absl::StatusOr<std::optional<FileSlice>> LogSegment::read(int64_t offset, uint64_t max_bytes,
                                                          int64_t max_offset,
                                                          bool min_one_batch) const {
  KEEL_RETURN_IF_ERROR(ensure_indexes());
  BatchScanner scanner(*readable_, offset_index_->lookup(offset).position, size_, kReadBuffer);
  uint64_t start = 0, first_size = 0;
  while (true) {
    KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, scanner.next());
    if (step == BatchScanner::Step::kCorrupt) return corrupt_segment(log_path_, scanner);
    if (step == BatchScanner::Step::kEnd) return std::nullopt;
    if (scanner.header().last_offset() >= offset) break;
  }
  if (scanner.header().last_offset() >= max_offset) return FileSlice{};
  start = scanner.position();
  first_size = scanner.batch_size();
  if (first_size > max_bytes) {
    if (!min_one_batch) return FileSlice{};  // found, but it does not fit
    return FileSlice{readable_, start, first_size};
  }
  // Jump close to the end through the index (entries are batch starts), then walk headers.
  const uint64_t limit = std::min(size_, start + max_bytes);
  OffsetIndex::Entry jump = offset_index_->lookup_position(limit);
  if (jump.position > 0 && jump.offset >= max_offset) jump = offset_index_->lookup(max_offset - 1);
  uint64_t end = start + first_size;
  uint64_t from = jump.position > end ? jump.position : end;
  if (jump.position > end) end = jump.position;
  BatchScanner tail(*readable_, from, size_, kReadBuffer);
  while (true) {
    KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, tail.next());
    if (step == BatchScanner::Step::kCorrupt) return corrupt_segment(log_path_, tail);
    if (step == BatchScanner::Step::kEnd) break;
    if (tail.position() + tail.batch_size() > limit) break;
    if (tail.header().last_offset() >= max_offset) break;
    end = tail.position() + tail.batch_size();
  }
  return FileSlice{readable_, start, end - start};
}

absl::StatusOr<std::optional<TimestampOffset>> LogSegment::find_timestamp(
    int64_t ts, int64_t min_offset) const {
  KEEL_RETURN_IF_ERROR(ensure_indexes());
  const TimeIndex::Entry hint = time_index_->lookup(ts);
  const int64_t from = std::max(hint.offset, min_offset);
  BatchScanner scanner(*readable_, offset_index_->lookup(from).position, size_, kReadBuffer);
  while (true) {
    KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, scanner.next());
    if (step == BatchScanner::Step::kCorrupt) return corrupt_segment(log_path_, scanner);
    if (step == BatchScanner::Step::kEnd) return std::nullopt;
    const protocol::RecordBatchHeader& h = scanner.header();
    if (h.max_timestamp < ts || h.last_offset() < min_offset) continue;
    if (h.is_log_append_time()) {
      return TimestampOffset{h.max_timestamp, std::max(h.base_offset, min_offset)};
    }
    KEEL_ASSIGN_OR_RETURN(auto bytes, scanner.batch());
    KEEL_ASSIGN_OR_RETURN(auto records, protocol::BatchRecords::open(bytes, kMaxDecompressed));
    protocol::RecordReader reader = records.reader();
    protocol::RecordView record;
    while (reader.next(record)) {
      const int64_t record_ts = h.base_timestamp + record.timestamp_delta;
      if (record_ts >= ts && h.base_offset + record.offset_delta >= min_offset)
        return TimestampOffset{record_ts, h.base_offset + record.offset_delta};
    }
    KEEL_RETURN_IF_ERROR(reader.status());
  }
}

}  // namespace keel::storage
