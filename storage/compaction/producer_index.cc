#include "storage/compaction/producer_index.h"

#include <algorithm>

#include "protocol/error_code.h"
#include "protocol/records/batch_records.h"
#include "protocol/records/control_record.h"
#include "protocol/status.h"
#include "storage/batch_scanner.h"

namespace keel::storage::compaction {
namespace {

// Control batches hold one small marker record; anything bigger is not a marker batch.
constexpr size_t kMaxControlBytes = 1 << 20;

absl::Status corrupt(const SegmentInfo& seg, const std::string& problem) {
  return protocol::kafka_error(protocol::ErrorCode::kKafkaStorageError,
                               "cleaner: segment " + seg.log_path + " is corrupt: " + problem,
                               absl::StatusCode::kDataLoss);
}

}  // namespace

absl::StatusOr<ProducerIndex> ProducerIndex::build(std::span<const SegmentInfo> segments,
                                                   size_t buffer_bytes) {
  ProducerIndex index;
  for (const SegmentInfo& seg : segments) {
    BatchScanner scanner(*seg.file, 0, seg.size_bytes, buffer_bytes);
    while (true) {
      KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, scanner.next());
      if (step == BatchScanner::Step::kEnd) break;
      if (step == BatchScanner::Step::kCorrupt) return corrupt(seg, scanner.problem());
      const protocol::RecordBatchHeader& h = scanner.header();
      if (!h.has_producer_id()) continue;
      Producer& p = index.producers_[h.producer_id];
      if (!h.is_control()) {
        p.last_data_base = h.base_offset;
        continue;
      }
      KEEL_ASSIGN_OR_RETURN(auto bytes, scanner.batch());
      KEEL_ASSIGN_OR_RETURN(auto records, protocol::BatchRecords::open(bytes, kMaxControlBytes));
      protocol::RecordReader reader = records.reader();
      protocol::RecordView record;
      while (reader.next(record)) {
        absl::StatusOr<protocol::ControlRecord> control = protocol::parse_control_record(record);
        if (!control.ok()) continue;  // not a transaction marker: irrelevant here
        const auto type = static_cast<protocol::ControlRecordType>(control->type);
        if (type != protocol::ControlRecordType::kCommit &&
            type != protocol::ControlRecordType::kAbort) {
          continue;
        }
        p.markers.emplace_back(h.base_offset + record.offset_delta,
                               type == protocol::ControlRecordType::kCommit);
      }
      KEEL_RETURN_IF_ERROR(reader.status());
    }
  }
  return index;
}

TxnOutcome ProducerIndex::outcome(const protocol::RecordBatchHeader& h) const {
  if (!h.is_transactional() || h.is_control()) return TxnOutcome::kNotTransactional;
  auto it = producers_.find(h.producer_id);
  if (it == producers_.end()) return TxnOutcome::kOpen;
  const auto& markers = it->second.markers;
  auto m = std::upper_bound(
      markers.begin(), markers.end(), h.last_offset(),
      [](int64_t offset, const std::pair<int64_t, bool>& marker) { return offset < marker.first; });
  if (m == markers.end()) return TxnOutcome::kOpen;
  return m->second ? TxnOutcome::kCommitted : TxnOutcome::kAborted;
}

bool ProducerIndex::is_last_batch(const protocol::RecordBatchHeader& h) const {
  if (!h.has_producer_id()) return false;
  auto it = producers_.find(h.producer_id);
  return it != producers_.end() && it->second.last_data_base == h.base_offset;
}

}  // namespace keel::storage::compaction
