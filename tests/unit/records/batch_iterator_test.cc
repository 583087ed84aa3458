// Splitting a records region into batches: whole batches, truncated tails, bad framing.
#include "protocol/records/batch_iterator.h"

#include <gtest/gtest.h>

#include "protocol/records/byte_order.h"
#include "protocol/records/record_batch.h"
#include "protocol/records/record_batch_builder.h"
#include "tests/unit/records/records_test_util.h"

namespace keel::protocol {
namespace {

using testing::code_of;
using testing::view_of;

Bytes batch_with(int records, int64_t base_offset) {
  BatchOptions options;
  options.base_offset = base_offset;
  RecordBatchBuilder builder(options);
  for (int i = 0; i < records; ++i) {
    RecordInput r;
    r.timestamp = 1000 + i;
    r.value = view_of("payload");
    builder.append(r);
  }
  return *builder.build();
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(BatchIterator, EmptyRegionHasNoBatches) {
  absl::StatusOr<std::vector<std::span<const uint8_t>>> batches = split_batches(RecordsView());
  ASSERT_TRUE(batches.ok());
  EXPECT_TRUE(batches->empty());
}

TEST(BatchIterator, SplitsConsecutiveBatches) {
  Bytes a = batch_with(1, 0);
  Bytes b = batch_with(5, 1);
  Bytes c = batch_with(2, 6);
  Bytes region = concat({a, b, c});
  absl::StatusOr<std::vector<std::span<const uint8_t>>> batches =
      split_batches(RecordsView(region.data(), region.size()));
  ASSERT_TRUE(batches.ok()) << batches.status();
  ASSERT_EQ(batches->size(), 3u);
  EXPECT_EQ((*batches)[0].size(), a.size());
  EXPECT_EQ((*batches)[1].size(), b.size());
  EXPECT_EQ((*batches)[2].size(), c.size());
  EXPECT_EQ((*batches)[1].data(), region.data() + a.size());
  for (auto batch : *batches) EXPECT_TRUE(validate_batch(batch).ok());

  BatchIterator it(region);
  ASSERT_TRUE(it.next());
  ASSERT_TRUE(it.next());
  EXPECT_EQ(it.batch_position(), a.size());
}

TEST(BatchIterator, TruncatedTailIsReportedNotRead) {
  Bytes a = batch_with(2, 0);
  Bytes b = batch_with(3, 2);
  Bytes region = concat({a, b});
  // Every cut inside the second batch: the first batch is yielded, then a partial tail.
  for (size_t cut = a.size() + 1; cut < region.size(); ++cut) {
    BatchIterator it(std::span<const uint8_t>(region).first(cut));
    ASSERT_TRUE(it.next());
    EXPECT_EQ(it.batch().size(), a.size());
    EXPECT_FALSE(it.next()) << cut;
    EXPECT_EQ(code_of(it.status()), ErrorCode::kCorruptMessage) << cut;
    EXPECT_TRUE(it.partial_tail()) << cut;
    EXPECT_FALSE(it.next());  // stays finished
  }
  EXPECT_EQ(code_of(split_batches(RecordsView(region.data(), region.size() - 1)).status()),
            ErrorCode::kCorruptMessage);
}

TEST(BatchIterator, BadLengthAndMagicAreNotPartialTails) {
  Bytes a = batch_with(1, 0);
  Bytes short_length = a;
  records_internal::store_be(std::span<uint8_t>(short_length), batch_layout::kBatchLength,
                             int32_t{10});
  BatchIterator it(short_length);
  EXPECT_FALSE(it.next());
  EXPECT_EQ(code_of(it.status()), ErrorCode::kCorruptMessage);
  EXPECT_FALSE(it.partial_tail());

  Bytes negative = a;
  records_internal::store_be(std::span<uint8_t>(negative), batch_layout::kBatchLength,
                             int32_t{-100});
  BatchIterator neg(negative);
  EXPECT_FALSE(neg.next());
  EXPECT_EQ(code_of(neg.status()), ErrorCode::kCorruptMessage);

  Bytes legacy = a;
  legacy[batch_layout::kMagic] = 1;
  BatchIterator leg(legacy);
  EXPECT_FALSE(leg.next());
  EXPECT_EQ(code_of(leg.status()), ErrorCode::kInvalidRecord);
  EXPECT_NE(leg.status().message().find("legacy"), std::string::npos);
}

}  // namespace
}  // namespace keel::protocol
