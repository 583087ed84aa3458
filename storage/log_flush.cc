// Durability: flush tickets (group commit off the owner thread) and flush policy.
#include <algorithm>

#include "protocol/status.h"
#include "storage/log.h"
#include "storage/mapped_index.h"

namespace keel::storage {

absl::Status FlushTicket::execute() {
  if (succeeded_) return absl::OkStatus();
  for (const auto& file : files_) KEEL_RETURN_IF_ERROR(file->sync());
  for (const auto& index : indexes_) KEEL_RETURN_IF_ERROR(index->sync());
  if (sync_dir_) KEEL_RETURN_IF_ERROR(env_->sync_dir(dir_));
  succeeded_ = true;
  return absl::OkStatus();
}

FlushTicket Log::prepare_flush() {
  FlushTicket ticket;
  ticket.env_ = env_;
  ticket.dir_ = dir_;
  ticket.target_offset_ = log_end_offset_;
  ticket.truncation_epoch_ = truncation_epoch_;
  ticket.flushed_records_ = unflushed_records_;
  ticket.sync_dir_ = dir_dirty_;
  dir_dirty_ = false;
  for (const auto& [base, seg] : segments_) {
    if (seg->clean()) continue;
    if (auto file = seg->log_file()) ticket.files_.push_back(std::move(file));
    if (auto index = seg->offset_index_file()) ticket.indexes_.push_back(std::move(index));
    if (auto index = seg->time_index_file()) ticket.indexes_.push_back(std::move(index));
    ticket.segments_.push_back({base, seg->version()});
  }
  return ticket;
}

void Log::complete_flush(const FlushTicket& ticket) {
  if (!ticket.succeeded()) {
    if (ticket.sync_dir_) dir_dirty_ = true;
    return;
  }
  last_flush_ms_ = clock_->now_ms();
  if (ticket.truncation_epoch_ != truncation_epoch_) return;  // it synced replaced bytes
  recovery_point_ = std::max(recovery_point_, std::min(ticket.target_offset_, log_end_offset_));
  unflushed_records_ = std::max<int64_t>(0, unflushed_records_ - ticket.flushed_records_);
  for (const auto& [base, version] : ticket.segments_) {
    auto it = segments_.find(base);
    if (it == segments_.end() || it->second->version() != version) continue;
    it->second->set_clean(true);
    it->second->release_writer();
  }
}

absl::StatusOr<int64_t> Log::flush() {
  FlushTicket ticket = prepare_flush();
  absl::Status status = ticket.execute();
  complete_flush(ticket);
  KEEL_RETURN_IF_ERROR(status);
  return recovery_point_;
}

bool Log::flush_due() const {
  // A rolled segment is flushed soon whatever the policy (as Kafka does on roll), so the
  // recovery point keeps up with the log and an unclean restart rescans little.
  if (segments_.size() > 1 && !std::prev(segments_.end(), 2)->second->clean()) return true;
  if (log_end_offset_ == recovery_point_) return false;
  if (unflushed_records_ >= config_.flush_messages) return true;
  return config_.flush_ms != kNever && clock_->now_ms() - last_flush_ms_ >= config_.flush_ms;
}

}  // namespace keel::storage
