// Header parsing, validate_batch, validate_client_batch and in-place stamping.
#include "protocol/records/record_batch.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/records/byte_order.h"
#include "protocol/records/crc32c.h"
#include "protocol/records/record_batch_builder.h"
#include "tests/unit/records/records_test_util.h"

namespace keel::protocol {
namespace {

using records_internal::store_be;
using testing::code_of;
using testing::view_of;

Bytes sample_batch(Compression codec = Compression::kNone, int records = 3) {
  BatchOptions options;
  options.compression = codec;
  options.producer_id = 1000;
  options.producer_epoch = 2;
  options.base_sequence = 17;
  RecordBatchBuilder builder(options);
  for (int i = 0; i < records; ++i) {
    RecordInput r;
    r.timestamp = 1700000000000 + i;
    std::string value = "value-" + std::to_string(i);
    r.value = view_of(value);
    builder.append(r);
  }
  absl::StatusOr<Bytes> batch = builder.build();
  EXPECT_TRUE(batch.ok()) << batch.status();
  return *batch;
}

// Rewrites the CRC so that only the field under test is wrong.
void fix_crc(Bytes& batch) {
  store_be(std::span<uint8_t>(batch), batch_layout::kCrc, compute_batch_crc(batch));
}

TEST(RecordBatch, HeaderFieldsRoundTrip) {
  Bytes batch = sample_batch();
  absl::StatusOr<RecordBatchHeader> h = validate_batch(batch);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->base_offset, 0);
  EXPECT_EQ(h->size_in_bytes(), batch.size());
  EXPECT_EQ(h->magic, 2);
  EXPECT_EQ(h->last_offset_delta, 2);
  EXPECT_EQ(h->record_count, 3);
  EXPECT_EQ(h->base_timestamp, 1700000000000);
  EXPECT_EQ(h->max_timestamp, 1700000000002);
  EXPECT_EQ(h->producer_id, 1000);
  EXPECT_EQ(h->producer_epoch, 2);
  EXPECT_EQ(h->base_sequence, 17);
  EXPECT_EQ(h->compression(), Compression::kNone);
  EXPECT_FALSE(h->is_transactional());
  EXPECT_FALSE(h->is_control());
  EXPECT_EQ(h->crc, crc32c(std::span<const uint8_t>(batch).subspan(21)));
  EXPECT_TRUE(validate_client_batch(*h).ok());
}

TEST(RecordBatch, CrcMismatchIsCorruptMessage) {
  Bytes batch = sample_batch();
  batch.back() ^= 0x01;  // inside the records: covered by the CRC
  absl::StatusOr<RecordBatchHeader> h = validate_batch(batch);
  EXPECT_EQ(code_of(h.status()), ErrorCode::kCorruptMessage);
  EXPECT_NE(h.status().message().find("crc"), std::string::npos) << h.status();

  Bytes bad_field = sample_batch();
  bad_field[batch_layout::kCrc] ^= 0x80;
  EXPECT_EQ(code_of(validate_batch(bad_field).status()), ErrorCode::kCorruptMessage);

  Bytes bad_attributes = sample_batch();
  bad_attributes[batch_layout::kAttributes + 1] ^= 0x10;  // flips the transactional bit
  EXPECT_EQ(code_of(validate_batch(bad_attributes).status()), ErrorCode::kCorruptMessage);
}

TEST(RecordBatch, FieldsOutsideTheCrcDoNotBreakIt) {
  Bytes batch = sample_batch();
  ASSERT_TRUE(set_base_offset(batch, 123456789012).ok());
  ASSERT_TRUE(set_partition_leader_epoch(batch, 42).ok());
  absl::StatusOr<RecordBatchHeader> h = validate_batch(batch);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->base_offset, 123456789012);
  EXPECT_EQ(h->partition_leader_epoch, 42);
  EXPECT_EQ(h->last_offset(), 123456789014);

  Bytes tiny(20);
  EXPECT_EQ(code_of(set_base_offset(tiny, 1)), ErrorCode::kCorruptMessage);
  EXPECT_EQ(code_of(set_partition_leader_epoch(tiny, 1)), ErrorCode::kCorruptMessage);
}

TEST(RecordBatch, LogAppendTimeRecomputesTheCrc) {
  Bytes batch = sample_batch();
  ASSERT_TRUE(set_log_append_time(batch, 1800000000000).ok());
  absl::StatusOr<RecordBatchHeader> h = validate_batch(batch);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_TRUE(h->is_log_append_time());
  EXPECT_EQ(h->max_timestamp, 1800000000000);
  EXPECT_EQ(h->base_timestamp, 1700000000000);
}

TEST(RecordBatch, TruncatedOrPaddedBatchIsCorrupt) {
  Bytes batch = sample_batch();
  std::span<const uint8_t> all(batch);
  for (size_t n :
       {size_t{0}, size_t{5}, size_t{16}, size_t{17}, size_t{60}, size_t{61}, batch.size() - 1}) {
    EXPECT_EQ(code_of(validate_batch(all.first(n)).status()), ErrorCode::kCorruptMessage) << n;
  }
  Bytes padded = batch;
  padded.push_back(0);
  EXPECT_EQ(code_of(validate_batch(padded).status()), ErrorCode::kCorruptMessage);
}

TEST(RecordBatch, BadBatchLengthIsCorrupt) {
  for (int32_t length : {-1, 0, 48, 49, 1 << 30, INT32_MIN}) {
    Bytes batch = sample_batch();
    store_be(std::span<uint8_t>(batch), batch_layout::kBatchLength, length);
    absl::StatusOr<RecordBatchHeader> h = validate_batch(batch);
    EXPECT_EQ(code_of(h.status()), ErrorCode::kCorruptMessage) << length << " " << h.status();
  }
  // An empty batch (header only, length 49) is well-formed.
  RecordBatchBuilder empty;
  absl::StatusOr<Bytes> e = empty.build();
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->size(), 61u);
  EXPECT_TRUE(validate_batch(*e).ok());
}

TEST(RecordBatch, LegacyAndUnknownMagicAreInvalidRecord) {
  for (int magic : {0, 1, 3, -1}) {
    Bytes batch = sample_batch();
    batch[batch_layout::kMagic] = static_cast<uint8_t>(magic);
    absl::StatusOr<RecordBatchHeader> h = validate_batch(batch);
    EXPECT_EQ(code_of(h.status()), ErrorCode::kInvalidRecord) << magic;
    if (magic == 0 || magic == 1) {
      EXPECT_NE(h.status().message().find("legacy"), std::string::npos) << h.status();
    }
  }
  // A short legacy message still gets the magic error, not a length error.
  Bytes legacy = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 14, 1, 2, 3, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(code_of(validate_batch(legacy).status()), ErrorCode::kInvalidRecord);
}

TEST(RecordBatch, UnknownCodecAndNegativeCount) {
  Bytes batch = sample_batch();
  batch[batch_layout::kAttributes + 1] = 5;
  fix_crc(batch);
  EXPECT_EQ(code_of(validate_batch(batch).status()), ErrorCode::kUnsupportedCompressionType);

  Bytes negative = sample_batch();
  store_be(std::span<uint8_t>(negative), batch_layout::kRecordCount, int32_t{-1});
  fix_crc(negative);
  EXPECT_EQ(code_of(validate_batch(negative).status()), ErrorCode::kInvalidRecord);

  // Kafka ignores attribute bits 7-15, and so do we.
  Bytes high_bits = sample_batch();
  high_bits[batch_layout::kAttributes] = 0x80;
  fix_crc(high_bits);
  EXPECT_TRUE(validate_batch(high_bits).ok());
}

TEST(RecordBatch, ClientBatchChecksFollowLogValidator) {
  absl::StatusOr<RecordBatchHeader> ok = validate_batch(sample_batch());
  ASSERT_TRUE(ok.ok());

  RecordBatchHeader h = *ok;
  h.record_count = 0;
  h.last_offset_delta = -1;
  EXPECT_EQ(code_of(validate_client_batch(h)), ErrorCode::kInvalidRecord);

  h = *ok;
  h.last_offset_delta = 5;  // 3 records
  EXPECT_EQ(code_of(validate_client_batch(h)), ErrorCode::kInvalidRecord);

  h = *ok;
  h.last_offset_delta = INT32_MAX;  // must not overflow
  EXPECT_EQ(code_of(validate_client_batch(h)), ErrorCode::kInvalidRecord);

  h = *ok;
  h.attributes |= batch_attr::kControl;
  EXPECT_EQ(code_of(validate_client_batch(h)), ErrorCode::kInvalidRecord);

  h = *ok;
  h.base_sequence = -1;  // producer id 1000 is set
  EXPECT_EQ(code_of(validate_client_batch(h)), ErrorCode::kInvalidRecord);
  h.producer_id = -1;
  EXPECT_TRUE(validate_client_batch(h).ok());
}

}  // namespace
}  // namespace keel::protocol
