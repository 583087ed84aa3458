// File: storage/compaction/cleanable_range.h
// Which part of a compacted log the cleaner may touch, and how dirty it is (Kafka's
// LogCleanerManager arithmetic):
//
//   log start ... first dirty offset ........ first uncleanable offset ... log end
//   |--- clean (cleaned before) ---|--- dirty ---|--- never touched ------------|
//
// The first uncleanable offset is the lowest of: the active segment's base; the base of the
// segment holding the high watermark (records above it may still be truncated away by
// replication, and must not shadow committed ones); the base of the first dirty segment whose
// newest record is younger than min.compaction.lag.ms. It is always a segment boundary.
// The dirty ratio is dirty bytes / (clean + dirty bytes), segments counted whole; the segment
// holding the first dirty offset counts as dirty.
#pragma once

#include <cstdint>
#include <span>

#include "storage/log.h"

namespace keel::storage::compaction {

struct CleanableRange {
  int64_t log_start_offset = 0;
  int64_t first_dirty_offset = 0;
  int64_t first_uncleanable_offset = 0;
  uint64_t clean_bytes = 0;
  uint64_t dirty_bytes = 0;

  double dirty_ratio() const {
    const uint64_t total = clean_bytes + dirty_bytes;
    return total == 0 ? 0.0 : static_cast<double>(dirty_bytes) / static_cast<double>(total);
  }
};

// `segments` is log.segments(); `first_dirty_offset` is where the previous clean stopped
// (-1 when unknown: the whole log is dirty), clamped into [log start, first uncleanable].
CleanableRange cleanable_range(const Log& log, std::span<const SegmentInfo> segments,
                               int64_t now_ms, int64_t first_dirty_offset);

}  // namespace keel::storage::compaction
