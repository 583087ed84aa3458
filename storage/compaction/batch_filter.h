// File: storage/compaction/batch_filter.h
// The record-level rules of compaction, applied to one stored batch:
//   - a record goes when the offset map holds a later offset for its key (shadowed);
//   - a tombstone (null value) that is the latest for its key stays until its batch's delete
//     horizon has passed. The horizon is set the first time a batch holding tombstones is
//     cleaned: attribute bit 6 ("delete horizon") with baseTimestamp = now +
//     delete.retention.ms, record timestamp deltas re-based on it (as Kafka does);
//   - keyless records (only possible if the topic was not always compacted) and records of
//     aborted transactions go; batches of still-open transactions and control batches stay
//     whole (markers are kept for now: dropping them needs to know when no data of the
//     transaction is left anywhere);
//   - a batch left without records is dropped, except the last batch of its producer, kept
//     as an empty batch so producer state (epoch, last sequence) survives.
// Rebuilt batches keep their base offset, lastOffsetDelta, partition leader epoch, producer
// id/epoch/base sequence and every record's offset delta and bytes; they are recompressed with
// their own codec. Batches that need no change are copied byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "absl/status/statusor.h"
#include "protocol/records/record_batch.h"
#include "protocol/wire/types.h"
#include "storage/compaction/key_hash.h"
#include "storage/compaction/offset_map.h"
#include "storage/compaction/producer_index.h"

namespace keel::storage::compaction {

// What one pass decides with (all pointers outlive the pass).
struct CleanPolicy {
  const KeyOffsetMap* map = nullptr;
  const KeyHasher* hasher = nullptr;
  const ProducerIndex* producers = nullptr;
  int64_t now_ms = 0;
  int64_t delete_retention_ms = 0;
  size_t max_decompressed = 256u << 20;
};

struct FilterStats {
  int64_t records_read = 0;
  int64_t records_kept = 0;
  int64_t shadowed_removed = 0;    // an older value of a key
  int64_t tombstones_removed = 0;  // past their delete horizon
  int64_t keyless_removed = 0;
  int64_t aborted_removed = 0;
  int64_t batches_rewritten = 0;
  int64_t batches_dropped = 0;

  void add(const FilterStats& o);
};

struct FilteredBatch {
  enum class Kind { kUnchanged, kRewritten, kDropped };
  Kind kind = Kind::kUnchanged;
  protocol::Bytes bytes;        // the new batch when kRewritten
  int64_t delete_horizon = -1;  // when the kept batch still holds tombstones, else -1
};

// Applies the rules to `batch` (validated, with header `h`). INVALID_RECORD / CORRUPT_MESSAGE
// when its records do not parse.
absl::StatusOr<FilteredBatch> filter_batch(std::span<const uint8_t> batch,
                                           const protocol::RecordBatchHeader& h,
                                           const CleanPolicy& policy, FilterStats* stats);

// A batch without records standing for `h`: same offsets, epoch, producer fields and
// timestamp type, maxTimestamp as base and max timestamp, no codec.
protocol::Bytes empty_batch_like(const protocol::RecordBatchHeader& h);

}  // namespace keel::storage::compaction
