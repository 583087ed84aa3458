// File: storage/compaction/map_builder.h
// First half of a cleaning round: reads the dirty batches from `from` on and records, for
// each key, its latest offset in the map. Stops at the first batch that might not fit
// (free() < its record count) or at `to`, always at a batch boundary, so that every record
// below the returned end offset is in the map and none above it is.
//
// Skipped (never shadow anything): control batches, batches of aborted or still-open
// transactions, keyless records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "absl/status/statusor.h"
#include "storage/compaction/key_hash.h"
#include "storage/compaction/offset_map.h"
#include "storage/compaction/producer_index.h"
#include "storage/log.h"

namespace keel::storage::compaction {

struct MapBuildResult {
  int64_t end_offset = 0;  // the round covers offsets below this
  uint64_t bytes_read = 0;
  int64_t records = 0;
};

// `segments`: a Log::segments() snapshot; only those holding offsets in [from, to) are read.
// ResourceExhausted when the very first batch does not fit an empty map (budget too small).
absl::StatusOr<MapBuildResult> build_offset_map(std::span<const SegmentInfo> segments, int64_t from,
                                                int64_t to, const ProducerIndex& producers,
                                                const KeyHasher& hasher, size_t max_decompressed,
                                                size_t buffer_bytes, KeyOffsetMap* map);

}  // namespace keel::storage::compaction
