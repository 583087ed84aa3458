// OffsetIndex and TimeIndex: entries, lookups, pre-allocation, trimming, reopening.
#include <gtest/gtest.h>

#include "storage/offset_index.h"
#include "storage/time_index.h"
#include "storage_test_util.h"

namespace keel::storage {
namespace {

using testing::TempDir;

TEST(OffsetIndexTest, AppendLookupAndFormat) {
  TempDir dir;
  auto index = OffsetIndex::open(Env::posix(), dir.file("a.index"), 1000, 80);
  ASSERT_TRUE(index.ok()) << index.status();
  OffsetIndex& idx = **index;
  EXPECT_EQ(idx.capacity(), 10u);
  EXPECT_EQ(idx.entries(), 0u);
  EXPECT_EQ(idx.lookup(5000), (OffsetIndex::Entry{1000, 0}));
  ASSERT_TRUE(idx.append(1010, 4100).ok());
  ASSERT_TRUE(idx.append(1025, 8300).ok());
  ASSERT_TRUE(idx.append(1040, 12400).ok());
  EXPECT_FALSE(idx.append(1040, 20000).ok());  // not increasing
  EXPECT_FALSE(idx.append(1050, 100).ok());
  EXPECT_EQ(idx.lookup(999), (OffsetIndex::Entry{1000, 0}));
  EXPECT_EQ(idx.lookup(1009), (OffsetIndex::Entry{1000, 0}));
  EXPECT_EQ(idx.lookup(1010), (OffsetIndex::Entry{1010, 4100}));
  EXPECT_EQ(idx.lookup(1030), (OffsetIndex::Entry{1025, 8300}));
  EXPECT_EQ(idx.lookup(99999), (OffsetIndex::Entry{1040, 12400}));
  EXPECT_EQ(idx.lookup_position(8299), (OffsetIndex::Entry{1010, 4100}));
  EXPECT_EQ(idx.lookup_position(8300), (OffsetIndex::Entry{1025, 8300}));
  // Kafka's bytes: big-endian int32 relative offset, int32 position.
  auto bytes = idx.file()->bytes();
  EXPECT_EQ((std::vector<uint8_t>(bytes.begin(), bytes.begin() + 8)),
            (std::vector<uint8_t>{0, 0, 0, 10, 0, 0, 0x10, 0x04}));
  ASSERT_TRUE(idx.trim().ok());
  EXPECT_EQ(*Env::posix()->file_size(dir.file("a.index")), 24u);
  idx.truncate_to(1025);
  EXPECT_EQ(idx.entries(), 1u);
  ASSERT_TRUE(idx.grow(80).ok());
  EXPECT_EQ(idx.capacity(), 10u);
  EXPECT_EQ(idx.entries(), 1u);
}

TEST(OffsetIndexTest, ReopenCountsEntriesInTrimmedAndPreallocatedFiles) {
  TempDir dir;
  {
    auto idx = OffsetIndex::open(Env::posix(), dir.file("b.index"), 0, 8000);
    ASSERT_TRUE(idx.ok());
    for (int i = 1; i <= 50; ++i) ASSERT_TRUE((*idx)->append(i * 10, i * 4096).ok());
  }
  // Pre-allocated (unclean stop): the zero slots after the entries end the count.
  auto pre = OffsetIndex::open(Env::posix(), dir.file("b.index"), 0, 8000);
  ASSERT_TRUE(pre.ok());
  EXPECT_EQ((*pre)->entries(), 50u);
  ASSERT_TRUE((*pre)->trim().ok());
  pre->reset();
  auto sealed = OffsetIndex::open(Env::posix(), dir.file("b.index"), 0, 0);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ((*sealed)->entries(), 50u);
  EXPECT_EQ((*sealed)->capacity(), 50u);
  EXPECT_TRUE((*sealed)->full());
  EXPECT_TRUE((*sealed)->consistent_with(50 * 4096 + 1));
  EXPECT_FALSE((*sealed)->consistent_with(50 * 4096));
  // Garbage in the middle: only the increasing prefix counts.
  auto bytes = (*sealed)->file()->bytes();
  bytes[8 * 20 + 3] = 0;  // entry 20's relative offset drops below entry 19's
  sealed->reset();
  auto damaged = OffsetIndex::open(Env::posix(), dir.file("b.index"), 0, 0);
  ASSERT_TRUE(damaged.ok());
  EXPECT_EQ((*damaged)->entries(), 20u);
}

TEST(TimeIndexTest, MaybeAppendLookupAndReopen) {
  TempDir dir;
  {
    auto index = TimeIndex::open(Env::posix(), dir.file("a.timeindex"), 500, 120);
    ASSERT_TRUE(index.ok());
    TimeIndex& idx = **index;
    EXPECT_EQ(idx.capacity(), 10u);
    EXPECT_EQ(idx.last(), (TimeIndex::Entry{-1, 500}));
    ASSERT_TRUE(idx.maybe_append(1000, 510).ok());
    ASSERT_TRUE(idx.maybe_append(1000, 520).ok());  // not larger: ignored
    ASSERT_TRUE(idx.maybe_append(900, 530).ok());   // smaller: ignored
    ASSERT_TRUE(idx.maybe_append(2000, 540).ok());
    ASSERT_TRUE(idx.maybe_append(3000, 560).ok());
    EXPECT_EQ(idx.entries(), 3u);
    EXPECT_EQ(idx.lookup(999), (TimeIndex::Entry{-1, 500}));
    EXPECT_EQ(idx.lookup(1000), (TimeIndex::Entry{1000, 510}));
    EXPECT_EQ(idx.lookup(2500), (TimeIndex::Entry{2000, 540}));
    EXPECT_EQ(idx.lookup(9999), (TimeIndex::Entry{3000, 560}));
    auto bytes = idx.file()->bytes();
    EXPECT_EQ((std::vector<uint8_t>(bytes.begin(), bytes.begin() + 12)),
              (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0x03, 0xe8, 0, 0, 0, 10}));
    EXPECT_TRUE(idx.consistent_with(561));
    EXPECT_FALSE(idx.consistent_with(560));
  }
  auto reopened = TimeIndex::open(Env::posix(), dir.file("a.timeindex"), 500, 120);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->entries(), 3u);
  (*reopened)->truncate_to(540);
  EXPECT_EQ((*reopened)->entries(), 1u);
  ASSERT_TRUE((*reopened)->trim().ok());
  EXPECT_EQ(*Env::posix()->file_size(dir.file("a.timeindex")), 12u);
  (*reopened)->clear();
  EXPECT_EQ((*reopened)->entries(), 0u);
}

TEST(TimeIndexTest, FullIndexRefusesAppends) {
  TempDir dir;
  auto index = TimeIndex::open(Env::posix(), dir.file("c.timeindex"), 0, 24);
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->maybe_append(10, 1).ok());
  ASSERT_TRUE((*index)->maybe_append(20, 2).ok());
  EXPECT_TRUE((*index)->full());
  EXPECT_FALSE((*index)->maybe_append(30, 3).ok());
}

}  // namespace
}  // namespace keel::storage
