// Checkpoint files, the leader-epoch cache, file and directory names.
#include <gtest/gtest.h>

#include "storage/checkpoint_file.h"
#include "storage/file_names.h"
#include "storage/leader_epoch_cache.h"
#include "storage/topic_partition.h"
#include "storage_test_util.h"

namespace keel::storage {
namespace {

using testing::TempDir;

TEST(CheckpointFileTest, OffsetCheckpointRoundTrip) {
  TempDir dir;
  OffsetMap offsets{{{"orders", 0}, 42}, {{"my-topic.v2", 11}, 7}, {{"a", 3}, 0}};
  ASSERT_TRUE(write_offset_checkpoint(Env::posix(), dir.file("cp"), offsets).ok());
  auto text = Env::posix()->read_file(dir.file("cp"));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "0\n3\na 3 0\nmy-topic.v2 11 7\norders 0 42\n");
  auto read = read_offset_checkpoint(Env::posix(), dir.file("cp"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, offsets);
  EXPECT_FALSE(Env::posix()->exists(dir.file("cp.tmp")));
  auto missing = read_offset_checkpoint(Env::posix(), dir.file("none"));
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->empty());
}

TEST(CheckpointFileTest, MalformedFilesAreErrors) {
  for (const char* text :
       {"", "1\n0\n", "0\n2\nt 0 1\n", "0\n1\nt x 1\n", "0\n1\nt 0 1 2\n", "0\nx\n"}) {
    auto parsed = parse_offset_checkpoint(text);
    EXPECT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss);
  }
  EXPECT_TRUE(parse_offset_checkpoint("0\n0\n").ok());
  auto epochs = parse_epoch_checkpoint("0\n2\n1 0\n4 100\n");
  ASSERT_TRUE(epochs.ok());
  EXPECT_EQ(*epochs, (std::vector<std::pair<int32_t, int64_t>>{{1, 0}, {4, 100}}));
  EXPECT_EQ(format_epoch_checkpoint(*epochs), "0\n2\n1 0\n4 100\n");
  EXPECT_FALSE(parse_epoch_checkpoint("0\n1\n1\n").ok());
}

TEST(LeaderEpochCacheTest, AssignTruncateAndPersist) {
  TempDir dir;
  const std::string path = dir.file("leader-epoch-checkpoint");
  auto cache = LeaderEpochCache::load(Env::posix(), path);
  ASSERT_TRUE(cache.ok());
  LeaderEpochCache& c = **cache;
  EXPECT_EQ(c.latest_epoch(), -1);
  ASSERT_TRUE(c.assign(-1, 0).ok());  // no epoch: ignored
  ASSERT_TRUE(c.assign(2, 0).ok());
  ASSERT_TRUE(c.assign(2, 10).ok());  // same epoch: ignored
  ASSERT_TRUE(c.assign(1, 20).ok());  // older epoch: ignored
  ASSERT_TRUE(c.assign(4, 30).ok());
  ASSERT_TRUE(c.assign(6, 50).ok());
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{{2, 0}, {4, 30}, {6, 50}}));
  EXPECT_EQ(c.end_offset_for(6, 70), (EpochEndOffset{6, 70}));
  EXPECT_EQ(c.end_offset_for(5, 70), (EpochEndOffset{4, 50}));
  EXPECT_EQ(c.end_offset_for(1, 70), (EpochEndOffset{1, 0}));
  EXPECT_EQ(c.end_offset_for(7, 70), (EpochEndOffset{}));
  EXPECT_EQ(c.end_offset_for(-1, 70), (EpochEndOffset{}));
  // A new epoch starting below existing entries replaces them (a truncated leader).
  ASSERT_TRUE(c.assign(7, 40).ok());
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{{2, 0}, {4, 30}, {7, 40}}));
  ASSERT_TRUE(c.truncate_from_end(35).ok());
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{{2, 0}, {4, 30}}));
  ASSERT_TRUE(c.truncate_from_start(10).ok());
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{{2, 10}, {4, 30}}));
  ASSERT_TRUE(c.truncate_from_start(31).ok());
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{{4, 31}}));
  auto reloaded = LeaderEpochCache::load(Env::posix(), path);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ((*reloaded)->entries(), c.entries());
  ASSERT_TRUE(c.clear().ok());
  EXPECT_EQ(*Env::posix()->read_file(path), "0\n0\n");
}

TEST(FileNamesTest, SegmentNames) {
  EXPECT_EQ(offset_file_prefix(0), "00000000000000000000");
  EXPECT_EQ(offset_file_prefix(1234567), "00000000000001234567");
  EXPECT_EQ(segment_file("/d", 5, kTimeIndexSuffix, kSwapSuffix),
            "/d/00000000000000000005.timeindex.swap");
  auto parsed = parse_segment_file_name("00000000000000000042.index.cleaned");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->base_offset, 42);
  EXPECT_EQ(parsed->kind, ".index");
  EXPECT_EQ(parsed->extra, ".cleaned");
  parsed = parse_segment_file_name("00000000000000000042.timeindex");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->kind, ".timeindex");
  EXPECT_FALSE(parse_segment_file_name("0000000000000000042.log").has_value());
  EXPECT_FALSE(parse_segment_file_name("leader-epoch-checkpoint").has_value());
  EXPECT_FALSE(parse_segment_file_name("00000000000000000042.snapshot").has_value());
}

TEST(FileNamesTest, PartitionDirectories) {
  EXPECT_EQ(partition_dir_name({"orders", 3}), "orders-3");
  auto tp = parse_partition_dir_name("my-topic.with-dashes-12");
  ASSERT_TRUE(tp.has_value());
  EXPECT_EQ(tp->topic, "my-topic.with-dashes");
  EXPECT_EQ(tp->partition, 12);
  EXPECT_FALSE(parse_partition_dir_name("orders-3.0123456789abcdef0123456789abcdef-delete"));
  EXPECT_FALSE(parse_partition_dir_name("orders-3.abc-future"));
  EXPECT_FALSE(parse_partition_dir_name("orders"));
  EXPECT_FALSE(parse_partition_dir_name("-3"));
  EXPECT_FALSE(parse_partition_dir_name("orders-"));
  EXPECT_FALSE(parse_partition_dir_name("recovery-point-offset-checkpoint"));
  EXPECT_FALSE(parse_partition_dir_name("orders-99999999999"));
}

}  // namespace
}  // namespace keel::storage
