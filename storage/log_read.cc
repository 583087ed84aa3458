// Log reads: by offset (for Fetch) and by timestamp (for ListOffsets).
#include <algorithm>

#include "protocol/error_code.h"
#include "protocol/status.h"
#include "storage/log.h"

namespace keel::storage {

absl::StatusOr<FileSlice> Log::read(int64_t offset, int32_t max_bytes, int64_t max_offset,
                                    bool min_one_batch) const {
  if (offset < log_start_offset_ || offset > log_end_offset_) {
    return protocol::kafka_error(protocol::ErrorCode::kOffsetOutOfRange,
                                 "offset " + std::to_string(offset) + " is outside [" +
                                     std::to_string(log_start_offset_) + ", " +
                                     std::to_string(log_end_offset_) + "]");
  }
  if (closed_ || offset >= max_offset || offset == log_end_offset_) return FileSlice{};
  const uint64_t limit = max_bytes > 0 ? static_cast<uint64_t>(max_bytes) : 0;
  auto it = segments_.upper_bound(offset);
  if (it != segments_.begin()) --it;
  // The batch holding `offset` is in the floor segment, or (after a gap) a later one.
  for (; it != segments_.end(); ++it) {
    KEEL_ASSIGN_OR_RETURN(std::optional<FileSlice> slice,
                          it->second->read(offset, limit, max_offset, min_one_batch));
    if (slice.has_value()) return *slice;
  }
  return FileSlice{};
}

absl::StatusOr<std::optional<TimestampOffset>> Log::offset_for_timestamp(int64_t ts) const {
  if (ts == kEarliestTimestamp) return TimestampOffset{-1, log_start_offset_};
  if (ts == kLatestTimestamp) return TimestampOffset{-1, log_end_offset_};
  if (ts == kMaxTimestamp) {
    int64_t max = -1;
    for (const auto& [base, seg] : segments_) {
      KEEL_ASSIGN_OR_RETURN(int64_t seg_max, seg->max_timestamp());
      max = std::max(max, seg_max);
    }
    if (max < 0 || log_end_offset_ == log_start_offset_) return std::nullopt;
    ts = max;
  }
  if (ts < 0) {
    return protocol::kafka_error(protocol::ErrorCode::kInvalidRequest,
                                 "invalid ListOffsets timestamp " + std::to_string(ts));
  }
  // Segments are in offset order and each one's records come after the previous one's, so
  // the first segment reaching `ts` holds the first record reaching it.
  for (const auto& [base, seg] : segments_) {
    KEEL_ASSIGN_OR_RETURN(int64_t seg_max, seg->max_timestamp());
    if (seg_max < ts) continue;
    KEEL_ASSIGN_OR_RETURN(auto found, seg->find_timestamp(ts, log_start_offset_));
    if (found.has_value()) return found;
  }
  return std::nullopt;
}

}  // namespace keel::storage
