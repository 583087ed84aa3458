// File: storage/log_segment.h
// One segment of a partition log: `<base>.log` (record batches exactly as on the wire), its
// sparse offset index `<base>.index` and time index `<base>.timeindex`, all named after the
// segment's base offset in 20 digits (docs/storage-format.md). A segment appends stamped
// batches, maps offsets and timestamps to file positions, recovers (rescan + CRC check +
// index rebuild) and truncates.
//
// The active segment keeps its indexes mapped at segment.index.bytes; seal() trims them to
// their entries when the segment stops being active. A sealed segment maps its indexes only
// when first looked up (fast startup with many segments).
//
// Thread-safety: not thread-safe (the owning Log's thread), except the shared files handed
// out (log_file(), the indexes' MappedIndex, readable()) which support FlushTicket::execute and
// FileSlice reads from other threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/records/record_batch.h"
#include "storage/env.h"
#include "storage/file_slice.h"
#include "storage/log_config.h"
#include "storage/offset_index.h"
#include "storage/time_index.h"

namespace keel::storage {

// ListOffsets answer: the offset and, for a timestamp query, the record's timestamp (-1 for
// the earliest/latest queries, as Kafka answers).
struct TimestampOffset {
  int64_t timestamp = -1;
  int64_t offset = -1;
  bool operator==(const TimestampOffset&) const = default;
};

// What an append needs to know about each batch it writes (the bytes are already stamped).
struct BatchMeta {
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  int64_t max_timestamp = -1;
  uint32_t size = 0;
};

// The outcome of rescanning a segment.
struct SegmentScan {
  int64_t next_offset = 0;        // after the last valid batch (base offset if none)
  uint64_t valid_bytes = 0;       // the segment's size after truncation
  uint64_t truncated_bytes = 0;   // cut at the first bad batch
  int64_t truncated_batches = 0;  // the bad batch and the framable batches after it
  int64_t batches = 0;            // valid batches kept
  std::string problem;            // why it was truncated; empty when it was not
};

class LogSegment {
 public:
  // Creates a new, empty segment in `dir` (files `<base>.log<suffix>` etc., indexes
  // pre-allocated). `suffix` is "" for log segments, ".cleaned" for the cleaner's output.
  static absl::StatusOr<std::unique_ptr<LogSegment>> create(Env* env, const std::string& dir,
                                                            int64_t base_offset,
                                                            const LogConfig& config,
                                                            const std::string& suffix = "");
  // Opens an existing segment's log file; indexes are opened lazily (missing ones are
  // rebuilt). Its tail state (next offset...) is unknown until load_tail() or recover().
  static absl::StatusOr<std::unique_ptr<LogSegment>> open(Env* env, const std::string& dir,
                                                          int64_t base_offset,
                                                          const LogConfig& config,
                                                          const std::string& suffix = "");
  ~LogSegment();
  LogSegment(const LogSegment&) = delete;
  LogSegment& operator=(const LogSegment&) = delete;

  int64_t base_offset() const { return base_offset_; }
  uint64_t size() const { return size_; }
  // After the last batch (valid for the active segment, a recovered or a created segment).
  int64_t next_offset() const { return next_offset_; }
  bool empty() const { return size_ == 0; }
  // The largest batch timestamp (-1 when none); read from the time index for sealed segments.
  absl::StatusOr<int64_t> max_timestamp() const;
  // Clock time of the first append (or the first batch's timestamp after a reopen), for
  // segment.ms; -1 while empty.
  int64_t first_batch_time_ms() const { return first_batch_time_ms_; }
  // True when an append of `batches` more batches might not fit in an index.
  bool indexes_full(size_t batches) const;
  const std::string& log_path() const { return log_path_; }

  // ---- appends (active or cleaned segment) ---------------------------------------------
  // Writes `parts` with one vectored append; `batches` describe the batches they form, in
  // order. On a write error the file is cut back to its previous size and nothing changes.
  absl::Status append(std::span<const std::span<const uint8_t>> parts,
                      std::span<const BatchMeta> batches, int64_t now_ms);
  // Appends a region of whole batches that already carry their offsets (the cleaner).
  absl::Status append_batches(std::span<const uint8_t> region, int64_t now_ms);

  // ---- reads ---------------------------------------------------------------------------
  // Whole batches from the one containing `offset`: see Log::read. nullopt when the segment
  // holds no batch with last offset >= offset; an empty slice when there is one but it does
  // not fit (max_bytes without min_one_batch, or not below max_offset).
  absl::StatusOr<std::optional<FileSlice>> read(int64_t offset, uint64_t max_bytes,
                                                int64_t max_offset, bool min_one_batch) const;
  // The first record at or after `min_offset` with timestamp >= ts, or nullopt.
  absl::StatusOr<std::optional<TimestampOffset>> find_timestamp(int64_t ts,
                                                                int64_t min_offset) const;
  std::shared_ptr<const RandomAccessFile> readable() const { return readable_; }

  // ---- recovery ------------------------------------------------------------------------
  // Reads every batch, checks framing, CRC and offset order, cuts the file at the first bad
  // batch and rebuilds both indexes. `max_batch_bytes` bounds a credible batch length.
  // `on_batch` (may be empty) sees each valid batch's header, in order (epoch cache rebuild).
  absl::StatusOr<SegmentScan> recover(
      uint64_t max_batch_bytes, int64_t now_ms,
      const std::function<void(const protocol::RecordBatchHeader&)>& on_batch = {});
  // Clean open of the last segment: checks the indexes' last entries, then reads the batches
  // after the last offset-index entry (CRC-checked) to learn the next offset and the tail
  // state. False (nothing changed) when something is inconsistent: call recover().
  absl::StatusOr<bool> load_tail(int64_t now_ms);
  // Makes a reopened (or sealed, then truncated) segment appendable: indexes mapped at full
  // size. load_tail() or recover() must have run.
  absl::Status make_active();

  // ---- changes -------------------------------------------------------------------------
  // Removes batches holding offsets >= `offset` (whole batches); returns bytes removed.
  // Equivalent to truncate_at(truncation_position(offset), offset).
  absl::StatusOr<uint64_t> truncate_to(int64_t offset);
  // Where truncate_to(offset) would cut (reads only: fails without changing anything).
  absl::StatusOr<uint64_t> truncation_position(int64_t offset) const;
  // Cuts the file at `position` (a batch boundary found by truncation_position), drops index
  // entries >= `offset` and recomputes the tail state (next offset, max timestamp).
  absl::StatusOr<uint64_t> truncate_at(uint64_t position, int64_t offset);
  // No longer the active segment: a final time-index entry for the max timestamp, indexes
  // trimmed to their entries (and the log file released for writing).
  absl::Status seal();
  // Renames the three files from suffix `from` to suffix `to` (".cleaned" → ".swap" → "").
  absl::Status rename_suffix(const std::string& from, const std::string& to);
  // Deletes the three files (open FileSlices keep the log file readable).
  absl::Status remove_files();
  // Syncs log and indexes now (the cleaner's segment before replace_segments).
  absl::Status sync();
  // Files a FlushTicket syncs; the log file is null once sealed and synced.
  std::shared_ptr<WritableFile> log_file() const { return writable_; }
  std::shared_ptr<MappedIndex> offset_index_file() const;
  std::shared_ptr<MappedIndex> time_index_file() const;
  // Synced since its last change: a FlushTicket can skip it. version() counts changes, so a
  // flush marks the segment clean only if nothing changed after the ticket was prepared.
  bool clean() const { return clean_; }
  void set_clean(bool clean) { clean_ = clean; }
  uint64_t version() const { return version_; }
  // Drops the append handle of a sealed segment once it is durable.
  void release_writer();
  absl::Status close();

 private:
  LogSegment(Env* env, std::string dir, int64_t base_offset, const LogConfig& config,
             std::string suffix);
  absl::Status ensure_indexes() const;
  // Opens the index files and checks them against the segment; false: rebuild them.
  absl::StatusOr<bool> open_indexes_checked() const;
  // Replaces the index files by empty ones at full size and forgets the derived state.
  absl::Status reset_indexes() const;
  absl::Status rebuild_indexes() const;
  void index_batch(const BatchMeta& batch, uint64_t position) const;
  absl::StatusOr<uint64_t> position_of_first_batch_at_or_after(int64_t offset,
                                                               int64_t* found_base) const;

  Env* env_;
  std::string dir_;
  int64_t base_offset_;
  LogConfig config_;
  std::string suffix_;
  std::string log_path_;
  std::shared_ptr<WritableFile> writable_;
  std::shared_ptr<const RandomAccessFile> readable_;
  // The indexes and the state derived with them from the batches: lazily opened (and rebuilt
  // when damaged) by const reads of a sealed segment, hence mutable.
  mutable std::unique_ptr<OffsetIndex> offset_index_;
  mutable std::unique_ptr<TimeIndex> time_index_;
  mutable int64_t max_timestamp_ = -1;
  mutable int64_t offset_of_max_timestamp_ = -1;
  mutable uint64_t bytes_since_index_entry_ = 0;
  uint64_t size_ = 0;
  int64_t next_offset_ = 0;
  int64_t first_batch_time_ms_ = -1;
  uint64_t version_ = 0;
  bool active_ = false;
  bool clean_ = false;
};

}  // namespace keel::storage
