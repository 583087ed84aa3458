#include "protocol/records/control_record.h"

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"
#include "protocol/records/record_batch_builder.h"
#include "protocol/wire/reader.h"
#include "protocol/wire/writer.h"

namespace keel::protocol {
namespace {
constexpr int16_t kKeyVersion = 0;
constexpr int16_t kMarkerValueVersion = 0;
}  // namespace

absl::StatusOr<Bytes> build_end_txn_marker_batch(const EndTxnMarker& marker) {
  Bytes key;
  Writer kw(key);
  kw.write_int16(kKeyVersion);
  kw.write_int16(static_cast<int16_t>(marker.type));
  Bytes value;
  Writer vw(value);
  vw.write_int16(kMarkerValueVersion);
  vw.write_int32(marker.coordinator_epoch);

  BatchOptions options;
  options.base_offset = marker.base_offset;
  options.partition_leader_epoch = marker.partition_leader_epoch;
  options.producer_id = marker.producer_id;
  options.producer_epoch = marker.producer_epoch;
  options.transactional = true;
  options.control = true;
  RecordBatchBuilder builder(options);
  RecordInput record;
  record.timestamp = marker.timestamp;
  record.key = key;
  record.value = value;
  builder.append(record);
  return builder.build();
}

absl::StatusOr<ControlRecord> parse_control_record(const RecordView& record) {
  if (!record.key || record.key->size() < 4) {
    return kafka_error(ErrorCode::kInvalidRecord, "control record key shorter than 4 bytes");
  }
  Reader k(*record.key);
  const int16_t key_version = k.read_int16();
  ControlRecord out;
  out.type = k.read_int16();
  if (key_version < 0) {
    return kafka_error(ErrorCode::kInvalidRecord,
                       absl::StrCat("negative control record key version ", key_version));
  }
  if (out.type != static_cast<int16_t>(ControlRecordType::kAbort) &&
      out.type != static_cast<int16_t>(ControlRecordType::kCommit)) {
    return out;
  }
  if (!record.value || record.value->size() < 6) {
    return kafka_error(ErrorCode::kInvalidRecord, "transaction marker value shorter than 6 bytes");
  }
  Reader v(*record.value);
  const int16_t value_version = v.read_int16();
  if (value_version < 0) {
    return kafka_error(ErrorCode::kInvalidRecord,
                       absl::StrCat("negative transaction marker version ", value_version));
  }
  out.coordinator_epoch = v.read_int32();
  return out;
}

}  // namespace keel::protocol
