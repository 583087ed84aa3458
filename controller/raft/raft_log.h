// File: controller/raft/raft_log.h
// The metadata partition as Raft sees it: a storage::Log of record batches (one batch per
// RaftNode::append call, one record per payload, the batch's partitionLeaderEpoch = the Raft
// epoch) plus the snapshots beside it. Payloads are opaque bytes. A leader's first entry of
// its epoch is a control batch with one LeaderChange record.
//
// Snapshots are files `<20-digit end offset>-<10-digit epoch>.checkpoint` in the log's
// directory: a header line `keel-raft-snapshot 0 <end> <epoch> <size> <crc32c>` then the state
// machine's bytes. They are written atomically (tmp file, fsync, rename, directory fsync)
// before the log start moves past them; a file that fails its checks is ignored.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "controller/raft/raft_messages.h"
#include "storage/env.h"
#include "storage/log.h"

namespace keel::controller::raft {

// Control record type of KRaft's LeaderChange (Kafka's ControlRecordType.LEADER_CHANGE).
inline constexpr int16_t kLeaderChangeControlType = 2;

std::string snapshot_file_name(const SnapshotId& id);
std::optional<SnapshotId> parse_snapshot_file_name(std::string_view name);
std::string encode_snapshot_file(const SnapshotId& id, std::string_view state);
// The state inside a snapshot file, after checking its header and checksum against `id`.
absl::StatusOr<std::string_view> decode_snapshot_file(const SnapshotId& id, std::string_view file);

class RaftLog {
 public:
  // `dir` is the partition directory (`<log dir>/__cluster_metadata-0`), created if missing.
  // Loads the newest valid snapshot id; if the log does not reach it consistently (a crash
  // during an install), the log restarts empty at the snapshot.
  static absl::StatusOr<std::unique_ptr<RaftLog>> open(storage::Env* env, storage::Clock* clock,
                                                       std::string dir, storage::LogConfig config);
  ~RaftLog();

  // First offset still in the log (= latest snapshot's end offset once one exists).
  int64_t start_offset() const { return log_->log_start_offset(); }
  int64_t end_offset() const { return log_->log_end_offset(); }
  int64_t durable_offset() const { return log_->durable_offset(); }
  // Epoch of the record at end_offset() - 1 (the snapshot's when the log is empty; 0 when
  // nothing was ever written).
  int32_t last_epoch() const;
  // Epoch of the record at `offset`, for offsets in [start_offset() - 1, end_offset()).
  std::optional<int32_t> epoch_at(int64_t offset) const;
  // Kafka's OffsetForLeaderEpoch over this log: {largest epoch <= `epoch`, its end offset}.
  DivergingEpoch end_offset_for_epoch(int32_t epoch) const;

  // Leader appends; return the offset of the last record written.
  absl::StatusOr<int64_t> append_payloads(const std::vector<std::string>& payloads, int32_t epoch,
                                          int64_t now_ms);
  absl::StatusOr<int64_t> append_leader_change(int32_t epoch, int32_t leader_id,
                                               const std::vector<int32_t>& voters, int64_t now_ms);
  // Follower: validates the leader's batches (CRC, contiguous offsets from end_offset(),
  // epochs non-decreasing and <= max_epoch) and appends the valid whole-batch prefix.
  // INVALID_RECORD / CORRUPT_MESSAGE when the first batch is bad (nothing appended).
  absl::StatusOr<int64_t> append_fetched(std::span<const uint8_t> records, int32_t max_epoch);

  // Whole batches from `offset` up to about max_bytes (at least one).
  absl::StatusOr<protocol::Bytes> read(int64_t offset, int32_t max_bytes) const;
  // Calls fn for each record with an offset in [from, to), control records included
  // (is_control set, payload empty).
  using EntryVisitor =
      std::function<void(int64_t offset, int32_t epoch, bool is_control, std::string_view payload)>;
  absl::Status visit(int64_t from, int64_t to, const EntryVisitor& fn) const;

  absl::StatusOr<int64_t> flush() { return log_->flush(); }
  absl::Status truncate_to(int64_t offset) { return log_->truncate_to(offset); }
  void set_high_watermark(int64_t offset) { log_->set_high_watermark(offset); }

  // Recovery: the first batch that does not start where the one before it ended, or whose
  // epoch is negative, lower than the one before it or above `max_epoch` (the persisted
  // epoch), and everything after it are removed. Base offset and epoch are outside the batch
  // CRC (and the storage log allows offset gaps for compaction), so a corrupted unsynced tail
  // passes the log's own recovery. The metadata log is never compacted: offsets are dense.
  absl::Status truncate_impossible_batches(int32_t max_epoch);

  // ---- snapshots ----
  const std::optional<SnapshotId>& latest_snapshot() const { return snapshot_; }
  // Writes a snapshot of the committed state, then moves the log start to it and removes
  // older snapshots. `id.end_offset` must be <= the high watermark.
  absl::Status write_snapshot(const SnapshotId& id, std::string_view state);
  // The newest snapshot's file bytes (what FetchSnapshot transfers).
  absl::StatusOr<std::string> read_snapshot_file() const;
  // The state inside the newest snapshot.
  absl::StatusOr<std::string> read_snapshot_state() const;
  // Follower far behind: stores a fetched snapshot file (validated), then restarts the log
  // empty at its end offset.
  absl::Status install_snapshot(const SnapshotId& id, std::string_view file);

  storage::Log& log() { return *log_; }
  void close();

 private:
  RaftLog(storage::Env* env, std::string dir, std::unique_ptr<storage::Log> log)
      : env_(env), dir_(std::move(dir)), log_(std::move(log)) {}
  absl::Status load_snapshots();
  absl::Status remove_snapshots_before(const SnapshotId& keep);

  storage::Env* env_;
  std::string dir_;
  std::unique_ptr<storage::Log> log_;
  std::optional<SnapshotId> snapshot_;
};

}  // namespace keel::controller::raft
