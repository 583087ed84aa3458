// File: storage/compaction/cleaner_schedule.h
// Which compacted logs a cleaner thread should clean next, and where the per-partition cleaner
// progress is kept across restarts (Kafka's `cleaner-offset-checkpoint`, one per log dir, in
// the offset-checkpoint format of storage/checkpoint_file.h).
//
// A log is due when its dirty ratio reaches min.cleanable.dirty.ratio (default 0.5), or when a
// tombstone's delete horizon has passed (else a log that stops receiving writes would keep
// its tombstones forever), or when its horizons are unknown (no pass since startup) and it has
// a cleaned part that may hold some.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/checkpoint_file.h"
#include "storage/compaction/log_cleaner.h"
#include "storage/env.h"
#include "storage/log.h"

namespace keel::storage::compaction {

inline constexpr double kDefaultMinCleanableDirtyRatio = 0.5;
inline constexpr std::string_view kCleanerOffsetCheckpoint = "cleaner-offset-checkpoint";

// What the broker keeps per compacted partition between passes.
struct CleanerState {
  int64_t first_dirty_offset = -1;      // from the checkpoint, then from each CleanResult
  int64_t next_delete_horizon_ms = -1;  // -1: none known
  bool horizon_known = false;           // a pass ran since startup

  // Takes over a pass's outcome.
  void update(const CleanResult& result);
};

struct DueLog {
  size_t index = 0;  // into the spans given to logs_due
  double dirty_ratio = 0;
  bool tombstones_due = false;
};

// True (with the ratio in *ratio when not null) when `log` should be cleaned now.
bool cleaning_due(const Log& log, const CleanerState& state, int64_t now_ms,
                  double min_cleanable_ratio = kDefaultMinCleanableDirtyRatio,
                  double* ratio = nullptr);

// The due logs among `logs` (compacted ones only; states[i] belongs to logs[i]), dirtiest
// first, those due only for tombstones last.
std::vector<DueLog> logs_due(std::span<const Log* const> logs, std::span<const CleanerState> states,
                             int64_t now_ms,
                             double min_cleanable_ratio = kDefaultMinCleanableDirtyRatio);

// `<log_dir>/cleaner-offset-checkpoint`: first dirty offset per partition.
absl::StatusOr<OffsetMap> read_cleaner_checkpoint(Env* env, const std::string& log_dir);
absl::Status write_cleaner_checkpoint(Env* env, const std::string& log_dir,
                                      const OffsetMap& offsets);

}  // namespace keel::storage::compaction
