// Log: construction, offsets, rolling, lifecycle and the segment list. Appends, reads,
// retention, flushing, loading and the cleaner interface live in log_*.cc.
#include "storage/log.h"

#include <algorithm>
#include <limits>

#include "protocol/error_code.h"
#include "protocol/status.h"
#include "storage/file_names.h"

namespace keel::storage {

Log::Log(Env* env, Clock* clock, std::string dir, LogConfig config)
    : env_(env), clock_(clock), dir_(std::move(dir)), config_(config) {}

Log::~Log() {
  if (!closed_) close_without_flush();
}

const LogSegment* Log::segment_for(int64_t offset) const {
  auto it = segments_.upper_bound(offset);
  if (it == segments_.begin()) return nullptr;
  return std::prev(it)->second.get();
}

void Log::set_high_watermark(int64_t offset) {
  high_watermark_ = std::clamp(offset, log_start_offset_, log_end_offset_);
}

EpochEndOffset Log::end_offset_for_epoch(int32_t epoch) const {
  return epochs_->end_offset_for(epoch, log_end_offset_);
}

uint64_t Log::size_bytes() const {
  uint64_t total = 0;
  for (const auto& [base, seg] : segments_) total += seg->size();
  return total;
}

absl::Status Log::roll() {
  if (closed_) return absl::FailedPreconditionError("log " + dir_ + " is closed");
  if (active().empty()) return absl::OkStatus();
  return roll_at(log_end_offset_);
}

absl::Status Log::maybe_roll(uint64_t incoming_bytes, int64_t first_offset, int64_t last_offset,
                             size_t batches) {
  LogSegment& seg = active();
  if (seg.empty()) {
    // An empty active segment whose base cannot express the new offsets is replaced.
    if (first_offset != seg.base_offset() &&
        (first_offset < seg.base_offset() ||
         last_offset - seg.base_offset() > std::numeric_limits<int32_t>::max())) {
      return roll_at(first_offset);
    }
    return absl::OkStatus();
  }
  const int64_t now = clock_->now_ms();
  const bool full = seg.size() + incoming_bytes > static_cast<uint64_t>(config_.segment_bytes);
  const bool old =
      seg.first_batch_time_ms() >= 0 && now - seg.first_batch_time_ms() >= config_.segment_ms;
  const bool offsets = last_offset - seg.base_offset() > std::numeric_limits<int32_t>::max();
  if (full || old || offsets || seg.indexes_full(batches)) return roll_at(first_offset);
  return absl::OkStatus();
}

absl::Status Log::roll_at(int64_t base_offset) {
  LogSegment& old = active();
  if (old.base_offset() == base_offset && old.empty()) return absl::OkStatus();
  const bool replace_empty = old.empty();  // its base cannot take the new offsets
  if (!replace_empty) KEEL_RETURN_IF_ERROR(old.seal());
  absl::StatusOr<std::unique_ptr<LogSegment>> seg =
      LogSegment::create(env_, dir_, base_offset, config_);
  if (!seg.ok()) {
    // Keep appending to the old segment (e.g. no space for new index files yet).
    if (!replace_empty) (void)old.make_active();
    return seg.status();
  }
  if (replace_empty) {
    const int64_t old_base = old.base_offset();
    (void)old.close();
    KEEL_RETURN_IF_ERROR(old.remove_files());
    segments_.erase(old_base);
  }
  segments_[base_offset] = std::move(*seg);
  // Nothing can exist below the first segment.
  log_start_offset_ = std::max(log_start_offset_, segments_.begin()->first);
  high_watermark_ = std::max(high_watermark_, log_start_offset_);
  dir_dirty_ = true;
  return absl::OkStatus();
}

std::vector<SegmentInfo> Log::segments() const {
  std::vector<SegmentInfo> out;
  out.reserve(segments_.size());
  for (auto it = segments_.begin(); it != segments_.end(); ++it) {
    const LogSegment& seg = *it->second;
    auto next = std::next(it);
    SegmentInfo info;
    info.base_offset = seg.base_offset();
    info.active = next == segments_.end();
    info.end_offset = info.active ? log_end_offset_ : next->first;
    info.size_bytes = seg.size();
    absl::StatusOr<int64_t> ts = seg.max_timestamp();
    info.max_timestamp = ts.ok() ? *ts : -1;
    info.log_path = seg.log_path();
    info.file = seg.readable();
    out.push_back(std::move(info));
  }
  return out;
}

absl::Status Log::check_not_failed() const {
  if (failed_.ok()) return absl::OkStatus();
  return protocol::kafka_error(
      protocol::ErrorCode::kKafkaStorageError,
      "log " + dir_ + " failed and must be reopened: " + std::string(failed_.message()));
}

absl::Status Log::close() {
  if (closed_) return absl::OkStatus();
  if (!failed_.ok()) {
    close_without_flush();  // no clean state to record
    return check_not_failed();
  }
  absl::Status status = active().seal();
  absl::StatusOr<int64_t> flushed = flush();
  if (!flushed.ok()) status.Update(flushed.status());
  status.Update(epochs_->persist());
  for (auto& [base, seg] : segments_) status.Update(seg->close());
  closed_ = true;
  return status;
}

void Log::close_without_flush() {
  for (auto& [base, seg] : segments_) (void)seg->close();
  closed_ = true;
}

}  // namespace keel::storage
