// Log appends: leader (validate, assign offsets, stamp, one vectored write) and follower.
#include <algorithm>

#include "protocol/error_code.h"
#include "protocol/status.h"
#include "storage/append_validator.h"
#include "storage/log.h"

namespace keel::storage {
namespace {

namespace layout = protocol::batch_layout;

absl::Status closed_error(const std::string& dir) {
  return protocol::kafka_error(protocol::ErrorCode::kKafkaStorageError, "log " + dir + " is closed",
                               absl::StatusCode::kFailedPrecondition);
}

}  // namespace

absl::StatusOr<AppendResult> Log::append(protocol::RecordsView records, int32_t leader_epoch) {
  if (closed_) return closed_error(dir_);
  KEEL_RETURN_IF_ERROR(check_not_failed());
  KEEL_ASSIGN_OR_RETURN(std::vector<ValidatedBatch> batches, validate_produce(records, config_));

  const int64_t now = clock_->now_ms();
  const bool log_append_time = config_.timestamp_type == TimestampType::kLogAppendTime;
  AppendResult result;
  result.base_offset = log_end_offset_;
  result.log_append_time = log_append_time ? now : -1;

  // Offsets first (they decide whether to roll), then the stamped headers.
  std::vector<BatchMeta> metas;
  metas.reserve(batches.size());
  int64_t next = log_end_offset_;
  for (const ValidatedBatch& b : batches) {
    const int64_t max_ts = log_append_time ? now : b.header.max_timestamp;
    metas.push_back(
        {next, next + b.header.last_offset_delta, max_ts, static_cast<uint32_t>(b.bytes.size())});
    next += static_cast<int64_t>(b.header.last_offset_delta) + 1;
    result.record_count += b.header.record_count;
    result.max_timestamp = std::max(result.max_timestamp, max_ts);
  }
  result.last_offset = next - 1;
  KEEL_RETURN_IF_ERROR(
      maybe_roll(records.size, result.base_offset, result.last_offset, batches.size()));

  std::vector<StampedHeader> headers;
  headers.reserve(batches.size());
  std::vector<std::span<const uint8_t>> parts;
  parts.reserve(2 * batches.size());
  for (size_t i = 0; i < batches.size(); ++i) {
    headers.push_back(
        stamp_header(batches[i].bytes, metas[i].base_offset, leader_epoch, result.log_append_time));
    parts.emplace_back(headers.back());
    parts.push_back(batches[i].bytes.subspan(layout::kHeaderSize));
  }

  // The epoch entry goes first: if it cannot be persisted nothing is written; if the write
  // then fails, the entry (beyond the log end) is dropped again.
  KEEL_RETURN_IF_ERROR(epochs_->assign(leader_epoch, result.base_offset));
  absl::Status written = active().append(parts, metas, now);
  if (!written.ok()) {
    (void)epochs_->truncate_from_end(log_end_offset_);
    return written;
  }
  log_end_offset_ = next;
  unflushed_records_ += result.record_count;
  result.log_start_offset = log_start_offset_;
  return result;
}

absl::StatusOr<AppendResult> Log::append_as_follower(protocol::RecordsView records) {
  if (closed_) return closed_error(dir_);
  KEEL_RETURN_IF_ERROR(check_not_failed());
  KEEL_ASSIGN_OR_RETURN(std::vector<ValidatedBatch> batches,
                        validate_replicated(records, log_end_offset_));
  AppendResult result;
  result.base_offset = batches.front().header.base_offset;
  result.last_offset = batches.back().header.last_offset();
  std::vector<BatchMeta> metas;
  metas.reserve(batches.size());
  for (const ValidatedBatch& b : batches) {
    metas.push_back({b.header.base_offset, b.header.last_offset(), b.header.max_timestamp,
                     static_cast<uint32_t>(b.bytes.size())});
    result.record_count += b.header.record_count;
    result.max_timestamp = std::max(result.max_timestamp, b.header.max_timestamp);
  }
  KEEL_RETURN_IF_ERROR(
      maybe_roll(records.size, result.base_offset, result.last_offset, batches.size()));
  for (const ValidatedBatch& b : batches) {
    KEEL_RETURN_IF_ERROR(epochs_->assign(b.header.partition_leader_epoch, b.header.base_offset));
  }
  const std::span<const uint8_t> parts[1] = {records.span()};
  absl::Status written = active().append(parts, metas, clock_->now_ms());
  if (!written.ok()) {
    (void)epochs_->truncate_from_end(log_end_offset_);
    return written;
  }
  log_end_offset_ = result.last_offset + 1;
  unflushed_records_ += result.record_count;
  result.log_start_offset = log_start_offset_;
  return result;
}

}  // namespace keel::storage
