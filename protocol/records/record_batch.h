// File: protocol/records/record_batch.h
// The Kafka record batch (magic 2): header layout, parsing, validation that never touches the
// records, and in-place stamping of the fields a broker assigns.
//
// Error codes follow what Kafka answers a producer:
//   CORRUPT_MESSAGE          lengths inconsistent with the buffer, truncation, CRC mismatch
//                            (Kafka's CorruptRecordException);
//   INVALID_RECORD           magic other than 2 (Kafka's ProduceRequest.validateRecords rejects
//                            non-v2 batches on Produce v3+ with InvalidRecordException, code 87;
//                            UNSUPPORTED_FOR_MESSAGE_FORMAT is not what it sends), negative record
//                            count, and the client-batch checks of validate_client_batch
//                            (LogValidator.validateBatch);
//   UNSUPPORTED_COMPRESSION_TYPE  codec ids 5-7, which no Kafka version defines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace keel::protocol {

// Byte offsets of the v2 batch header fields.
namespace batch_layout {
inline constexpr size_t kBaseOffset = 0;
inline constexpr size_t kBatchLength = 8;
inline constexpr size_t kPartitionLeaderEpoch = 12;
inline constexpr size_t kMagic = 16;
inline constexpr size_t kCrc = 17;
inline constexpr size_t kAttributes = 21;  // the CRC covers from here to the end of the batch
inline constexpr size_t kLastOffsetDelta = 23;
inline constexpr size_t kBaseTimestamp = 27;
inline constexpr size_t kMaxTimestamp = 35;
inline constexpr size_t kProducerId = 43;
inline constexpr size_t kProducerEpoch = 51;
inline constexpr size_t kBaseSequence = 53;
inline constexpr size_t kRecordCount = 57;
inline constexpr size_t kRecords = 61;

inline constexpr size_t kHeaderSize = 61;
// baseOffset + batchLength: the bytes not counted by batchLength.
inline constexpr size_t kLogOverhead = 12;
// The smallest valid batchLength: a header with no records.
inline constexpr int32_t kMinBatchLength = static_cast<int32_t>(kHeaderSize - kLogOverhead);
}  // namespace batch_layout

inline constexpr int8_t kRecordBatchMagic = 2;

enum class Compression : uint8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

// Attribute bits of the batch header.
namespace batch_attr {
inline constexpr int16_t kCompressionMask = 0x07;
inline constexpr int16_t kLogAppendTime = 0x08;  // else CreateTime
inline constexpr int16_t kTransactional = 0x10;
inline constexpr int16_t kControl = 0x20;
inline constexpr int16_t kDeleteHorizon = 0x40;  // compaction: baseTimestamp is the horizon
inline constexpr int16_t kMaxCompressionId = 4;
}  // namespace batch_attr

struct RecordBatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = -1;
  int8_t magic = kRecordBatchMagic;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = -1;
  int64_t base_timestamp = -1;
  int64_t max_timestamp = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  // Whole batch size, header included. Meaningful once batch_length was checked (>= 49).
  size_t size_in_bytes() const {
    return batch_layout::kLogOverhead + static_cast<uint32_t>(batch_length);
  }
  int compression_id() const { return attributes & batch_attr::kCompressionMask; }
  // Only meaningful when compression_id() <= 4, which validate_batch guarantees.
  Compression compression() const { return static_cast<Compression>(compression_id()); }
  bool is_compressed() const { return compression_id() != 0; }
  bool is_log_append_time() const { return (attributes & batch_attr::kLogAppendTime) != 0; }
  bool is_transactional() const { return (attributes & batch_attr::kTransactional) != 0; }
  bool is_control() const { return (attributes & batch_attr::kControl) != 0; }
  bool has_delete_horizon() const { return (attributes & batch_attr::kDeleteHorizon) != 0; }
  bool has_producer_id() const { return producer_id >= 0; }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
};

// Reads the header fields of the batch at the start of `bytes`. Checks only that 61 bytes are
// there (CORRUPT_MESSAGE otherwise); magic, lengths and CRC are validate_batch's job.
absl::StatusOr<RecordBatchHeader> parse_batch_header(std::span<const uint8_t> bytes);

// Checks that `batch` is exactly one well-formed v2 batch: magic 2, batchLength >= 49 and equal
// to the buffer size minus 12, CRC-32C over attributes..end, a defined codec, recordCount >= 0.
// Reads only the header and the CRC'd bytes, never parses records. Returns the header.
absl::StatusOr<RecordBatchHeader> validate_batch(std::span<const uint8_t> batch);

// The checks Kafka's LogValidator adds for batches appended by a producer (INVALID_RECORD):
// recordCount > 0 and equal to lastOffsetDelta + 1, not a control batch, and a non-negative
// baseSequence when a producer id is set. For a header that validate_batch accepted.
absl::Status validate_client_batch(const RecordBatchHeader& header);

// Stamp the fields outside the CRC in place; the CRC stays valid. Fail (CORRUPT_MESSAGE) only
// when `batch` is shorter than the header.
absl::Status set_base_offset(std::span<uint8_t> batch, int64_t base_offset);
absl::Status set_partition_leader_epoch(std::span<uint8_t> batch, int32_t epoch);

// Marks the batch LogAppendTime with `timestamp` as maxTimestamp, as a broker does for topics
// with message.timestamp.type=LogAppendTime. Both fields are inside the CRC, which is
// recomputed, so the batch must be whole (validate it first).
absl::Status set_log_append_time(std::span<uint8_t> batch, int64_t timestamp);

// The CRC-32C a batch should carry: over bytes 21..end (0 when `batch` is shorter than that).
uint32_t compute_batch_crc(std::span<const uint8_t> batch);

}  // namespace keel::protocol
