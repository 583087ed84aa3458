// File: protocol/records/control_record.h
// Control records: the transaction markers (commit/abort) a broker writes in control batches.
// Key = int16 version + int16 type; value (for commit/abort) = int16 version + int32
// coordinator epoch.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "protocol/records/record_reader.h"
#include "protocol/wire/types.h"

namespace keel::protocol {

enum class ControlRecordType : int16_t { kAbort = 0, kCommit = 1 };

struct EndTxnMarker {
  ControlRecordType type = ControlRecordType::kCommit;
  int32_t coordinator_epoch = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int64_t timestamp = 0;
  int64_t base_offset = 0;
  int32_t partition_leader_epoch = -1;
};

// A control batch (transactional + control attributes, baseSequence -1) with one marker record.
absl::StatusOr<Bytes> build_end_txn_marker_batch(const EndTxnMarker& marker);

struct ControlRecord {
  int16_t type = 0;                // a ControlRecordType for markers; KRaft defines others
  int32_t coordinator_epoch = -1;  // set for commit/abort only
};

// Decodes a record of a control batch. INVALID_RECORD if the key (or a marker's value) is short
// or carries a negative version.
absl::StatusOr<ControlRecord> parse_control_record(const RecordView& record);

}  // namespace keel::protocol
