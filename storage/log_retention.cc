// Log retention (time, size, log start offset) and truncation (replication).
#include <algorithm>

#include "protocol/error_code.h"
#include "protocol/status.h"
#include "storage/log.h"

namespace keel::storage {

absl::Status Log::delete_segment(std::map<int64_t, std::unique_ptr<LogSegment>>::iterator it,
                                 RetentionResult* result) {
  std::unique_ptr<LogSegment> seg = std::move(it->second);
  segments_.erase(it);
  if (result != nullptr) {
    ++result->segments_deleted;
    result->bytes_deleted += static_cast<int64_t>(seg->size());
  }
  (void)seg->close();
  dir_dirty_ = true;
  return seg->remove_files();  // readers holding FileSlices keep the file open
}

absl::Status Log::delete_segments_below(int64_t new_start, RetentionResult* result) {
  // A non-active segment goes when the next one starts at or below the new start.
  while (segments_.size() > 1 && std::next(segments_.begin())->first <= new_start) {
    KEEL_RETURN_IF_ERROR(delete_segment(segments_.begin(), result));
  }
  log_start_offset_ = std::max({log_start_offset_, new_start, segments_.begin()->first});
  high_watermark_ = std::max(high_watermark_, log_start_offset_);
  return epochs_->truncate_from_start(log_start_offset_);
}

absl::StatusOr<RetentionResult> Log::apply_retention() {
  RetentionResult result;
  if (closed_ || !config_.cleanup_delete) {
    result.log_start_offset = log_start_offset_;
    return result;
  }
  // Only segments wholly below the high watermark, never the active one, oldest first.
  auto deletable = [&] {
    return segments_.size() > 1 && std::next(segments_.begin())->first <= high_watermark_;
  };
  if (config_.retention_ms >= 0) {
    const int64_t now = clock_->now_ms();
    while (deletable()) {
      KEEL_ASSIGN_OR_RETURN(int64_t max_ts, segments_.begin()->second->max_timestamp());
      if (max_ts < 0 || now - max_ts <= config_.retention_ms) break;
      KEEL_RETURN_IF_ERROR(delete_segment(segments_.begin(), &result));
    }
  }
  if (config_.retention_bytes >= 0) {
    int64_t excess = static_cast<int64_t>(size_bytes()) - config_.retention_bytes;
    while (deletable() && excess >= static_cast<int64_t>(segments_.begin()->second->size())) {
      excess -= static_cast<int64_t>(segments_.begin()->second->size());
      KEEL_RETURN_IF_ERROR(delete_segment(segments_.begin(), &result));
    }
  }
  KEEL_RETURN_IF_ERROR(delete_segments_below(log_start_offset_, &result));
  result.log_start_offset = log_start_offset_;
  return result;
}

absl::StatusOr<RetentionResult> Log::advance_log_start_offset(int64_t offset) {
  RetentionResult result;
  if (offset > high_watermark_) {
    return protocol::kafka_error(protocol::ErrorCode::kOffsetOutOfRange,
                                 "cannot delete records up to " + std::to_string(offset) +
                                     ": above the high watermark " +
                                     std::to_string(high_watermark_));
  }
  if (offset > log_start_offset_) KEEL_RETURN_IF_ERROR(delete_segments_below(offset, &result));
  result.log_start_offset = log_start_offset_;
  return result;
}

absl::Status Log::truncate_to(int64_t offset) {
  if (closed_) return absl::FailedPreconditionError("log " + dir_ + " is closed");
  KEEL_RETURN_IF_ERROR(check_not_failed());
  if (offset >= log_end_offset_) return absl::OkStatus();
  if (offset < log_start_offset_) return truncate_fully_and_start_at(offset);
  // Find the cut first (reads only): a failure here changes nothing.
  auto floor = std::prev(segments_.upper_bound(offset));
  KEEL_ASSIGN_OR_RETURN(const uint64_t position, floor->second->truncation_position(offset));
  ++truncation_epoch_;
  absl::Status status = truncate_at(floor->first, position, offset);
  if (!status.ok()) failed_ = status;  // files and offsets may disagree now
  return status;
}

absl::Status Log::truncate_at(int64_t floor_base, uint64_t position, int64_t offset) {
  // Newer segments go (newest first), the one holding `offset` is cut. Then the cut and the
  // deletions are made durable before anything else can be written: a crash must not bring
  // the removed batches back under batches appended later.
  const bool deleting = segments_.rbegin()->first > floor_base;
  while (segments_.rbegin()->first > floor_base) {
    KEEL_RETURN_IF_ERROR(delete_segment(std::prev(segments_.end()), nullptr));
  }
  LogSegment& seg = active();
  KEEL_ASSIGN_OR_RETURN(uint64_t removed, seg.truncate_at(position, offset));
  (void)removed;
  KEEL_RETURN_IF_ERROR(seg.make_active());
  log_end_offset_ = seg.next_offset();
  high_watermark_ = std::min(high_watermark_, log_end_offset_);
  recovery_point_ = std::min(recovery_point_, log_end_offset_);
  KEEL_RETURN_IF_ERROR(seg.sync());
  if (deleting) KEEL_RETURN_IF_ERROR(env_->sync_dir(dir_));
  return epochs_->truncate_from_end(log_end_offset_);
}

absl::Status Log::truncate_fully_and_start_at(int64_t offset) {
  if (closed_) return absl::FailedPreconditionError("log " + dir_ + " is closed");
  KEEL_RETURN_IF_ERROR(check_not_failed());
  ++truncation_epoch_;
  KEEL_ASSIGN_OR_RETURN(auto fresh, LogSegment::create(env_, dir_, offset, config_, ".cleaned"));
  // The new segment exists before anything is removed, and is installed whatever happens,
  // so the log always has an active segment.
  absl::Status status;
  for (auto& [base, seg] : segments_) {
    (void)seg->close();
    status.Update(seg->remove_files());
  }
  segments_.clear();
  status.Update(fresh->rename_suffix(".cleaned", ""));
  segments_[offset] = std::move(fresh);
  dir_dirty_ = true;
  log_start_offset_ = log_end_offset_ = high_watermark_ = recovery_point_ = offset;
  unflushed_records_ = 0;
  status.Update(env_->sync_dir(dir_));  // the old segments must not come back
  status.Update(epochs_->clear());
  if (!status.ok()) failed_ = status;
  return status;
}

}  // namespace keel::storage
