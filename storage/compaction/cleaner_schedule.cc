#include "storage/compaction/cleaner_schedule.h"

#include <algorithm>

#include "storage/compaction/cleanable_range.h"

namespace keel::storage::compaction {

void CleanerState::update(const CleanResult& result) {
  first_dirty_offset = result.first_dirty_offset;
  next_delete_horizon_ms = result.next_delete_horizon_ms;
  horizon_known = true;
}

bool cleaning_due(const Log& log, const CleanerState& state, int64_t now_ms,
                  double min_cleanable_ratio, double* ratio) {
  if (!log.config().cleanup_compact) return false;
  const std::vector<SegmentInfo> segments = log.segments();
  const CleanableRange range = cleanable_range(log, segments, now_ms, state.first_dirty_offset);
  if (ratio != nullptr) *ratio = range.dirty_ratio();
  if (range.dirty_bytes > 0 && range.dirty_ratio() >= min_cleanable_ratio) return true;
  if (!state.horizon_known) return range.clean_bytes > 0;
  return state.next_delete_horizon_ms >= 0 && state.next_delete_horizon_ms <= now_ms;
}

std::vector<DueLog> logs_due(std::span<const Log* const> logs, std::span<const CleanerState> states,
                             int64_t now_ms, double min_cleanable_ratio) {
  std::vector<DueLog> due;
  for (size_t i = 0; i < logs.size() && i < states.size(); ++i) {
    double ratio = 0;
    if (!cleaning_due(*logs[i], states[i], now_ms, min_cleanable_ratio, &ratio)) continue;
    due.push_back({i, ratio, ratio < min_cleanable_ratio});
  }
  std::stable_sort(due.begin(), due.end(), [](const DueLog& a, const DueLog& b) {
    if (a.tombstones_due != b.tombstones_due) return !a.tombstones_due;
    return a.dirty_ratio > b.dirty_ratio;
  });
  return due;
}

absl::StatusOr<OffsetMap> read_cleaner_checkpoint(Env* env, const std::string& log_dir) {
  return read_offset_checkpoint(env, join_path(log_dir, kCleanerOffsetCheckpoint));
}

absl::Status write_cleaner_checkpoint(Env* env, const std::string& log_dir,
                                      const OffsetMap& offsets) {
  return write_offset_checkpoint(env, join_path(log_dir, kCleanerOffsetCheckpoint), offsets);
}

}  // namespace keel::storage::compaction
