// External records (RecordsView::external): the Writer leaves their bytes out and records
// where they belong, and a Fetch response encoded that way, with the bytes put back at the
// splice points, is byte for byte the normal encoding, in every Fetch version.
#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "protocol/generated/fetch.h"
#include "protocol/generated/test_fill.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/reader.h"
#include "protocol/wire/writer.h"

namespace keel::protocol {
namespace {

Bytes pattern(size_t n, uint8_t salt) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 31 + salt);
  return b;
}

// The frame with the external bytes inserted at their splice points, in order.
Bytes reassemble(const SplicedFrame& f, const std::vector<const Bytes*>& external) {
  EXPECT_EQ(f.splices.size(), external.size());
  Bytes out;
  size_t at = 0;
  for (size_t i = 0; i < f.splices.size() && i < external.size(); ++i) {
    const Splice& s = f.splices[i];
    EXPECT_GE(s.offset, at);
    EXPECT_EQ(s.size, external[i]->size());
    out.insert(out.end(), f.frame_without_external_bytes.begin() + static_cast<ptrdiff_t>(at),
               f.frame_without_external_bytes.begin() + static_cast<ptrdiff_t>(s.offset));
    out.insert(out.end(), external[i]->begin(), external[i]->end());
    at = s.offset;
  }
  out.insert(out.end(), f.frame_without_external_bytes.begin() + static_cast<ptrdiff_t>(at),
             f.frame_without_external_bytes.end());
  return out;
}

TEST(ExternalRecords, ViewBasics) {
  const RecordsView ext = RecordsView::external(10);
  EXPECT_TRUE(ext.is_external());
  EXPECT_FALSE(ext.empty());
  EXPECT_TRUE(ext.span().empty());
  EXPECT_FALSE(RecordsView::external(0).is_external());
  EXPECT_TRUE(RecordsView::external(0).empty());
  const Bytes ten(10, 7);
  EXPECT_FALSE(ext == RecordsView(ten.data(), ten.size()));
  EXPECT_FALSE(RecordsView(ten.data(), ten.size()) == ext);
  EXPECT_TRUE(ext == RecordsView::external(10));
  EXPECT_FALSE(ext == RecordsView::external(11));
}

TEST(ExternalRecords, WriterRecordsSplicesInsteadOfBytes) {
  Bytes out;
  Writer w(out);
  w.write_int8(1);
  w.write_records(RecordsView::external(300), /*compact=*/false);
  w.write_int8(2);
  w.write_records(std::optional<RecordsView>(RecordsView::external(200)), /*compact=*/true);
  w.write_int8(3);
  w.write_records(RecordsView::external(0), /*compact=*/true);  // an ordinary empty view
  w.write_records(std::nullopt, /*compact=*/false);
  const Bytes expected = {1, 0, 0, 0x01, 0x2c, 2, 0xc9, 0x01, 3, 0x01, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(out, expected);
  ASSERT_EQ(w.splices().size(), 2u);
  EXPECT_EQ(w.splices()[0], (Splice{5, 300}));
  EXPECT_EQ(w.splices()[1], (Splice{8, 200}));
  const std::vector<Splice> taken = w.take_splices();
  EXPECT_EQ(taken.size(), 2u);
}

TEST(ExternalRecords, InMemoryRecordsRecordNoSplice) {
  const Bytes data = pattern(40, 1);
  Bytes out;
  Writer w(out);
  w.write_records(RecordsView(data.data(), data.size()), /*compact=*/true);
  EXPECT_TRUE(w.splices().empty());
  EXPECT_EQ(out.size(), 1 + data.size());
}

// Fills a FetchResponse for `version`, gives its partitions records of assorted sizes (null,
// empty, 1 byte, around the varint boundaries, 70000 bytes), and returns two copies: one with
// every record set in memory, one where some are external.
struct FetchCase {
  FetchResponse in_memory;
  FetchResponse spliced;
  std::vector<const Bytes*> external;  // bytes of the external views, in message order
};

void make_case(int16_t version, uint64_t seed, std::deque<Bytes>& storage, FetchCase& c) {
  testing::Filler filler(seed);
  testing::fill(c.in_memory, version, filler);
  // More partitions than the filler's two per topic, so sizes and kinds mix.
  for (auto& topic : c.in_memory.responses) {
    for (int i = 0; i < 4; ++i) topic.partitions.push_back(topic.partitions.front());
  }
  c.spliced = c.in_memory;
  const size_t sizes[] = {1, 62, 63, 126, 127, 128, 200, 16383, 16384, 70000, 0};
  size_t k = 0;
  for (size_t t = 0; t < c.in_memory.responses.size(); ++t) {
    auto& mem_parts = c.in_memory.responses[t].partitions;
    auto& ext_parts = c.spliced.responses[t].partitions;
    for (size_t p = 0; p < mem_parts.size(); ++p, ++k) {
      if (k % 7 == 6) {  // null records
        mem_parts[p].records.reset();
        ext_parts[p].records.reset();
        continue;
      }
      const Bytes& b = storage.emplace_back(pattern(sizes[k % std::size(sizes)], uint8_t(k)));
      mem_parts[p].records = RecordsView(b.data(), b.size());
      if (k % 3 != 1) {  // two of three external, the rest in memory
        ext_parts[p].records = RecordsView::external(b.size());
        if (!b.empty()) c.external.push_back(&b);
      } else {
        ext_parts[p].records = RecordsView(b.data(), b.size());
      }
    }
  }
}

TEST(ExternalRecords, FetchResponseSplicedEqualsNormalEncodingInEveryVersion) {
  for (int16_t v = 4; v <= FetchResponse::kMaxVersion; ++v) {
    for (uint64_t seed : {1u, 2u}) {
      SCOPED_TRACE(::testing::Message() << "Fetch v" << v << " seed " << seed);
      std::deque<Bytes> storage;
      FetchCase c;
      make_case(v, seed, storage, c);
      ASSERT_GE(c.external.size(), 4u);
      EXPECT_EQ(c.spliced.encoded_size(v), c.in_memory.encoded_size(v));

      const Bytes normal = encode_response_frame(77, v, c.in_memory);
      const SplicedFrame spliced = encode_response_frame_spliced(77, v, c.spliced);
      size_t external_bytes = 0;
      for (const Bytes* b : c.external) external_bytes += b->size();
      EXPECT_EQ(spliced.frame_without_external_bytes.size() + external_bytes, normal.size());
      EXPECT_EQ(reassemble(spliced, c.external), normal);

      // The size prefix counts the external bytes.
      Reader r(spliced.frame_without_external_bytes);
      EXPECT_EQ(static_cast<size_t>(r.read_int32()), normal.size() - kFrameSizeBytes);

      // A message without external records gives no splices and the normal bytes.
      const SplicedFrame plain = encode_response_frame_spliced(77, v, c.in_memory);
      EXPECT_TRUE(plain.splices.empty());
      EXPECT_EQ(plain.frame_without_external_bytes, normal);
    }
  }
}

TEST(ExternalRecords, FetchResponseWithOnlyExternalRecordsDecodesAfterReassembly) {
  const int16_t v = FetchResponse::kMaxVersion;
  const Bytes records = pattern(5000, 9);
  FetchResponse resp;
  auto& topic = resp.responses.emplace_back();
  topic.topic = "t";
  for (int i = 0; i < 3; ++i) {
    auto& p = topic.partitions.emplace_back();
    p.partition_index = i;
    p.records = RecordsView::external(records.size());
  }
  const SplicedFrame f = encode_response_frame_spliced(5, v, resp);
  ASSERT_EQ(f.splices.size(), 3u);
  const Bytes whole = reassemble(f, {&records, &records, &records});
  Reader r(whole);
  ASSERT_EQ(static_cast<size_t>(r.read_int32()), whole.size() - kFrameSizeBytes);
  EXPECT_EQ(decode_response_header(r, response_header_version(FetchResponse::kApiKey, v)), 5);
  FetchResponse decoded;
  ASSERT_TRUE(decoded.decode(r, v).ok()) << r.status();
  EXPECT_EQ(r.remaining(), 0u);
  ASSERT_EQ(decoded.responses.at(0).partitions.size(), 3u);
  for (const auto& p : decoded.responses[0].partitions) {
    ASSERT_TRUE(p.records.has_value());
    EXPECT_FALSE(p.records->is_external());  // decoders never produce external views
    EXPECT_TRUE(*p.records == RecordsView(records.data(), records.size()));
  }
}

}  // namespace
}  // namespace keel::protocol
