#include "storage/compaction/cleanable_range.h"

#include <algorithm>

namespace keel::storage::compaction {

CleanableRange cleanable_range(const Log& log, std::span<const SegmentInfo> segments,
                               int64_t now_ms, int64_t first_dirty_offset) {
  CleanableRange r;
  r.log_start_offset = log.log_start_offset();
  const int64_t dirty_from = std::max(first_dirty_offset, r.log_start_offset);
  const int64_t lag = log.config().min_compaction_lag_ms;
  const int64_t hw = log.high_watermark();
  int64_t uncleanable = log.log_end_offset();
  for (const SegmentInfo& seg : segments) {
    const bool too_young =
        seg.end_offset > dirty_from && lag > 0 && seg.max_timestamp > now_ms - lag;
    if (seg.active || seg.end_offset > hw || too_young) {
      uncleanable = seg.base_offset;
      break;
    }
  }
  r.first_uncleanable_offset = uncleanable;
  r.first_dirty_offset = std::min(dirty_from, uncleanable);
  for (const SegmentInfo& seg : segments) {
    if (seg.base_offset >= r.first_uncleanable_offset) break;
    if (seg.end_offset <= r.first_dirty_offset) {
      r.clean_bytes += seg.size_bytes;
    } else {
      r.dirty_bytes += seg.size_bytes;
    }
  }
  return r;
}

}  // namespace keel::storage::compaction
