// File: storage/compaction/segment_rewriter.h
// Second half of a cleaning round, for one group of consecutive segments: every batch goes
// through filter_batch and what remains is written, in offset order, into one cleaned segment
// (Log::create_cleaned_segment) that will replace the whole group.
//
// Groups are formed as the output grows: the next segment joins the group while the cleaned
// output so far plus that segment's size fits segment.bytes and the group's offsets stay
// within the int32 range of one segment's relative offsets. Segments shrunk by cleaning are
// thereby merged in the same pass instead of accumulating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/compaction/batch_filter.h"
#include "storage/log.h"
#include "storage/log_config.h"
#include "storage/log_segment.h"

namespace keel::storage::compaction {

struct GroupResult {
  // The sealed cleaned segment to replace the group with; null when the group is one segment
  // whose batches all stay byte for byte (nothing was written then).
  std::unique_ptr<LogSegment> segment;
  size_t segments_consumed = 0;  // the group is the first this many segments
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  int64_t min_delete_horizon = -1;  // smallest horizon of a kept batch holding tombstones
  FilterStats stats;
};

// Forms the group starting at segments[0] (consecutive, non-active, at least one) and writes
// its cleaned batches into a new cleaned segment of `log` based at the group's first offset.
// The segment is created at the first change (until then the output is a prefix of the input,
// copied only if a change follows). The output is never empty when the input had a batch: if
// nothing is left, an empty batch stands for the group's last batch (offsets and max
// timestamp stay known to the log and to retention). On error the cleaned files are removed.
absl::StatusOr<GroupResult> rewrite_next_group(std::span<const SegmentInfo> segments,
                                               const CleanPolicy& policy, uint64_t segment_bytes,
                                               size_t buffer_bytes, Log& log);

}  // namespace keel::storage::compaction
