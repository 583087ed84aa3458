#include "storage/append_validator.h"

#include <algorithm>

#include "protocol/error_code.h"
#include "protocol/records/batch_iterator.h"
#include "protocol/records/batch_records.h"
#include "protocol/records/crc32c.h"
#include "protocol/status.h"
#include "storage/coding.h"

namespace keel::storage {
namespace {

using protocol::ErrorCode;
using protocol::kafka_error;
namespace layout = protocol::batch_layout;

// Attribute bits Kafka defines (codec, timestamp type, transactional, control, delete horizon).
constexpr int16_t kKnownAttributes = 0x7f;
// Decompression bound for record validation: far above any batch a producer builds (clients
// cap batches near max.message.bytes before compression), far below what a small "bomb" batch
// could inflate to.
constexpr size_t kMinDecompressLimit = 64ull << 20;

// Reads every record of a client batch, decompressing when needed: the declared record count
// must match the records present, offset deltas must run 0..n-1 and match lastOffsetDelta, each
// record (headers included) must parse within its length, and compacted topics need keys. A batch
// that passes cannot break a consumer. Kafka validates client batches the same way.
absl::Status check_records(std::span<const uint8_t> batch, const protocol::RecordBatchHeader& h,
                           const LogConfig& config) {
  if (h.record_count <= 0) {
    return kafka_error(ErrorCode::kInvalidRecord, "a produced batch must hold records");
  }
  if (h.last_offset_delta != h.record_count - 1) {
    return kafka_error(ErrorCode::kInvalidRecord,
                       "batch declares " + std::to_string(h.record_count) +
                           " records but lastOffsetDelta " + std::to_string(h.last_offset_delta));
  }
  const size_t limit =
      std::max<size_t>(kMinDecompressLimit, 4 * static_cast<size_t>(config.max_message_bytes));
  KEEL_ASSIGN_OR_RETURN(auto records, protocol::BatchRecords::open(batch, limit));
  protocol::RecordReader reader = records.reader();
  protocol::RecordView record;
  int32_t index = 0;
  while (reader.next(record)) {
    if (record.offset_delta != index) {
      return kafka_error(ErrorCode::kInvalidRecord, "record " + std::to_string(index) +
                                                        " has offset delta " +
                                                        std::to_string(record.offset_delta));
    }
    if (config.cleanup_compact && !record.key.has_value()) {
      return kafka_error(ErrorCode::kInvalidRecord,
                         "Compacted topic cannot accept message without key");
    }
    ++index;
  }
  return reader.status();
}

absl::StatusOr<std::vector<ValidatedBatch>> split(protocol::RecordsView records) {
  std::vector<ValidatedBatch> batches;
  protocol::BatchIterator it(records);
  while (it.next()) {
    KEEL_ASSIGN_OR_RETURN(auto header, protocol::validate_batch(it.batch()));
    batches.push_back({it.batch(), header});
  }
  KEEL_RETURN_IF_ERROR(it.status());
  if (batches.empty()) return kafka_error(ErrorCode::kInvalidRecord, "no record batches");
  return batches;
}

}  // namespace

absl::StatusOr<std::vector<ValidatedBatch>> validate_produce(protocol::RecordsView records,
                                                             const LogConfig& config) {
  if (static_cast<int64_t>(records.size) > config.segment_bytes) {
    return kafka_error(ErrorCode::kRecordListTooLarge,
                       "records of " + std::to_string(records.size) +
                           " bytes exceed segment.bytes " + std::to_string(config.segment_bytes));
  }
  KEEL_ASSIGN_OR_RETURN(auto batches, split(records));
  for (const ValidatedBatch& b : batches) {
    KEEL_RETURN_IF_ERROR(protocol::validate_client_batch(b.header));
    if ((b.header.attributes & ~kKnownAttributes) != 0) {
      return kafka_error(ErrorCode::kInvalidRecord,
                         "unknown batch attribute bits " + std::to_string(b.header.attributes));
    }
    if (static_cast<int64_t>(b.bytes.size()) > config.max_message_bytes) {
      return kafka_error(ErrorCode::kMessageTooLarge, "batch of " + std::to_string(b.bytes.size()) +
                                                          " bytes exceeds max.message.bytes " +
                                                          std::to_string(config.max_message_bytes));
    }
    KEEL_RETURN_IF_ERROR(check_records(b.bytes, b.header, config));
  }
  return batches;
}

absl::StatusOr<std::vector<ValidatedBatch>> validate_replicated(protocol::RecordsView records,
                                                                int64_t log_end_offset) {
  KEEL_ASSIGN_OR_RETURN(auto batches, split(records));
  int64_t next = log_end_offset;
  for (const ValidatedBatch& b : batches) {
    if (b.header.last_offset_delta < 0 || b.header.base_offset < next) {
      return kafka_error(ErrorCode::kOffsetOutOfRange,
                         "replicated batch at offsets " + std::to_string(b.header.base_offset) +
                             ".." + std::to_string(b.header.last_offset()) +
                             " does not follow offset " + std::to_string(next),
                         absl::StatusCode::kFailedPrecondition);
    }
    next = b.header.last_offset() + 1;
  }
  return batches;
}

StampedHeader stamp_header(std::span<const uint8_t> batch, int64_t base_offset,
                           int32_t leader_epoch, int64_t log_append_time) {
  StampedHeader h;
  std::copy_n(batch.begin(), h.size(), h.begin());
  std::span<uint8_t> out(h);
  store_i64(out, layout::kBaseOffset, base_offset);
  store_i32(out, layout::kPartitionLeaderEpoch, leader_epoch);
  if (log_append_time >= 0) {
    const int16_t attributes =
        static_cast<int16_t>(((out[layout::kAttributes] << 8) | out[layout::kAttributes + 1]) |
                             protocol::batch_attr::kLogAppendTime);
    store_i16(out, layout::kAttributes, attributes);
    store_i64(out, layout::kMaxTimestamp, log_append_time);
    uint32_t crc = protocol::crc32c(out.subspan(layout::kAttributes));
    crc = protocol::crc32c_extend(crc, batch.subspan(layout::kHeaderSize));
    store_u32(out, layout::kCrc, crc);
  }
  return h;
}

}  // namespace keel::storage
