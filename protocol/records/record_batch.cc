#include "protocol/records/record_batch.h"

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"
#include "protocol/records/byte_order.h"
#include "protocol/records/crc32c.h"
#include "protocol/status.h"
#include "protocol/wire/reader.h"

namespace keel::protocol {
namespace {

using records_internal::store_be;

absl::Status magic_error(int8_t magic) {
  if (magic == 0 || magic == 1) {
    return kafka_error(ErrorCode::kInvalidRecord,
                       absl::StrCat("legacy message format (magic ", static_cast<int>(magic),
                                    ") is not supported: only record batches with magic 2"));
  }
  return kafka_error(
      ErrorCode::kInvalidRecord,
      absl::StrCat("unknown record batch magic ", static_cast<int>(magic), " (expected 2)"));
}

}  // namespace

absl::StatusOr<RecordBatchHeader> parse_batch_header(std::span<const uint8_t> bytes) {
  if (bytes.size() < batch_layout::kHeaderSize) {
    return kafka_error(ErrorCode::kCorruptMessage,
                       absl::StrCat("record batch of ", bytes.size(),
                                    " bytes is shorter than the 61-byte header"));
  }
  Reader r(bytes.first(batch_layout::kHeaderSize));
  RecordBatchHeader h;
  h.base_offset = r.read_int64();
  h.batch_length = r.read_int32();
  h.partition_leader_epoch = r.read_int32();
  h.magic = r.read_int8();
  h.crc = r.read_uint32();
  h.attributes = r.read_int16();
  h.last_offset_delta = r.read_int32();
  h.base_timestamp = r.read_int64();
  h.max_timestamp = r.read_int64();
  h.producer_id = r.read_int64();
  h.producer_epoch = r.read_int16();
  h.base_sequence = r.read_int32();
  h.record_count = r.read_int32();
  return h;  // 61 bytes were there, so no read failed
}

absl::StatusOr<RecordBatchHeader> validate_batch(std::span<const uint8_t> batch) {
  // Magic first, so a legacy message (which can be shorter than 61 bytes) gets the clear error.
  if (batch.size() <= batch_layout::kMagic) {
    return kafka_error(ErrorCode::kCorruptMessage,
                       absl::StrCat("record batch truncated at ", batch.size(), " bytes"));
  }
  const int8_t magic = static_cast<int8_t>(batch[batch_layout::kMagic]);
  if (magic != kRecordBatchMagic) return magic_error(magic);

  KEEL_ASSIGN_OR_RETURN(RecordBatchHeader h, parse_batch_header(batch));
  if (h.batch_length < batch_layout::kMinBatchLength) {
    return kafka_error(ErrorCode::kCorruptMessage,
                       absl::StrCat("batchLength ", h.batch_length, " is below the minimum ",
                                    batch_layout::kMinBatchLength));
  }
  if (h.size_in_bytes() != batch.size()) {
    return kafka_error(
        ErrorCode::kCorruptMessage,
        absl::StrCat("batchLength ", h.batch_length, " does not match the ",
                     batch.size() - batch_layout::kLogOverhead, " bytes that follow it"));
  }
  const uint32_t computed = compute_batch_crc(batch);
  if (computed != h.crc) {
    return kafka_error(ErrorCode::kCorruptMessage,
                       absl::StrCat("record batch is corrupt (stored crc = ", h.crc,
                                    ", computed crc = ", computed, ")"));
  }
  if (h.compression_id() > batch_attr::kMaxCompressionId) {
    return kafka_error(ErrorCode::kUnsupportedCompressionType,
                       absl::StrCat("unknown compression codec id ", h.compression_id()));
  }
  if (h.record_count < 0) {
    return kafka_error(ErrorCode::kInvalidRecord,
                       absl::StrCat("invalid record count ", h.record_count));
  }
  return h;
}

absl::Status validate_client_batch(const RecordBatchHeader& h) {
  // lastOffsetDelta + 1 in 64 bits: a hostile INT32_MAX must not overflow.
  const int64_t count_from_offsets = static_cast<int64_t>(h.last_offset_delta) + 1;
  if (count_from_offsets <= 0) {
    return kafka_error(
        ErrorCode::kInvalidRecord,
        absl::StrCat("batch has an invalid offset range: lastOffsetDelta ", h.last_offset_delta));
  }
  if (h.record_count <= 0) {
    return kafka_error(ErrorCode::kInvalidRecord,
                       absl::StrCat("invalid reported count for record batch: ", h.record_count));
  }
  if (count_from_offsets != h.record_count) {
    return kafka_error(ErrorCode::kInvalidRecord,
                       absl::StrCat("inconsistent batch: lastOffsetDelta ", h.last_offset_delta,
                                    " with ", h.record_count, " records"));
  }
  if (h.is_control()) {
    return kafka_error(ErrorCode::kInvalidRecord,
                       "clients are not allowed to write control records");
  }
  if (h.has_producer_id() && h.base_sequence < 0) {
    return kafka_error(ErrorCode::kInvalidRecord,
                       absl::StrCat("invalid sequence number ", h.base_sequence,
                                    " in record batch with producerId ", h.producer_id));
  }
  return absl::OkStatus();
}

uint32_t compute_batch_crc(std::span<const uint8_t> batch) {
  if (batch.size() < batch_layout::kAttributes) return 0;
  return crc32c(batch.subspan(batch_layout::kAttributes));
}

absl::Status set_base_offset(std::span<uint8_t> batch, int64_t base_offset) {
  if (batch.size() < batch_layout::kHeaderSize) {
    return kafka_error(ErrorCode::kCorruptMessage, "cannot stamp a batch shorter than its header");
  }
  store_be(batch, batch_layout::kBaseOffset, base_offset);
  return absl::OkStatus();
}

absl::Status set_partition_leader_epoch(std::span<uint8_t> batch, int32_t epoch) {
  if (batch.size() < batch_layout::kHeaderSize) {
    return kafka_error(ErrorCode::kCorruptMessage, "cannot stamp a batch shorter than its header");
  }
  store_be(batch, batch_layout::kPartitionLeaderEpoch, epoch);
  return absl::OkStatus();
}

absl::Status set_log_append_time(std::span<uint8_t> batch, int64_t timestamp) {
  KEEL_ASSIGN_OR_RETURN(RecordBatchHeader h, parse_batch_header(batch));
  const int16_t attributes = static_cast<int16_t>(h.attributes | batch_attr::kLogAppendTime);
  store_be(batch, batch_layout::kAttributes, attributes);
  store_be(batch, batch_layout::kMaxTimestamp, timestamp);
  store_be(batch, batch_layout::kCrc, compute_batch_crc(batch));
  return absl::OkStatus();
}

}  // namespace keel::protocol
