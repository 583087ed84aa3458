// Log::open: lists the partition directory, finishes or rolls back interrupted segment
// replacements, opens the segments and recovers (docs/storage-format.md, "Recovery").
#include <algorithm>
#include <set>

#include "protocol/error_code.h"
#include "protocol/status.h"
#include "storage/file_names.h"
#include "storage/log.h"

namespace keel::storage {

// The steps of Log::open, as a friend with access to the Log under construction.
class LogLoader {
 public:
  LogLoader(Log* log, const RecoveryOptions& options) : log_(log), options_(options) {}

  absl::Status load() {
    KEEL_RETURN_IF_ERROR(log_->env_->create_dir(log_->dir_));
    KEEL_ASSIGN_OR_RETURN(
        log_->epochs_,
        LeaderEpochCache::load(log_->env_, join_path(log_->dir_, kLeaderEpochCheckpoint)));
    KEEL_RETURN_IF_ERROR(clean_directory());
    KEEL_RETURN_IF_ERROR(open_segments());
    KEEL_RETURN_IF_ERROR(recover());
    return finish();
  }

 private:
  void note(int64_t base, std::string action, std::string reason) {
    if (options_.log) {
      options_.log(log_->dir_ + ": segment " + std::to_string(base) + " " + action +
                   (reason.empty() ? "" : ": " + reason));
    }
    report().events.push_back({base, std::move(action), std::move(reason)});
  }
  RecoveryReport& report() { return log_->report_; }
  // Tolerates a file already gone (removed by an earlier step of the same cleanup).
  absl::Status remove(const std::string& path) {
    if (!env()->exists(path)) return absl::OkStatus();
    changed_ = true;
    return env()->remove_file(path);
  }
  absl::Status rename(const std::string& from, const std::string& to) {
    changed_ = true;
    return env()->rename(from, to);
  }
  Env* env() { return log_->env_; }
  const std::string& dir() { return log_->dir_; }

  // Removes temporary and half-deleted files; completes committed replacements (`.swap`);
  // drops uncommitted cleaner output (`.cleaned`) and index files without a segment.
  absl::Status clean_directory() {
    KEEL_ASSIGN_OR_RETURN(std::vector<std::string> names, env()->list_dir(dir()));
    std::set<int64_t> logs, swaps;
    std::vector<SegmentFileName> indexes;
    for (const std::string& name : names) {
      const std::string path = join_path(dir(), name);
      if (name.size() > 4 && name.ends_with(".tmp")) {
        KEEL_RETURN_IF_ERROR(remove(path));
        continue;
      }
      std::optional<SegmentFileName> file = parse_segment_file_name(name);
      if (!file) continue;
      if (file->extra == kDeletedSuffix || file->extra == kCleanedSuffix) {
        KEEL_RETURN_IF_ERROR(remove(path));
      } else if (file->extra == kSwapSuffix) {
        if (file->kind == kLogSuffix) swaps.insert(file->base_offset);
      } else if (file->extra.empty()) {
        if (file->kind == kLogSuffix) {
          logs.insert(file->base_offset);
        } else {
          indexes.push_back(*file);
        }
      }
    }
    for (int64_t base : swaps) KEEL_RETURN_IF_ERROR(complete_swap(base, &logs));
    // Any `.index.swap` left alone belongs to a swap whose log was already renamed.
    KEEL_ASSIGN_OR_RETURN(names, env()->list_dir(dir()));
    for (const std::string& name : names) {
      std::optional<SegmentFileName> file = parse_segment_file_name(name);
      if (!file || file->extra != kSwapSuffix) continue;
      const std::string path = join_path(dir(), name);
      if (logs.count(file->base_offset)) {
        KEEL_RETURN_IF_ERROR(rename(path, segment_file(dir(), file->base_offset, file->kind)));
      } else {
        KEEL_RETURN_IF_ERROR(remove(path));
      }
    }
    for (const SegmentFileName& index : indexes) {
      if (logs.count(index.base_offset)) continue;
      KEEL_RETURN_IF_ERROR(remove(segment_file(dir(), index.base_offset, index.kind)));
    }
    bases_.assign(logs.begin(), logs.end());
    // Removals and renames above must be durable before anything is written after them.
    if (changed_) KEEL_RETURN_IF_ERROR(env()->sync_dir(dir()));
    return absl::OkStatus();
  }

  // A `.swap` segment is a committed replacement: the segments it replaces (those starting
  // inside its offset range) go, and it takes its final name.
  absl::Status complete_swap(int64_t base, std::set<int64_t>* logs) {
    KEEL_ASSIGN_OR_RETURN(
        auto seg, LogSegment::open(env(), dir(), base, log_->config_, std::string(kSwapSuffix)));
    KEEL_ASSIGN_OR_RETURN(SegmentScan scan, seg->recover(UINT32_MAX, log_->clock_->now_ms()));
    KEEL_RETURN_IF_ERROR(seg->seal());
    (void)seg->close();
    const int64_t end = std::max(scan.next_offset, base + 1);
    for (auto it = logs->lower_bound(base); it != logs->end() && *it < end;) {
      for (std::string_view kind : {kIndexSuffix, kTimeIndexSuffix, kLogSuffix}) {
        const std::string path = segment_file(dir(), *it, kind);
        if (env()->exists(path)) KEEL_RETURN_IF_ERROR(remove(path));
      }
      note(*it, "deleted", "replaced by the committed cleaned segment " + std::to_string(base));
      it = logs->erase(it);
    }
    for (std::string_view kind : {kIndexSuffix, kTimeIndexSuffix, kLogSuffix}) {
      const std::string path = segment_file(dir(), base, kind, kSwapSuffix);
      if (env()->exists(path)) KEEL_RETURN_IF_ERROR(rename(path, segment_file(dir(), base, kind)));
    }
    logs->insert(base);
    note(base, "swap completed", "");
    return absl::OkStatus();
  }

  absl::Status open_segments() {
    if (bases_.empty()) {
      const int64_t start = std::max<int64_t>(0, options_.log_start_offset);
      KEEL_ASSIGN_OR_RETURN(auto seg, LogSegment::create(env(), dir(), start, log_->config_));
      log_->segments_[start] = std::move(seg);
      log_->dir_dirty_ = true;
      fresh_ = true;
      return absl::OkStatus();
    }
    for (int64_t base : bases_) {
      KEEL_ASSIGN_OR_RETURN(auto seg, LogSegment::open(env(), dir(), base, log_->config_));
      log_->segments_[base] = std::move(seg);
    }
    return absl::OkStatus();
  }

  absl::Status recover() {
    auto& segments = log_->segments_;
    const int64_t now = log_->clock_->now_ms();
    report().clean = options_.clean_shutdown;
    if (fresh_) return absl::OkStatus();
    if (options_.clean_shutdown) {
      LogSegment& last = *segments.rbegin()->second;
      KEEL_ASSIGN_OR_RETURN(bool ok, last.load_tail(now));
      if (ok) return absl::OkStatus();
      note(last.base_offset(), "rescanned", "inconsistent tail or index after a clean shutdown");
      return rescan_from(last.base_offset());
    }
    // Unclean: everything from the segment holding the recovery point is suspect.
    int64_t from = segments.begin()->first;
    if (options_.recovery_point >= 0) {
      auto it = segments.upper_bound(options_.recovery_point);
      if (it != segments.begin()) from = std::prev(it)->first;
    }
    return rescan_from(from);
  }

  absl::Status rescan_from(int64_t from) {
    auto& segments = log_->segments_;
    const int64_t now = log_->clock_->now_ms();
    LeaderEpochCache* epochs = log_->epochs_.get();
    auto on_batch = [epochs](const protocol::RecordBatchHeader& h) {
      (void)epochs->assign(h.partition_leader_epoch, h.base_offset);
    };
    for (auto it = segments.find(from); it != segments.end(); ++it) {
      LogSegment& seg = *it->second;
      KEEL_ASSIGN_OR_RETURN(SegmentScan scan, seg.recover(UINT32_MAX, now, on_batch));
      ++report().segments_rescanned;
      ++report().indexes_rebuilt;
      unclean_ = true;
      if (scan.problem.empty()) {
        note(seg.base_offset(), "rescanned", std::to_string(scan.batches) + " valid batches");
      } else {
        report().bytes_truncated += static_cast<int64_t>(scan.truncated_bytes);
        report().batches_truncated += scan.truncated_batches;
        note(seg.base_offset(), "truncated",
             std::to_string(scan.truncated_bytes) + " bytes (" +
                 std::to_string(scan.truncated_batches) +
                 " batches) at the first bad batch: " + scan.problem);
        return delete_after(it);
      }
      // The next segment must start right after this one's data. A gap means this segment
      // lost unsynced batches while the next segment's file survived; only a compacted log
      // has legitimate gaps (records removed at a segment's end).
      auto next = std::next(it);
      if (next == segments.end()) continue;
      if (next->first < scan.next_offset) {
        note(next->first, "deleted", "overlaps the previous segment");
        return delete_after(it);
      }
      if (next->first > scan.next_offset && !log_->config_.cleanup_compact) {
        note(seg.base_offset(), "truncated",
             "offsets " + std::to_string(scan.next_offset) + ".." +
                 std::to_string(next->first - 1) + " are missing before the next segment");
        return delete_after(it);
      }
    }
    return absl::OkStatus();
  }

  // Deletes every segment after `it` (they follow a corrupt batch).
  absl::Status delete_after(std::map<int64_t, std::unique_ptr<LogSegment>>::iterator it) {
    auto& segments = log_->segments_;
    while (std::next(it) != segments.end()) {
      auto victim = std::prev(segments.end());
      report().bytes_truncated += static_cast<int64_t>(victim->second->size());
      ++report().segments_deleted;
      note(victim->first, "deleted", "follows a corrupt batch");
      (void)victim->second->close();
      KEEL_RETURN_IF_ERROR(victim->second->remove_files());
      segments.erase(victim);
      log_->dir_dirty_ = true;  // made durable by the flush that ends recovery
    }
    return absl::OkStatus();
  }

  absl::Status finish() {
    auto& segments = log_->segments_;
    // Every segment but the last is sealed (indexes trimmed); the last takes appends.
    for (auto it = segments.begin(); it != segments.end(); ++it) {
      LogSegment& seg = *it->second;
      if (std::next(it) == segments.end()) {
        KEEL_RETURN_IF_ERROR(seg.make_active());
      } else if (seg.next_offset() >= 0) {  // recovered: indexes still at full size
        KEEL_RETURN_IF_ERROR(seg.seal());
      }
    }
    LogSegment& last = *segments.rbegin()->second;
    log_->log_end_offset_ = last.next_offset();
    log_->log_start_offset_ =
        std::clamp(options_.log_start_offset, segments.begin()->first, log_->log_end_offset_);
    log_->high_watermark_ =
        std::clamp(options_.high_watermark, log_->log_start_offset_, log_->log_end_offset_);
    KEEL_RETURN_IF_ERROR(log_->epochs_->truncate_from_end(log_->log_end_offset_));
    KEEL_RETURN_IF_ERROR(log_->epochs_->truncate_from_start(log_->log_start_offset_));
    log_->last_flush_ms_ = log_->clock_->now_ms();
    report().recovered_log_end_offset = log_->log_end_offset_;
    if (options_.clean_shutdown && !unclean_) {
      log_->recovery_point_ = log_->log_end_offset_;
      for (auto& [base, seg] : segments) seg->set_clean(true);
      return absl::OkStatus();
    }
    // What recovery read may still be only in the page cache: make it durable before
    // claiming it as the recovery point.
    log_->recovery_point_ = std::clamp<int64_t>(options_.recovery_point, 0, log_->log_end_offset_);
    return log_->flush().status();
  }

  Log* log_;
  const RecoveryOptions& options_;
  std::vector<int64_t> bases_;
  bool fresh_ = false;
  bool unclean_ = false;
  bool changed_ = false;  // files removed or renamed while cleaning the directory
};

absl::StatusOr<std::unique_ptr<Log>> Log::open(Env* env, Clock* clock, std::string dir,
                                               LogConfig config, RecoveryOptions options) {
  std::unique_ptr<Log> log(new Log(env, clock, std::move(dir), config));
  LogLoader loader(log.get(), options);
  absl::Status status = loader.load();
  if (!status.ok()) {
    log->close_without_flush();
    return status;
  }
  return log;
}

}  // namespace keel::storage
