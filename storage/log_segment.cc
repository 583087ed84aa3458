// LogSegment: creation, opening, appends and index upkeep, sealing, file operations.
#include "storage/log_segment.h"

#include <algorithm>
#include <limits>

#include "protocol/records/batch_iterator.h"
#include "protocol/status.h"
#include "storage/batch_scanner.h"
#include "storage/file_names.h"
#include "storage/log_segment_internal.h"

namespace keel::storage {

using segment_internal::meta_of;
using segment_internal::remove_if_exists;

LogSegment::LogSegment(Env* env, std::string dir, int64_t base_offset, const LogConfig& config,
                       std::string suffix)
    : env_(env),
      dir_(std::move(dir)),
      base_offset_(base_offset),
      config_(config),
      suffix_(std::move(suffix)),
      log_path_(segment_file(dir_, base_offset, kLogSuffix, suffix_)),
      next_offset_(base_offset) {}

LogSegment::~LogSegment() = default;

absl::StatusOr<std::unique_ptr<LogSegment>> LogSegment::create(Env* env, const std::string& dir,
                                                               int64_t base_offset,
                                                               const LogConfig& config,
                                                               const std::string& suffix) {
  std::unique_ptr<LogSegment> seg(new LogSegment(env, dir, base_offset, config, suffix));
  // Leftovers with this name (an earlier, truncated incarnation) must not leak into the new
  // segment: fresh index files are all zeros.
  KEEL_RETURN_IF_ERROR(remove_if_exists(env, seg->log_path_));
  const std::string index_path = segment_file(dir, base_offset, kIndexSuffix, suffix);
  const std::string time_path = segment_file(dir, base_offset, kTimeIndexSuffix, suffix);
  KEEL_RETURN_IF_ERROR(remove_if_exists(env, index_path));
  KEEL_RETURN_IF_ERROR(remove_if_exists(env, time_path));
  KEEL_ASSIGN_OR_RETURN(auto writable, env->open_writable(seg->log_path_));
  seg->writable_ = std::move(writable);
  KEEL_ASSIGN_OR_RETURN(auto readable, env->open_readable(seg->log_path_));
  seg->readable_ = std::move(readable);
  const uint64_t index_bytes = static_cast<uint64_t>(config.segment_index_bytes);
  KEEL_ASSIGN_OR_RETURN(seg->offset_index_,
                        OffsetIndex::open(env, index_path, base_offset, index_bytes));
  KEEL_ASSIGN_OR_RETURN(seg->time_index_,
                        TimeIndex::open(env, time_path, base_offset, index_bytes));
  seg->active_ = true;
  return seg;
}

absl::StatusOr<std::unique_ptr<LogSegment>> LogSegment::open(Env* env, const std::string& dir,
                                                             int64_t base_offset,
                                                             const LogConfig& config,
                                                             const std::string& suffix) {
  std::unique_ptr<LogSegment> seg(new LogSegment(env, dir, base_offset, config, suffix));
  KEEL_ASSIGN_OR_RETURN(auto readable, env->open_readable(seg->log_path_));
  seg->readable_ = std::move(readable);
  KEEL_ASSIGN_OR_RETURN(seg->size_, seg->readable_->size());
  seg->next_offset_ = -1;  // unknown until load_tail / recover
  seg->clean_ = true;
  return seg;
}

void LogSegment::index_batch(const BatchMeta& batch, uint64_t position) const {
  if (batch.max_timestamp > max_timestamp_) {
    max_timestamp_ = batch.max_timestamp;
    offset_of_max_timestamp_ = batch.last_offset;
  }
  if (bytes_since_index_entry_ > static_cast<uint64_t>(config_.index_interval_bytes)) {
    // A full index only makes lookups scan further; rolling keeps that from happening.
    (void)offset_index_->append(batch.last_offset, position);
    (void)time_index_->maybe_append(max_timestamp_, offset_of_max_timestamp_);
    bytes_since_index_entry_ = 0;
  }
  bytes_since_index_entry_ += batch.size;
}

absl::StatusOr<int64_t> LogSegment::max_timestamp() const {
  if (active_ || next_offset_ >= 0) return max_timestamp_;
  KEEL_RETURN_IF_ERROR(ensure_indexes());
  return time_index_->last().timestamp;
}

bool LogSegment::indexes_full(size_t batches) const {
  if (!offset_index_ || !time_index_) return false;
  return offset_index_->entries() + batches > offset_index_->capacity() ||
         time_index_->entries() + batches + 1 > time_index_->capacity();
}

std::shared_ptr<MappedIndex> LogSegment::offset_index_file() const {
  return offset_index_ ? offset_index_->file() : nullptr;
}

std::shared_ptr<MappedIndex> LogSegment::time_index_file() const {
  return time_index_ ? time_index_->file() : nullptr;
}

absl::Status LogSegment::append(std::span<const std::span<const uint8_t>> parts,
                                std::span<const BatchMeta> batches, int64_t now_ms) {
  if (!writable_) return absl::FailedPreconditionError("segment " + log_path_ + " is sealed");
  KEEL_RETURN_IF_ERROR(ensure_indexes());
  if (writable_->size() != size_) {
    // An earlier failed write could not be undone: retry before writing after garbage.
    KEEL_RETURN_IF_ERROR(writable_->truncate(size_));
  }
  absl::Status status = writable_->append_vectored(parts);
  if (!status.ok()) {
    (void)writable_->truncate(size_);  // retried by the next append if this fails too
    return status;
  }
  uint64_t position = size_;
  for (const BatchMeta& batch : batches) {
    index_batch(batch, position);
    position += batch.size;
  }
  if (size_ == 0 && !batches.empty()) first_batch_time_ms_ = now_ms;
  size_ = position;
  if (!batches.empty()) next_offset_ = batches.back().last_offset + 1;
  clean_ = false;
  ++version_;
  return absl::OkStatus();
}

absl::Status LogSegment::append_batches(std::span<const uint8_t> region, int64_t now_ms) {
  std::vector<BatchMeta> metas;
  protocol::BatchIterator it(region);
  while (it.next()) {
    KEEL_ASSIGN_OR_RETURN(auto header, protocol::parse_batch_header(it.batch()));
    metas.push_back(meta_of(header));
  }
  KEEL_RETURN_IF_ERROR(it.status());
  const std::span<const uint8_t> parts[1] = {region};
  return append(parts, metas, now_ms);
}

absl::Status LogSegment::make_active() {
  if (!writable_) {
    KEEL_ASSIGN_OR_RETURN(auto writable, env_->open_writable(log_path_));
    writable_ = std::move(writable);
  }
  if (writable_->size() != size_) KEEL_RETURN_IF_ERROR(writable_->truncate(size_));
  active_ = true;
  const uint64_t full_entries =
      static_cast<uint64_t>(config_.segment_index_bytes) / OffsetIndex::kEntrySize;
  if (offset_index_ && offset_index_->capacity() < full_entries) {
    KEEL_RETURN_IF_ERROR(offset_index_->grow(config_.segment_index_bytes));
    KEEL_RETURN_IF_ERROR(time_index_->grow(config_.segment_index_bytes));
  }
  return ensure_indexes();
}

absl::Status LogSegment::seal() {
  KEEL_RETURN_IF_ERROR(ensure_indexes());
  if (max_timestamp_ >= 0) {
    (void)time_index_->maybe_append(max_timestamp_, offset_of_max_timestamp_);
  }
  active_ = false;
  clean_ = false;
  ++version_;
  KEEL_RETURN_IF_ERROR(offset_index_->trim());
  return time_index_->trim();
}

absl::Status LogSegment::rename_suffix(const std::string& from, const std::string& to) {
  for (std::string_view kind : {kIndexSuffix, kTimeIndexSuffix, kLogSuffix}) {
    const std::string src = segment_file(dir_, base_offset_, kind, from);
    const std::string dst = segment_file(dir_, base_offset_, kind, to);
    if (env_->exists(src)) KEEL_RETURN_IF_ERROR(env_->rename(src, dst));
  }
  suffix_ = to;
  log_path_ = segment_file(dir_, base_offset_, kLogSuffix, suffix_);
  if (offset_index_) {
    offset_index_->file()->set_path(segment_file(dir_, base_offset_, kIndexSuffix, suffix_));
  }
  if (time_index_) {
    time_index_->file()->set_path(segment_file(dir_, base_offset_, kTimeIndexSuffix, suffix_));
  }
  return absl::OkStatus();
}

absl::Status LogSegment::remove_files() {
  if (offset_index_) (void)offset_index_->file()->close();
  if (time_index_) (void)time_index_->file()->close();
  for (std::string_view kind : {kIndexSuffix, kTimeIndexSuffix, kLogSuffix}) {
    KEEL_RETURN_IF_ERROR(remove_if_exists(env_, segment_file(dir_, base_offset_, kind, suffix_)));
  }
  return absl::OkStatus();
}

absl::Status LogSegment::sync() {
  if (writable_) KEEL_RETURN_IF_ERROR(writable_->sync());
  if (offset_index_) KEEL_RETURN_IF_ERROR(offset_index_->file()->sync());
  if (time_index_) KEEL_RETURN_IF_ERROR(time_index_->file()->sync());
  return absl::OkStatus();
}

void LogSegment::release_writer() {
  if (!active_) writable_.reset();
}

absl::Status LogSegment::close() {
  absl::Status status;
  if (offset_index_) status.Update(offset_index_->file()->close());
  if (time_index_) status.Update(time_index_->file()->close());
  writable_.reset();  // a flush ticket may still hold it; the last owner closes the fd
  return status;
}

}  // namespace keel::storage
