// RecordReader on hand-encoded records: the kcat example and malformed inputs.
#include "protocol/records/record_reader.h"

#include <gtest/gtest.h>

#include "protocol/records/record_batch.h"
#include "protocol/records/record_batch_builder.h"
#include "protocol/wire/writer.h"
#include "tests/unit/records/records_test_util.h"

namespace keel::protocol {
namespace {

using testing::code_of;
using testing::string_of;
using testing::view_of;

// kcat, value "hello", no key: length 11, attributes 0, timestampDelta 0, offsetDelta 0,
// key -1, value length 5 + "hello", 0 headers.
const Bytes kKcatHello = {0x16, 0x00, 0x00, 0x00, 0x01, 0x0a, 'h', 'e', 'l', 'l', 'o', 0x00};

TEST(RecordReader, KcatHelloRecord) {
  RecordReader reader(kKcatHello, 1);
  RecordView r;
  ASSERT_TRUE(reader.next(r)) << reader.status();
  EXPECT_EQ(r.attributes, 0);
  EXPECT_EQ(r.timestamp_delta, 0);
  EXPECT_EQ(r.offset_delta, 0);
  EXPECT_FALSE(r.key.has_value());
  ASSERT_TRUE(r.value.has_value());
  EXPECT_EQ(string_of(*r.value), "hello");
  EXPECT_EQ(r.header_count, 0u);
  EXPECT_EQ(r.encoded.size(), kKcatHello.size());
  EXPECT_FALSE(reader.next(r));
  EXPECT_TRUE(reader.status().ok()) << reader.status();
}

TEST(RecordReader, BuilderWritesTheKcatBytes) {
  RecordBatchBuilder builder;
  RecordInput in;
  in.timestamp = 1700000000000;
  in.value = view_of("hello");
  builder.append(in);
  absl::StatusOr<Bytes> batch = builder.build();
  ASSERT_TRUE(batch.ok());
  Bytes records(batch->begin() + batch_layout::kRecords, batch->end());
  EXPECT_EQ(records, kKcatHello);
}

TEST(RecordReader, HeadersAndNulls) {
  Bytes records;
  Writer w(records);
  // key "k", value null, headers: ("a" -> "1"), ("b" -> null), ("" -> "")
  Bytes body;
  Writer b(body);
  b.write_int8(0);
  b.write_varlong(-5);
  b.write_varint(3);
  b.write_varint(1);
  b.write_raw("k", 1);
  b.write_varint(-1);
  b.write_varint(3);
  b.write_varint(1);
  b.write_raw("a", 1);
  b.write_varint(1);
  b.write_raw("1", 1);
  b.write_varint(1);
  b.write_raw("b", 1);
  b.write_varint(-1);
  b.write_varint(0);
  b.write_varint(0);
  w.write_varint(static_cast<int32_t>(body.size()));
  w.write_raw(body);

  RecordReader reader(records, 1);
  RecordView r;
  ASSERT_TRUE(reader.next(r)) << reader.status();
  EXPECT_EQ(r.timestamp_delta, -5);
  EXPECT_EQ(r.offset_delta, 3);
  EXPECT_EQ(string_of(r.key), "k");
  EXPECT_FALSE(r.value.has_value());
  HeaderReader headers = r.headers();
  EXPECT_EQ(headers.count(), 3u);
  RecordHeaderView h;
  ASSERT_TRUE(headers.next(h));
  EXPECT_EQ(h.key, "a");
  EXPECT_EQ(string_of(h.value), "1");
  ASSERT_TRUE(headers.next(h));
  EXPECT_EQ(h.key, "b");
  EXPECT_FALSE(h.value.has_value());
  ASSERT_TRUE(headers.next(h));
  EXPECT_EQ(h.key, "");
  ASSERT_TRUE(h.value.has_value());
  EXPECT_TRUE(h.value->empty());
  EXPECT_FALSE(headers.next(h));
}

// Runs a reader to its end and returns its status.
absl::Status read_all(const Bytes& records, int32_t count) {
  RecordReader reader(records, count);
  RecordView r;
  while (reader.next(r)) {
  }
  return reader.status();
}

TEST(RecordReader, MalformedRecordsAreInvalidRecord) {
  // Fewer records than declared.
  EXPECT_EQ(code_of(read_all(kKcatHello, 2)), ErrorCode::kInvalidRecord);
  // Bytes left after the declared records.
  Bytes extra = kKcatHello;
  extra.push_back(0x00);
  EXPECT_EQ(code_of(read_all(extra, 1)), ErrorCode::kInvalidRecord);
  // Record length past the end, and cut at every point.
  for (size_t n = 0; n < kKcatHello.size(); ++n) {
    Bytes cut(kKcatHello.begin(), kKcatHello.begin() + static_cast<long>(n));
    EXPECT_EQ(code_of(read_all(cut, 1)), ErrorCode::kInvalidRecord) << n;
  }
  // Declared length longer than the fields (one spare byte inside the record).
  Bytes spare = {0x18, 0x00, 0x00, 0x00, 0x01, 0x0a, 'h', 'e', 'l', 'l', 'o', 0x00, 0x00};
  EXPECT_EQ(code_of(read_all(spare, 1)), ErrorCode::kInvalidRecord);
  // Declared length shorter than the fields.
  Bytes short_len = kKcatHello;
  short_len[0] = 0x14;
  EXPECT_EQ(code_of(read_all(short_len, 1)), ErrorCode::kInvalidRecord);
  // Negative record length.
  Bytes negative = kKcatHello;
  negative[0] = 0x01;
  EXPECT_EQ(code_of(read_all(negative, 1)), ErrorCode::kInvalidRecord);
  // Key length -2.
  Bytes bad_key = kKcatHello;
  bad_key[4] = 0x03;
  EXPECT_EQ(code_of(read_all(bad_key, 1)), ErrorCode::kInvalidRecord);
  // Header count -1, and a huge one.
  Bytes bad_headers = kKcatHello;
  bad_headers.back() = 0x01;
  EXPECT_EQ(code_of(read_all(bad_headers, 1)), ErrorCode::kInvalidRecord);
  bad_headers.back() = 0x7e;
  EXPECT_EQ(code_of(read_all(bad_headers, 1)), ErrorCode::kInvalidRecord);
  // A null header key: header count 1, key length -1, value length -1.
  Bytes null_header_key = {0x1a, 0x00, 0x00, 0x00, 0x01, 0x0a, 'h',
                           'e',  'l',  'l',  'o',  0x02, 0x01, 0x01};
  EXPECT_EQ(code_of(read_all(null_header_key, 1)), ErrorCode::kInvalidRecord);
  // A varint longer than 5 bytes in the length.
  Bytes long_varint = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  EXPECT_EQ(code_of(read_all(long_varint, 1)), ErrorCode::kInvalidRecord);
}

TEST(RecordReader, ZeroCountReadsNothing) {
  // Kafka does not look at the records area of a batch that declares none.
  EXPECT_TRUE(read_all(kKcatHello, 0).ok());
  EXPECT_TRUE(read_all({}, 0).ok());
}

TEST(RecordReader, ForBatchRefusesCompressed) {
  BatchOptions options;
  options.compression = Compression::kGzip;
  RecordBatchBuilder builder(options);
  RecordInput in;
  in.value = view_of("x");
  builder.append(in);
  absl::StatusOr<Bytes> batch = builder.build();
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(code_of(RecordReader::for_batch(*batch).status()),
            ErrorCode::kUnsupportedCompressionType);
}

}  // namespace
}  // namespace keel::protocol
