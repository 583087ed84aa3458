// LogSegment recovery: index checks and rebuilds, rescans with CRC checks, clean-open tail
// loading, truncation.
#include <algorithm>
#include <limits>

#include "protocol/status.h"
#include "storage/batch_scanner.h"
#include "storage/file_names.h"
#include "storage/log_segment.h"
#include "storage/log_segment_internal.h"

namespace keel::storage {

using segment_internal::corrupt_segment;
using segment_internal::kReadBuffer;
using segment_internal::kRecoveryBuffer;
using segment_internal::meta_of;
using segment_internal::remove_if_exists;

absl::Status LogSegment::ensure_indexes() const {
  if (offset_index_ && time_index_) return absl::OkStatus();
  KEEL_ASSIGN_OR_RETURN(bool valid, open_indexes_checked());
  return valid ? absl::OkStatus() : rebuild_indexes();
}

absl::StatusOr<bool> LogSegment::open_indexes_checked() const {
  const std::string index_path = segment_file(dir_, base_offset_, kIndexSuffix, suffix_);
  const std::string time_path = segment_file(dir_, base_offset_, kTimeIndexSuffix, suffix_);
  const bool present = env_->exists(index_path) && env_->exists(time_path);
  uint64_t index_size = 0, time_size = 0;
  if (present) {
    KEEL_ASSIGN_OR_RETURN(index_size, env_->file_size(index_path));
    KEEL_ASSIGN_OR_RETURN(time_size, env_->file_size(time_path));
  }
  const uint64_t map_bytes = active_ ? static_cast<uint64_t>(config_.segment_index_bytes) : 0;
  KEEL_ASSIGN_OR_RETURN(offset_index_,
                        OffsetIndex::open(env_, index_path, base_offset_, map_bytes));
  KEEL_ASSIGN_OR_RETURN(time_index_, TimeIndex::open(env_, time_path, base_offset_, map_bytes));
  if (size_ == 0) return true;
  // A sealed index is trimmed to exactly its entries, all valid; anything else (missing,
  // still pre-allocated, damaged) is rebuilt.
  if (!present || index_size != offset_index_->entries() * OffsetIndex::kEntrySize ||
      time_size != time_index_->entries() * TimeIndex::kEntrySize || time_index_->entries() == 0 ||
      !offset_index_->consistent_with(size_)) {
    return false;
  }
  // The batches after the last offset-index entry (about index.interval.bytes of them) must
  // parse, and the time index's last entry must be their maximum and inside the segment.
  const TimeIndex::Entry time_last = time_index_->last();
  BatchScanner scanner(*readable_, offset_index_->last().position, size_, kReadBuffer);
  int64_t last_offset = base_offset_;
  while (true) {
    KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, scanner.next());
    if (step == BatchScanner::Step::kCorrupt) return false;
    if (step == BatchScanner::Step::kEnd) break;
    if (scanner.header().max_timestamp > time_last.timestamp) return false;
    last_offset = scanner.header().last_offset();
  }
  return time_last.offset <= last_offset;
}

absl::Status LogSegment::reset_indexes() const {
  const std::string index_path = segment_file(dir_, base_offset_, kIndexSuffix, suffix_);
  const std::string time_path = segment_file(dir_, base_offset_, kTimeIndexSuffix, suffix_);
  if (offset_index_) (void)offset_index_->file()->close();
  if (time_index_) (void)time_index_->file()->close();
  offset_index_.reset();
  time_index_.reset();
  KEEL_RETURN_IF_ERROR(remove_if_exists(env_, index_path));
  KEEL_RETURN_IF_ERROR(remove_if_exists(env_, time_path));
  const uint64_t index_bytes = static_cast<uint64_t>(config_.segment_index_bytes);
  KEEL_ASSIGN_OR_RETURN(offset_index_,
                        OffsetIndex::open(env_, index_path, base_offset_, index_bytes));
  KEEL_ASSIGN_OR_RETURN(time_index_, TimeIndex::open(env_, time_path, base_offset_, index_bytes));
  max_timestamp_ = -1;
  offset_of_max_timestamp_ = -1;
  bytes_since_index_entry_ = 0;
  return absl::OkStatus();
}

absl::Status LogSegment::rebuild_indexes() const {
  KEEL_RETURN_IF_ERROR(reset_indexes());
  BatchScanner scanner(*readable_, 0, size_, kRecoveryBuffer);
  while (true) {
    KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, scanner.next());
    if (step != BatchScanner::Step::kBatch) break;  // recovery deals with damage
    index_batch(meta_of(scanner.header()), scanner.position());
  }
  if (active_) return absl::OkStatus();
  (void)time_index_->maybe_append(max_timestamp_, offset_of_max_timestamp_);
  KEEL_RETURN_IF_ERROR(offset_index_->trim());
  return time_index_->trim();
}

absl::StatusOr<SegmentScan> LogSegment::recover(
    uint64_t max_batch_bytes, int64_t now_ms,
    const std::function<void(const protocol::RecordBatchHeader&)>& on_batch) {
  KEEL_ASSIGN_OR_RETURN(const uint64_t file_size, readable_->size());
  size_ = file_size;
  // Empty indexes at full size, filled while validating; seal() or make_active() follows.
  KEEL_RETURN_IF_ERROR(reset_indexes());

  SegmentScan scan;
  scan.next_offset = base_offset_;
  first_batch_time_ms_ = -1;
  BatchScanner scanner(*readable_, 0, file_size, kRecoveryBuffer, max_batch_bytes);
  while (true) {
    KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, scanner.next());
    if (step == BatchScanner::Step::kEnd) break;
    if (step == BatchScanner::Step::kCorrupt) {
      scan.problem = scanner.problem();
      break;
    }
    const protocol::RecordBatchHeader& h = scanner.header();
    const std::string at = " at position " + std::to_string(scanner.position());
    if (h.base_offset < scan.next_offset || h.last_offset_delta < 0 ||
        h.last_offset() - base_offset_ > std::numeric_limits<int32_t>::max()) {
      scan.problem = "offsets " + std::to_string(h.base_offset) + ".." +
                     std::to_string(h.last_offset()) + " out of order" + at;
      break;
    }
    KEEL_ASSIGN_OR_RETURN(auto bytes, scanner.batch());
    absl::StatusOr<protocol::RecordBatchHeader> valid = protocol::validate_batch(bytes);
    if (!valid.ok()) {
      scan.problem = std::string(valid.status().message()) + at;
      break;
    }
    index_batch(meta_of(h), scanner.position());
    if (on_batch) on_batch(h);
    if (scan.batches == 0) first_batch_time_ms_ = h.max_timestamp >= 0 ? h.max_timestamp : now_ms;
    ++scan.batches;
    scan.valid_bytes = scanner.position() + scanner.batch_size();
    scan.next_offset = h.last_offset() + 1;
  }
  if (!scan.problem.empty()) {
    // Count what is dropped: the bad batch, and later batches as far as framing allows.
    scan.truncated_bytes = file_size - scan.valid_bytes;
    scan.truncated_batches = 1;
    BatchScanner rest(*readable_, scanner.position(), file_size, kRecoveryBuffer, max_batch_bytes);
    absl::StatusOr<BatchScanner::Step> step = rest.next();  // the bad one itself
    for (int64_t i = 0; i < (1 << 20) && step.ok() && *step == BatchScanner::Step::kBatch; ++i) {
      step = rest.next();
      if (step.ok() && *step == BatchScanner::Step::kBatch) ++scan.truncated_batches;
    }
    if (!writable_) {
      KEEL_ASSIGN_OR_RETURN(auto writable, env_->open_writable(log_path_));
      writable_ = std::move(writable);
    }
    KEEL_RETURN_IF_ERROR(writable_->truncate(scan.valid_bytes));
  }
  size_ = scan.valid_bytes;
  next_offset_ = scan.next_offset;
  clean_ = false;
  ++version_;
  return scan;
}

absl::StatusOr<bool> LogSegment::load_tail(int64_t now_ms) {
  active_ = true;  // map the indexes at full size: this segment takes the appends
  offset_index_.reset();
  time_index_.reset();
  KEEL_ASSIGN_OR_RETURN(bool valid, open_indexes_checked());
  if (!valid) return false;
  // The batches after the last index entry (at most ~index.interval.bytes of them) tell the
  // next offset; each is CRC-checked because a clean shutdown should have left them whole.
  BatchScanner scanner(*readable_, offset_index_->last().position, size_, kRecoveryBuffer);
  int64_t next = base_offset_;
  const TimeIndex::Entry time_last = time_index_->last();
  max_timestamp_ = time_last.timestamp;
  offset_of_max_timestamp_ = time_last.timestamp >= 0 ? time_last.offset : -1;
  bytes_since_index_entry_ = 0;
  while (true) {
    KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, scanner.next());
    if (step == BatchScanner::Step::kEnd) break;
    if (step == BatchScanner::Step::kCorrupt) return false;
    KEEL_ASSIGN_OR_RETURN(auto bytes, scanner.batch());
    if (!protocol::validate_batch(bytes).ok()) return false;
    const protocol::RecordBatchHeader& h = scanner.header();
    if (h.base_offset < next || h.last_offset() < h.base_offset) return false;
    bytes_since_index_entry_ += scanner.batch_size();
    next = h.last_offset() + 1;
  }
  next_offset_ = next;
  first_batch_time_ms_ = -1;
  if (size_ > 0) {
    BatchScanner first(*readable_, 0, size_, protocol::batch_layout::kHeaderSize);
    KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, first.next());
    if (step != BatchScanner::Step::kBatch) return false;
    first_batch_time_ms_ =
        first.header().max_timestamp >= 0 ? first.header().max_timestamp : now_ms;
  }
  return true;
}

absl::StatusOr<uint64_t> LogSegment::truncation_position(int64_t offset) const {
  return position_of_first_batch_at_or_after(offset, nullptr);
}

absl::StatusOr<uint64_t> LogSegment::truncate_to(int64_t offset) {
  KEEL_ASSIGN_OR_RETURN(const uint64_t position, truncation_position(offset));
  return truncate_at(position, offset);
}

absl::StatusOr<uint64_t> LogSegment::truncate_at(uint64_t position, int64_t offset) {
  KEEL_RETURN_IF_ERROR(ensure_indexes());
  if (!writable_) {
    KEEL_ASSIGN_OR_RETURN(auto writable, env_->open_writable(log_path_));
    writable_ = std::move(writable);
  }
  uint64_t removed = 0;
  if (position < size_) {
    KEEL_RETURN_IF_ERROR(writable_->truncate(position));
    removed = size_ - position;
    size_ = position;
    offset_index_->truncate_to(offset);
    time_index_->truncate_to(offset);
    clean_ = false;
    ++version_;
  }
  // Tail state from the batches after the last index entry (also for a sealed segment that
  // becomes the active one again).
  const TimeIndex::Entry time_last = time_index_->last();
  max_timestamp_ = time_last.timestamp;
  offset_of_max_timestamp_ = time_last.timestamp >= 0 ? time_last.offset : -1;
  bytes_since_index_entry_ = 0;
  int64_t next = base_offset_;
  BatchScanner scanner(*readable_, offset_index_->last().position, size_, kReadBuffer);
  while (true) {
    KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, scanner.next());
    if (step == BatchScanner::Step::kCorrupt) return corrupt_segment(log_path_, scanner);
    if (step == BatchScanner::Step::kEnd) break;
    const protocol::RecordBatchHeader& h = scanner.header();
    if (h.max_timestamp > max_timestamp_) {
      max_timestamp_ = h.max_timestamp;
      offset_of_max_timestamp_ = h.last_offset();
    }
    bytes_since_index_entry_ += scanner.batch_size();
    next = h.last_offset() + 1;
  }
  next_offset_ = next;
  if (size_ == 0) {
    first_batch_time_ms_ = -1;
  } else if (first_batch_time_ms_ < 0) {
    BatchScanner first(*readable_, 0, size_, protocol::batch_layout::kHeaderSize);
    KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, first.next());
    if (step == BatchScanner::Step::kBatch) first_batch_time_ms_ = first.header().max_timestamp;
  }
  return removed;
}

}  // namespace keel::storage
