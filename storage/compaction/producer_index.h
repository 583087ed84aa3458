// File: storage/compaction/producer_index.h
// What the cleaner must know about producers, from the batch headers of the whole log:
//   - how each transaction ended: the first commit/abort marker of the same producer id after
//     a transactional batch decides it (none yet: the transaction is still open);
//   - the last data batch of each producer id, which is kept (as an empty batch if all its
//     records go) so the producer's last sequence and epoch survive cleaning, as Kafka does.
// Built once per clean_log call by reading every segment's batches (headers, plus the records
// of control batches).
//
// Thread-safety: immutable after build().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/records/record_batch.h"
#include "storage/log.h"

namespace keel::storage::compaction {

enum class TxnOutcome { kNotTransactional, kCommitted, kAborted, kOpen };

class ProducerIndex {
 public:
  // Scans `segments` (a Log::segments() snapshot, oldest first) with reads of `buffer_bytes`.
  // KAFKA_STORAGE_ERROR / DataLoss when a segment does not parse.
  static absl::StatusOr<ProducerIndex> build(std::span<const SegmentInfo> segments,
                                             size_t buffer_bytes);

  // For a data batch: kNotTransactional unless the transactional bit is set.
  TxnOutcome outcome(const protocol::RecordBatchHeader& h) const;
  // True for the last non-control batch of h's producer id in the log.
  bool is_last_batch(const protocol::RecordBatchHeader& h) const;

 private:
  struct Producer {
    std::vector<std::pair<int64_t, bool>> markers;  // (offset, committed), ascending
    int64_t last_data_base = -1;
  };
  std::unordered_map<int64_t, Producer> producers_;
};

}  // namespace keel::storage::compaction
