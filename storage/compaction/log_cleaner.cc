#include "storage/compaction/log_cleaner.h"

#include <algorithm>
#include <vector>

#include "protocol/status.h"
#include "storage/compaction/key_hash.h"
#include "storage/compaction/map_builder.h"
#include "storage/compaction/offset_map.h"
#include "storage/compaction/producer_index.h"
#include "storage/compaction/segment_rewriter.h"

namespace keel::storage::compaction {
namespace {

void keep_earliest(int64_t horizon, int64_t* into) {
  if (horizon >= 0 && (*into < 0 || horizon < *into)) *into = horizon;
}

// One round's rewrite of every segment below `end` (all non-active and cleanable).
absl::Status rewrite_below(Log& log, int64_t end, const CleanPolicy& policy,
                           const CleanerOptions& options, CleanResult* result) {
  std::vector<SegmentInfo> segments = log.segments();
  std::vector<SegmentInfo> selected;
  for (SegmentInfo& seg : segments) {
    if (seg.active || seg.base_offset >= end) break;
    selected.push_back(std::move(seg));
  }
  std::span<const SegmentInfo> rest(selected);
  while (!rest.empty()) {
    KEEL_ASSIGN_OR_RETURN(
        GroupResult g,
        rewrite_next_group(rest, policy, static_cast<uint64_t>(log.config().segment_bytes),
                           options.io_buffer_bytes, log));
    const std::span<const SegmentInfo> group = rest.first(g.segments_consumed);
    rest = rest.subspan(g.segments_consumed);
    result->stats.add(g.stats);
    result->bytes_read += g.bytes_read;
    keep_earliest(g.min_delete_horizon, &result->next_delete_horizon_ms);
    if (!g.segment) continue;
    result->bytes_written += g.bytes_written;
    std::vector<int64_t> bases;
    for (const SegmentInfo& seg : group) bases.push_back(seg.base_offset);
    std::vector<std::unique_ptr<LogSegment>> replacement;
    replacement.push_back(std::move(g.segment));
    KEEL_RETURN_IF_ERROR(log.replace_segments(bases, std::move(replacement)));
    ++result->groups_replaced;
    result->segments_replaced += static_cast<int>(bases.size());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CleanResult> clean_log(Log& log, Clock& clock, const CleanerOptions& options) {
  if (!log.config().cleanup_compact) {
    return absl::FailedPreconditionError("log " + log.dir() +
                                         " is not compacted (cleanup.policy has no compact)");
  }
  CleanResult result;
  if (log.config().cleanup_delete && options.apply_retention) {
    KEEL_ASSIGN_OR_RETURN(result.retention, log.apply_retention());
  }
  const int64_t now = clock.now_ms();
  const KeyHasher hasher = options.hash_key
                               ? KeyHasher(options.hash_key->first, options.hash_key->second)
                               : KeyHasher::random();
  std::vector<SegmentInfo> segments = log.segments();
  result.range = cleanable_range(log, segments, now, options.first_dirty_offset);
  const CleanableRange& range = result.range;
  KEEL_ASSIGN_OR_RETURN(ProducerIndex producers,
                        ProducerIndex::build(segments, options.io_buffer_bytes));
  segments.clear();  // release the old files early; each round takes a fresh snapshot

  // The dirty offsets bound the number of keys a round can meet.
  const int64_t dirty_offsets = range.first_uncleanable_offset - range.first_dirty_offset;
  KeyOffsetMap map(options.buffer_bytes, static_cast<size_t>(std::max<int64_t>(dirty_offsets, 0)));
  result.map_bytes = map.memory_bytes();
  CleanPolicy policy;
  policy.map = &map;
  policy.hasher = &hasher;
  policy.producers = &producers;
  policy.now_ms = now;
  policy.delete_retention_ms = log.config().delete_retention_ms;
  policy.max_decompressed = options.max_decompressed_bytes;

  int64_t first_dirty = range.first_dirty_offset;
  // One round even with nothing dirty: expired tombstones in the clean part still go.
  do {
    map.clear();
    std::vector<SegmentInfo> snapshot = log.segments();
    KEEL_ASSIGN_OR_RETURN(
        MapBuildResult built,
        build_offset_map(snapshot, first_dirty, range.first_uncleanable_offset, producers, hasher,
                         options.max_decompressed_bytes, options.io_buffer_bytes, &map));
    snapshot.clear();
    result.bytes_read += built.bytes_read;
    KEEL_RETURN_IF_ERROR(rewrite_below(log, built.end_offset, policy, options, &result));
    first_dirty = built.end_offset;
    ++result.rounds;
  } while (first_dirty < range.first_uncleanable_offset &&
           (options.max_rounds <= 0 || result.rounds < options.max_rounds));
  result.first_dirty_offset = first_dirty;
  return result;
}

}  // namespace keel::storage::compaction
