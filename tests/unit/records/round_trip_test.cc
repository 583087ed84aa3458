// Build -> validate -> open -> iterate, in every codec; control batches.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "protocol/records/batch_records.h"
#include "protocol/records/compression.h"
#include "protocol/records/control_record.h"
#include "protocol/records/record_batch.h"
#include "protocol/records/record_batch_builder.h"
#include "tests/unit/records/records_test_util.h"

namespace keel::protocol {
namespace {

using testing::code_of;
using testing::string_of;
using testing::view_of;

struct Header {
  std::string key;
  std::optional<std::string> value;
};
struct Record {
  int64_t timestamp;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
};

std::vector<Record> sample_records(int n) {
  std::vector<Record> out;
  for (int i = 0; i < n; ++i) {
    Record r;
    r.timestamp = 1700000000000 + (i * 37) % 1000 - 100;  // not monotonic, some before base
    if (i % 5 != 1) r.key = "key-" + std::to_string(i);
    if (i % 7 != 3)
      r.value = std::string(static_cast<size_t>(i % 300), static_cast<char>('a' + i % 26));
    for (int h = 0; h < i % 4; ++h) {
      Header hd{"h" + std::to_string(h), std::nullopt};
      if (h != 2) hd.value = "v" + std::to_string(i);
      r.headers.push_back(hd);
    }
    out.push_back(r);
  }
  return out;
}

std::optional<ByteView> opt_view(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return view_of(*s);
}

absl::StatusOr<Bytes> build(const std::vector<Record>& records, BatchOptions options) {
  RecordBatchBuilder builder(options);
  for (const Record& r : records) {
    std::vector<HeaderInput> headers;
    for (const Header& h : r.headers) headers.push_back({h.key, opt_view(h.value)});
    RecordInput in;
    in.timestamp = r.timestamp;
    in.key = opt_view(r.key);
    in.value = opt_view(r.value);
    in.headers = headers;
    builder.append(in);
  }
  EXPECT_EQ(builder.record_count(), static_cast<int32_t>(records.size()));
  return builder.build();
}

class RoundTrip : public ::testing::TestWithParam<Compression> {};

TEST_P(RoundTrip, BuildValidateIterate) {
  for (int n : {0, 1, 3, 1000}) {
    const std::vector<Record> records = sample_records(n);
    BatchOptions options;
    options.compression = GetParam();
    options.producer_id = 4242;
    options.producer_epoch = 7;
    options.base_sequence = 100;
    options.transactional = true;
    options.base_offset = 0;
    absl::StatusOr<Bytes> batch = build(records, options);
    ASSERT_TRUE(batch.ok()) << batch.status();

    absl::StatusOr<RecordBatchHeader> h = validate_batch(*batch);
    ASSERT_TRUE(h.ok()) << h.status();
    EXPECT_EQ(h->compression(), GetParam());
    EXPECT_TRUE(h->is_transactional());
    EXPECT_EQ(h->record_count, n);
    EXPECT_EQ(h->last_offset_delta, n - 1);
    EXPECT_EQ(h->producer_id, 4242);
    EXPECT_EQ(h->producer_epoch, 7);
    EXPECT_EQ(h->base_sequence, 100);
    if (n > 0) {
      EXPECT_TRUE(validate_client_batch(*h).ok());
      EXPECT_EQ(h->base_timestamp, records[0].timestamp);
      int64_t max_ts = records[0].timestamp;
      for (const Record& r : records) max_ts = std::max(max_ts, r.timestamp);
      EXPECT_EQ(h->max_timestamp, max_ts);
    }

    absl::StatusOr<BatchRecords> opened = BatchRecords::open(*batch, 1 << 20);
    ASSERT_TRUE(opened.ok()) << opened.status();
    RecordReader reader = opened->reader();
    RecordView view;
    int i = 0;
    while (reader.next(view)) {
      ASSERT_LT(i, n);
      const Record& want = records[static_cast<size_t>(i)];
      EXPECT_EQ(view.offset_delta, i);
      EXPECT_EQ(h->base_timestamp + view.timestamp_delta, want.timestamp);
      EXPECT_EQ(string_of(view.key), want.key);
      EXPECT_EQ(string_of(view.value), want.value);
      HeaderReader headers = view.headers();
      ASSERT_EQ(headers.count(), want.headers.size());
      RecordHeaderView hv;
      for (const Header& wh : want.headers) {
        ASSERT_TRUE(headers.next(hv));
        EXPECT_EQ(hv.key, wh.key);
        EXPECT_EQ(string_of(hv.value), wh.value);
      }
      EXPECT_FALSE(headers.next(hv));
      ++i;
    }
    EXPECT_TRUE(reader.status().ok()) << reader.status();
    EXPECT_EQ(i, n);
  }
}

TEST_P(RoundTrip, DecompressionLimitApplies) {
  const std::vector<Record> records = sample_records(1000);
  BatchOptions options;
  options.compression = GetParam();
  absl::StatusOr<Bytes> batch = build(records, options);
  ASSERT_TRUE(batch.ok());
  absl::StatusOr<BatchRecords> opened = BatchRecords::open(*batch, 1000);
  if (GetParam() == Compression::kNone) {
    EXPECT_TRUE(opened.ok());  // nothing to decompress: the records are viewed in place
  } else {
    EXPECT_EQ(code_of(opened.status()), ErrorCode::kMessageTooLarge);
  }
}

TEST(RoundTripCorrupt, CutCompressedPayloadIsAnError) {
  const std::vector<Record> records = sample_records(50);
  for (Compression codec :
       {Compression::kGzip, Compression::kSnappy, Compression::kLz4, Compression::kZstd}) {
    BatchOptions options;
    options.compression = codec;
    absl::StatusOr<Bytes> batch = build(records, options);
    ASSERT_TRUE(batch.ok());
    // Chop the compressed blob in half (open() does not check the CRC; validate_batch would).
    const size_t keep = batch_layout::kRecords + (batch->size() - batch_layout::kRecords) / 2;
    Bytes cut(batch->begin(), batch->begin() + static_cast<long>(keep));
    EXPECT_EQ(code_of(BatchRecords::open(cut, 1 << 20).status()), ErrorCode::kCorruptMessage)
        << compression_name(codec);
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, RoundTrip,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kSnappy, Compression::kLz4,
                                           Compression::kZstd),
                         [](const auto& info) {
                           return std::string(compression_name(info.param));
                         });

TEST(ControlBatch, EndTxnMarkerRoundTrip) {
  for (ControlRecordType type : {ControlRecordType::kCommit, ControlRecordType::kAbort}) {
    EndTxnMarker marker;
    marker.type = type;
    marker.coordinator_epoch = 12;
    marker.producer_id = 77;
    marker.producer_epoch = 3;
    marker.timestamp = 1700000000000;
    marker.base_offset = 500;
    absl::StatusOr<Bytes> batch = build_end_txn_marker_batch(marker);
    ASSERT_TRUE(batch.ok());
    absl::StatusOr<RecordBatchHeader> h = validate_batch(*batch);
    ASSERT_TRUE(h.ok()) << h.status();
    EXPECT_TRUE(h->is_control());
    EXPECT_TRUE(h->is_transactional());
    EXPECT_EQ(h->producer_id, 77);
    EXPECT_EQ(h->producer_epoch, 3);
    EXPECT_EQ(h->base_sequence, -1);
    EXPECT_EQ(h->base_offset, 500);
    EXPECT_EQ(h->record_count, 1);
    // Clients may not write control batches.
    EXPECT_EQ(code_of(validate_client_batch(*h)), ErrorCode::kInvalidRecord);

    absl::StatusOr<RecordReader> reader = RecordReader::for_batch(*batch);
    ASSERT_TRUE(reader.ok());
    RecordView view;
    ASSERT_TRUE(reader->next(view));
    absl::StatusOr<ControlRecord> control = parse_control_record(view);
    ASSERT_TRUE(control.ok()) << control.status();
    EXPECT_EQ(control->type, static_cast<int16_t>(type));
    EXPECT_EQ(control->coordinator_epoch, 12);
    EXPECT_FALSE(reader->next(view));
    EXPECT_TRUE(reader->status().ok());
  }
}

TEST(ControlBatch, MalformedControlRecords) {
  RecordView view;
  EXPECT_EQ(code_of(parse_control_record(view).status()), ErrorCode::kInvalidRecord);
  const Bytes short_key = {0, 0, 0};
  view.key = ByteView(short_key);
  EXPECT_EQ(code_of(parse_control_record(view).status()), ErrorCode::kInvalidRecord);
  const Bytes commit_key = {0, 0, 0, 1};
  view.key = ByteView(commit_key);
  const Bytes short_value = {0, 0, 0, 0, 0};
  view.value = ByteView(short_value);
  EXPECT_EQ(code_of(parse_control_record(view).status()), ErrorCode::kInvalidRecord);
  const Bytes negative_key = {0xff, 0xff, 0, 1};
  view.key = ByteView(negative_key);
  EXPECT_EQ(code_of(parse_control_record(view).status()), ErrorCode::kInvalidRecord);
  const Bytes other_type = {0, 0, 0, 3};  // a KRaft control type: no marker value needed
  view.key = ByteView(other_type);
  view.value.reset();
  absl::StatusOr<ControlRecord> other = parse_control_record(view);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->type, 3);
}

}  // namespace
}  // namespace keel::protocol
