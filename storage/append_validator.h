// File: storage/append_validator.h
// The checks a leader makes on a Produce request's batches before any byte is written
// (Kafka's LogValidator, per batch, never per record except where a feature needs it), and
// the broker-side stamping of the batch header.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/records/record_batch.h"
#include "protocol/wire/types.h"
#include "storage/log_config.h"

namespace keel::storage {

struct ValidatedBatch {
  std::span<const uint8_t> bytes;  // the batch as received
  protocol::RecordBatchHeader header;
};

// Every batch of `records`, each checked for: framing, magic, CRC, codec (validate_batch);
// the client rules of validate_client_batch; no unknown attribute bits (INVALID_RECORD); size
// <= max.message.bytes (MESSAGE_TOO_LARGE); a non-null key on every record of a compacted
// topic (INVALID_RECORD; the only check that reads records, decompressing them). The whole
// region must fit a segment (RECORD_LIST_TOO_LARGE) and hold at least one batch.
absl::StatusOr<std::vector<ValidatedBatch>> validate_produce(protocol::RecordsView records,
                                                             const LogConfig& config);

// The follower's checks: framing, magic and CRC per batch, offsets increasing within each
// batch and across batches, first batch at or after `log_end_offset`.
absl::StatusOr<std::vector<ValidatedBatch>> validate_replicated(protocol::RecordsView records,
                                                                int64_t log_end_offset);

using StampedHeader = std::array<uint8_t, protocol::batch_layout::kHeaderSize>;

// A copy of `batch`'s header with the base offset and partition leader epoch set and, when
// `log_append_time` >= 0, the LogAppendTime attribute and maxTimestamp set and the CRC
// recomputed over the new header and the unchanged records. The input is never modified.
StampedHeader stamp_header(std::span<const uint8_t> batch, int64_t base_offset,
                           int32_t leader_epoch, int64_t log_append_time);

}  // namespace keel::storage
