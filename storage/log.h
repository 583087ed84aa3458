// File: storage/log.h
// The log of one partition: an ordered set of segments (storage/log_segment.h) in the
// directory `<log.dir>/<topic>-<partition>/`, with Kafka's on-disk format
// (docs/storage-format.md). Appends go to the active (last) segment; reads find the segment
// by offset in an ordered map, then use its sparse index and a short scan of batch headers.
//
// Thread-safety: NOT thread-safe. One owner (a thread or a strand) calls every method, except
// FlushTicket::execute (any thread, see flush_ticket.h) and reading returned FileSlices (any
// thread). The cleaner may read SegmentInfo::file and fill a cleaned segment on its own
// thread; segments() and replace_segments() run on the owner.
//
// Offsets: log_start_offset() <= high_watermark() <= log_end_offset() always holds;
// recovery_point() == durable_offset() <= log_end_offset().
//
// Errors carry Kafka codes (protocol/error_code.h): I/O failures KAFKA_STORAGE_ERROR (disk
// full is absl::ResourceExhausted), bad batches CORRUPT_MESSAGE / INVALID_RECORD /
// MESSAGE_TOO_LARGE / RECORD_LIST_TOO_LARGE / UNSUPPORTED_COMPRESSION_TYPE, offsets outside
// the log OFFSET_OUT_OF_RANGE.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/wire/types.h"
#include "storage/env.h"
#include "storage/file_slice.h"
#include "storage/flush_ticket.h"
#include "storage/leader_epoch_cache.h"
#include "storage/log_config.h"
#include "storage/log_segment.h"
#include "storage/recovery.h"

namespace keel::storage {

struct AppendResult {
  int64_t base_offset = -1;      // offset of the first record written
  int64_t last_offset = -1;      // offset of the last record written
  int64_t log_append_time = -1;  // the stamped time for LogAppendTime, -1 for CreateTime
  int64_t log_start_offset = 0;
  int64_t record_count = 0;
  int64_t max_timestamp = -1;  // largest batch maxTimestamp written (after stamping)
};

// ListOffsets special timestamps.
inline constexpr int64_t kLatestTimestamp = -1;
inline constexpr int64_t kEarliestTimestamp = -2;
inline constexpr int64_t kMaxTimestamp = -3;

struct RetentionResult {
  int segments_deleted = 0;
  int64_t bytes_deleted = 0;
  int64_t log_start_offset = 0;  // after the deletion
};

// One segment, as the cleaner and DescribeLogDirs see it.
struct SegmentInfo {
  int64_t base_offset = 0;
  // Every offset in the segment is below this: the next segment's base offset, or the log
  // end offset for the active segment.
  int64_t end_offset = 0;
  uint64_t size_bytes = 0;
  int64_t max_timestamp = -1;  // largest batch timestamp, -1 when none
  bool active = false;
  std::string log_path;
  // The segment file, readable from any thread for as long as the pointer is held.
  std::shared_ptr<const RandomAccessFile> file;
};

class Log {
 public:
  // Opens (creating if needed) the log in `dir`, recovering per `options` (storage/recovery.h:
  // clean open, or a rescan from the recovery point that truncates at the first bad batch).
  // `env` and `clock` must outlive the Log. The report of what recovery did is report().
  static absl::StatusOr<std::unique_ptr<Log>> open(Env* env, Clock* clock, std::string dir,
                                                   LogConfig config, RecoveryOptions options);

  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // ---- appends -------------------------------------------------------------------------
  // Appends the batches of one partition of a Produce request (the view must stay valid for
  // the call only). Every batch is validated first; offsets are assigned from the log end
  // offset, `leader_epoch` is stamped (and the broker time for LogAppendTime topics), and all
  // batches are written with one vectored write. All or nothing: on any error nothing is
  // visible and, after a write error, the segment is cut back to its previous size, so the
  // log stays usable (appends succeed again once e.g. disk space returns).
  absl::StatusOr<AppendResult> append(protocol::RecordsView records, int32_t leader_epoch);

  // Appends batches that already carry their offsets and leader epochs (a follower's copy of
  // the leader's log). The first batch must start at or after the log end offset and the
  // batches must be in increasing, non-overlapping offset order (gaps are legal: a compacted
  // leader's batches may start after the offset asked for); otherwise nothing is written.
  absl::StatusOr<AppendResult> append_as_follower(protocol::RecordsView records);

  // Rolls a new active segment now (no-op when the active segment is empty).
  absl::Status roll();

  // ---- reads ---------------------------------------------------------------------------
  // The whole batches starting with the one containing `offset`, up to `max_bytes` in total
  // and only batches whose last offset is below `max_offset` (exclusive bound: the high
  // watermark for consumers, the log end offset for followers). When `min_one_batch`, the
  // first batch is returned whole even if larger than max_bytes. Reads stay within one
  // segment. Empty slice at the log end or when nothing fits. OFFSET_OUT_OF_RANGE when
  // `offset` is outside [log_start_offset(), log_end_offset()].
  absl::StatusOr<FileSlice> read(int64_t offset, int32_t max_bytes, int64_t max_offset,
                                 bool min_one_batch) const;

  // ListOffsets: kEarliestTimestamp → log start offset; kLatestTimestamp → log end offset;
  // kMaxTimestamp → the first record carrying the largest timestamp; otherwise the first
  // record whose timestamp is >= ts (looking inside batches, decompressing when needed).
  // nullopt when no record qualifies (and for kMaxTimestamp on an empty log).
  absl::StatusOr<std::optional<TimestampOffset>> offset_for_timestamp(int64_t ts) const;

  // ---- durability ----------------------------------------------------------------------
  // Captures the files holding data not yet durable. Owner thread.
  FlushTicket prepare_flush();
  // Publishes a ticket that executed successfully: durable_offset() advances to its target
  // (unless the log was truncated since it was prepared). Owner thread.
  void complete_flush(const FlushTicket& ticket);
  // prepare + execute + complete inline; the durable offset ("acked = on disk").
  absl::StatusOr<int64_t> flush();
  // True when flush.messages records or flush.ms milliseconds have accumulated unflushed, or
  // when a segment was rolled since the last flush (so the recovery point follows the rolls
  // even when flush.* are "never", as in Kafka). The owner polls it and flushes.
  bool flush_due() const;
  int64_t durable_offset() const { return recovery_point_; }
  int64_t recovery_point() const { return recovery_point_; }

  // ---- offsets -------------------------------------------------------------------------
  int64_t log_start_offset() const { return log_start_offset_; }
  int64_t log_end_offset() const { return log_end_offset_; }
  // Never advanced by the log itself: replication (even for a single replica) calls
  // set_high_watermark after appends. Clamped to [log_start_offset, log_end_offset].
  int64_t high_watermark() const { return high_watermark_; }
  void set_high_watermark(int64_t offset);

  // ---- retention and truncation --------------------------------------------------------
  // Deletes whole non-active segments lying entirely below the high watermark whose largest
  // timestamp is older than now - retention.ms, then the oldest while the log exceeds
  // retention.bytes; advances the log start offset. No-op unless cleanup.policy has delete.
  absl::StatusOr<RetentionResult> apply_retention();
  // DeleteRecords: moves the log start offset up to `offset` (no-op when already there) and
  // deletes segments lying wholly below it. OFFSET_OUT_OF_RANGE above the high watermark.
  absl::StatusOr<RetentionResult> advance_log_start_offset(int64_t offset);
  // Replication: removes every batch holding offsets >= `offset` (a batch straddling it is
  // removed whole, so the log end offset may end up below `offset`; replication truncates at
  // batch boundaries), deletes emptied segments, fixes indexes, the epoch cache, the high
  // watermark and the durable offset; the cut and deletions are fsynced before it returns.
  // No-op when offset >= log_end_offset(). If it fails after changing files, the log enters
  // a failed state (appends, truncations and a clean close refused) until reopened.
  absl::Status truncate_to(int64_t offset);
  // Deletes every segment and restarts the log empty at `offset` (a follower far behind).
  absl::Status truncate_fully_and_start_at(int64_t offset);

  // ---- leader epochs -------------------------------------------------------------------
  const LeaderEpochCache& epoch_cache() const { return *epochs_; }
  // OffsetForLeaderEpoch: {epoch, end offset} per LeaderEpochCache::end_offset_for.
  EpochEndOffset end_offset_for_epoch(int32_t epoch) const;

  // ---- lifecycle -----------------------------------------------------------------------
  // Clean close: flushes, trims the active segment's indexes (after the final time-index
  // entry), writes the leader-epoch checkpoint. The Log is unusable afterwards. No flush
  // ticket of this log may be executing.
  absl::Status close();
  // Closes without flushing (tests simulating a crash, deleting a partition).
  void close_without_flush();

  // ---- cleaner interface (compaction) --------------------------------------------------
  // Every segment, oldest first; the last is the active one.
  std::vector<SegmentInfo> segments() const;
  // A new empty segment `<base>.log.cleaned` (+ indexes) in this log's directory, for the
  // cleaner to fill with LogSegment::append_batches (batches keep their offsets) and seal().
  // The returned segment may be filled on any thread; it is not part of the log until
  // replace_segments.
  absl::StatusOr<std::unique_ptr<LogSegment>> create_cleaned_segment(int64_t base_offset);
  // Atomically (with respect to crashes: `.swap` files, see docs/storage-format.md) replaces
  // the consecutive non-active segments whose base offsets are `old_bases` with
  // `replacements` (sealed cleaned segments, ascending, covering offsets within the old
  // segments' range). In-flight FileSlices of the old segments stay readable.
  absl::Status replace_segments(std::span<const int64_t> old_bases,
                                std::vector<std::unique_ptr<LogSegment>> replacements);

  // ---- introspection -------------------------------------------------------------------
  const std::string& dir() const { return dir_; }
  const LogConfig& config() const { return config_; }
  // A new config applies from the next append/roll/retention (AlterConfigs).
  void set_config(const LogConfig& config) { config_ = config; }
  const RecoveryReport& report() const { return report_; }
  // Bytes of all segments.
  uint64_t size_bytes() const;
  int segment_count() const { return static_cast<int>(segments_.size()); }

 private:
  Log(Env* env, Clock* clock, std::string dir, LogConfig config);

  friend class LogLoader;

  // log.cc
  LogSegment& active() const { return *segments_.rbegin()->second; }
  const LogSegment* segment_for(int64_t offset) const;
  absl::Status maybe_roll(uint64_t incoming_bytes, int64_t first_offset, int64_t last_offset,
                          size_t batches);
  absl::Status roll_at(int64_t base_offset);
  absl::Status delete_segments_below(int64_t new_start, RetentionResult* result);
  absl::Status delete_segment(std::map<int64_t, std::unique_ptr<LogSegment>>::iterator it,
                              RetentionResult* result);
  absl::Status truncate_at(int64_t floor_base, uint64_t position, int64_t offset);
  absl::Status check_not_failed() const;

  Env* env_;
  Clock* clock_;
  std::string dir_;
  LogConfig config_;
  std::map<int64_t, std::unique_ptr<LogSegment>> segments_;  // by base offset
  std::unique_ptr<LeaderEpochCache> epochs_;
  RecoveryReport report_;

  int64_t log_start_offset_ = 0;
  int64_t log_end_offset_ = 0;
  int64_t high_watermark_ = 0;
  int64_t recovery_point_ = 0;
  uint64_t truncation_epoch_ = 0;
  int64_t unflushed_records_ = 0;
  int64_t last_flush_ms_ = 0;
  bool dir_dirty_ = false;  // segments created or deleted since the last flush
  bool closed_ = false;
  // Set when a truncation failed part-way: the files may not match the offsets any more, so
  // appends, truncations and a clean close are refused (reads still work). Reopen to recover.
  absl::Status failed_;
};

}  // namespace keel::storage
