// File: storage/leader_epoch_cache.h
// The leader-epoch cache of a partition: for each leader epoch, the first offset written in
// it. Persisted in `<partition dir>/leader-epoch-checkpoint` (version 0, count, then
// `epoch start_offset` lines; docs/storage-format.md). Used by OffsetForLeaderEpoch and by
// follower truncation.
//
// Entries have strictly increasing epochs and strictly increasing start offsets. Each change
// is written to the checkpoint immediately (changes happen once per leader change, not per
// append).
// Thread-safety: not thread-safe; owned by its Log.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/env.h"

namespace keel::storage {

struct EpochEntry {
  int32_t epoch = 0;
  int64_t start_offset = 0;
  bool operator==(const EpochEntry&) const = default;
};

// OffsetForLeaderEpoch's answer; {-1, -1} = undefined (UNDEFINED_EPOCH, UNDEFINED_OFFSET).
struct EpochEndOffset {
  int32_t epoch = -1;
  int64_t end_offset = -1;
  bool operator==(const EpochEndOffset&) const = default;
};

class LeaderEpochCache {
 public:
  // Loads `path` when it exists (a missing file is an empty cache). `env` must outlive it.
  static absl::StatusOr<std::unique_ptr<LeaderEpochCache>> load(Env* env, std::string path);

  // Records that `epoch` starts at `start_offset`. Ignored when epoch < 0 or not newer than
  // the latest epoch; entries at or after start_offset (stale, from a truncated leader) are
  // dropped first.
  absl::Status assign(int32_t epoch, int64_t start_offset);

  // The epoch's end offset per Kafka's rules: the latest epoch ends at `log_end_offset`; an
  // older epoch ends where the next known epoch starts, reported with the largest known epoch
  // <= it (or itself when below every known epoch); above the latest epoch: undefined.
  EpochEndOffset end_offset_for(int32_t epoch, int64_t log_end_offset) const;

  // Drops entries starting at or after `offset` (log truncated to `offset`).
  absl::Status truncate_from_end(int64_t offset);
  // Drops entries superseded below `offset` (log start moved to `offset`); the entry covering
  // `offset` then starts there.
  absl::Status truncate_from_start(int64_t offset);
  absl::Status clear();

  const std::vector<EpochEntry>& entries() const { return entries_; }
  // -1 when empty.
  int32_t latest_epoch() const { return entries_.empty() ? -1 : entries_.back().epoch; }
  // Writes the checkpoint (also done by every change).
  absl::Status persist() const;

 private:
  LeaderEpochCache(Env* env, std::string path) : env_(env), path_(std::move(path)) {}

  Env* env_;
  std::string path_;
  std::vector<EpochEntry> entries_;
};

}  // namespace keel::storage
