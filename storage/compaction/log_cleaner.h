// File: storage/compaction/log_cleaner.h
// Compaction of one partition log (cleanup.policy=compact or compact,delete): keeps, for every
// key, only its latest record; removes tombstones delete.retention.ms after the pass that first
// cleaned them (the batch's delete horizon); never touches the active segment, records above
// the high watermark or segments younger than min.compaction.lag.ms (cleanable_range.h).
// Offsets never change: batches keep their base offsets and records their offset deltas, so
// the log just gets gaps.
//
// A pass, in rounds when the offset map (memory bounded by `buffer_bytes`) cannot hold every
// dirty key at once:
//   1. build the map of key -> latest offset over the dirty batches (map_builder.h);
//   2. rewrite every segment from the log start to the end of the mapped range, grouped
//      (segment_rewriter.h), applying the rules of batch_filter.h; a group whose bytes would
//      not change is left alone;
//   3. swap each cleaned group in with Log::replace_segments (crash-safe: after a crash the
//      group is all old or all new segments).
// For compact,delete, retention (Log::apply_retention) runs first.
//
// Thread-safety: runs on the Log's owner (it calls segments(), create_cleaned_segment() and
// replace_segments(), and no append may interleave). Moving the reading and writing to a
// cleaner thread with only the swap on the owner is the broker's later step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/status/statusor.h"
#include "storage/compaction/batch_filter.h"
#include "storage/compaction/cleanable_range.h"
#include "storage/env.h"
#include "storage/log.h"

namespace keel::storage::compaction {

struct CleanerOptions {
  // Memory for the key -> offset map (Kafka's log.cleaner.dedupe.buffer.size): 24 bytes per
  // slot, filled to 80%, so 128 MiB holds about 4.5 million keys per round. A small log only
  // allocates what its dirty offsets could need.
  size_t buffer_bytes = 128u << 20;
  // Read buffer for scanning segments (log.cleaner.io.buffer.size).
  size_t io_buffer_bytes = 1u << 20;
  // Rounds per call; 0 = until the whole dirty range is cleaned.
  int max_rounds = 0;
  // Where the previous pass stopped (CleanResult::first_dirty_offset); -1 = unknown, the
  // whole log counts as dirty.
  int64_t first_dirty_offset = -1;
  // For compact,delete: apply time/size retention before cleaning.
  bool apply_retention = true;
  // Bound on one batch's decompressed records.
  size_t max_decompressed_bytes = 256u << 20;
  // The SipHash key (tests); unset = random per call.
  std::optional<std::pair<uint64_t, uint64_t>> hash_key;
};

struct CleanResult {
  CleanableRange range;                 // at the start of the pass
  int64_t first_dirty_offset = 0;       // pass this to the next call
  int64_t next_delete_horizon_ms = -1;  // earliest horizon of a kept tombstone batch; -1: none
  int rounds = 0;
  int groups_replaced = 0;
  int segments_replaced = 0;
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  size_t map_bytes = 0;
  FilterStats stats;
  RetentionResult retention;
};

// Cleans `log` once (see the file comment). FAILED_PRECONDITION when the log's
// cleanup.policy has no compact; ResourceExhausted when one batch holds more records than the
// map fits; storage errors from reading or swapping segments (groups swapped before the error
// stay swapped; the log remains consistent).
absl::StatusOr<CleanResult> clean_log(Log& log, Clock& clock, const CleanerOptions& options);

}  // namespace keel::storage::compaction
