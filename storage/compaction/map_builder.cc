#include "storage/compaction/map_builder.h"

#include "protocol/error_code.h"
#include "protocol/records/batch_records.h"
#include "protocol/status.h"
#include "storage/batch_scanner.h"

namespace keel::storage::compaction {

absl::StatusOr<MapBuildResult> build_offset_map(std::span<const SegmentInfo> segments, int64_t from,
                                                int64_t to, const ProducerIndex& producers,
                                                const KeyHasher& hasher, size_t max_decompressed,
                                                size_t buffer_bytes, KeyOffsetMap* map) {
  MapBuildResult result;
  result.end_offset = from;
  for (const SegmentInfo& seg : segments) {
    if (seg.end_offset <= from) continue;
    if (seg.base_offset >= to) break;
    BatchScanner scanner(*seg.file, 0, seg.size_bytes, buffer_bytes);
    while (true) {
      KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, scanner.next());
      if (step == BatchScanner::Step::kEnd) break;
      if (step == BatchScanner::Step::kCorrupt) {
        return protocol::kafka_error(
            protocol::ErrorCode::kKafkaStorageError,
            "cleaner: segment " + seg.log_path + " is corrupt: " + scanner.problem(),
            absl::StatusCode::kDataLoss);
      }
      const protocol::RecordBatchHeader& h = scanner.header();
      if (h.last_offset() < from) continue;
      if (h.base_offset >= to) return result;
      result.bytes_read += scanner.batch_size();
      const TxnOutcome txn = producers.outcome(h);
      const bool maps_records =
          !h.is_control() && h.record_count > 0 &&
          (txn == TxnOutcome::kNotTransactional || txn == TxnOutcome::kCommitted);
      if (maps_records) {
        if (map->free() < static_cast<size_t>(h.record_count)) {
          if (result.end_offset == from) {
            return absl::ResourceExhaustedError(
                "cleaner: a batch of " + std::to_string(h.record_count) +
                " records does not fit the offset map of " + std::to_string(map->capacity()) +
                " keys; raise the cleaner buffer");
          }
          return result;
        }
        KEEL_ASSIGN_OR_RETURN(auto bytes, scanner.batch());
        KEEL_RETURN_IF_ERROR(protocol::validate_batch(bytes).status());
        KEEL_ASSIGN_OR_RETURN(auto records, protocol::BatchRecords::open(bytes, max_decompressed));
        protocol::RecordReader reader = records.reader();
        protocol::RecordView record;
        while (reader.next(record)) {
          if (!record.key.has_value()) continue;
          (void)map->put(hasher(*record.key), h.base_offset + record.offset_delta);
          ++result.records;
        }
        KEEL_RETURN_IF_ERROR(reader.status());
      }
      result.end_offset = h.last_offset() + 1;
    }
    // A gap after the segment's last batch (cleaned away) belongs to the round too.
    if (seg.end_offset <= to) result.end_offset = std::max(result.end_offset, seg.end_offset);
  }
  return result;
}

}  // namespace keel::storage::compaction
