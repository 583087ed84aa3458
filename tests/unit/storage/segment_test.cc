// LogSegment: append with index entries, reads, timestamp search, recovery, truncation, and
// the cleaner's segment replacement through the Log.
#include <gtest/gtest.h>

#include "protocol/records/batch_iterator.h"
#include "storage/append_validator.h"
#include "storage/file_names.h"
#include "storage/log.h"
#include "storage/log_segment.h"
#include "storage_test_util.h"

namespace keel::storage {
namespace {

using protocol::Bytes;
using testing::base_offsets;
using testing::make_batch;
using testing::simple_batch;
using testing::TempDir;

// Appends client batches to a segment the way Log::append does (stamped headers).
int64_t append_batches(LogSegment& seg, const std::vector<Bytes>& batches, int64_t next) {
  for (const Bytes& b : batches) {
    auto header = protocol::parse_batch_header(b);
    EXPECT_TRUE(header.ok());
    const StampedHeader h = stamp_header(b, next, 1, -1);
    const std::span<const uint8_t> parts[2] = {h, std::span<const uint8_t>(b).subspan(61)};
    const BatchMeta meta{next, next + header->last_offset_delta, header->max_timestamp,
                         static_cast<uint32_t>(b.size())};
    EXPECT_TRUE(seg.append(parts, std::span<const BatchMeta>(&meta, 1), 0).ok());
    next = meta.last_offset + 1;
  }
  return next;
}

LogConfig small_index_config() {
  LogConfig config;
  config.index_interval_bytes = 200;
  config.segment_index_bytes = 4096;
  return config;
}

TEST(LogSegmentTest, AppendIndexesAndReads) {
  TempDir dir;
  auto seg = LogSegment::create(Env::posix(), dir.path(), 100, small_index_config());
  ASSERT_TRUE(seg.ok()) << seg.status();
  std::vector<Bytes> batches;
  for (int i = 0; i < 40; ++i) batches.push_back(simple_batch(2, 1000 + 10 * i, 40));
  const int64_t next = append_batches(**seg, batches, 100);
  EXPECT_EQ(next, 180);
  EXPECT_EQ((*seg)->next_offset(), 180);
  EXPECT_EQ(*(*seg)->max_timestamp(), 1391);
  for (int64_t offset = 100; offset < 180; offset += 7) {
    auto slice = (*seg)->read(offset, 1, 1000, true);
    ASSERT_TRUE(slice.ok() && slice->has_value());
    auto bytes = read_slice(**slice);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(base_offsets(*bytes), std::vector<int64_t>{offset - (offset % 2)});
  }
  auto beyond = (*seg)->read(180, 1000, 1000, true);
  ASSERT_TRUE(beyond.ok());
  EXPECT_FALSE(beyond->has_value());
  auto found = (*seg)->find_timestamp(1205, 0);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(**found, (TimestampOffset{1210, 142}));
  found = (*seg)->find_timestamp(1205, 150);  // below the log start: skipped
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->offset, 150);
  ASSERT_TRUE((*seg)->seal().ok());
  // Sealed: the index files hold exactly their entries; the last time entry is the max.
  auto index_size = Env::posix()->file_size(segment_file(dir.path(), 100, kIndexSuffix));
  ASSERT_TRUE(index_size.ok());
  EXPECT_GT(*index_size, 0u);
  EXPECT_EQ(*index_size % 8, 0u);
}

TEST(LogSegmentTest, ReopenLazilyAndRebuildMissingIndexes) {
  TempDir dir;
  {
    auto seg = LogSegment::create(Env::posix(), dir.path(), 0, small_index_config());
    ASSERT_TRUE(seg.ok());
    std::vector<Bytes> batches;
    for (int i = 0; i < 30; ++i) batches.push_back(simple_batch(3, 500 + i, 30));
    append_batches(**seg, batches, 0);
    ASSERT_TRUE((*seg)->seal().ok());
    ASSERT_TRUE((*seg)->close().ok());
  }
  ASSERT_TRUE(Env::posix()->remove_file(segment_file(dir.path(), 0, kTimeIndexSuffix)).ok());
  auto seg = LogSegment::open(Env::posix(), dir.path(), 0, small_index_config());
  ASSERT_TRUE(seg.ok());
  EXPECT_EQ(*(*seg)->max_timestamp(), 531);  // rebuilt from the batches
  EXPECT_TRUE(Env::posix()->exists(segment_file(dir.path(), 0, kTimeIndexSuffix)));
  auto found = (*seg)->find_timestamp(520, 0);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->offset, 56);  // batch 18 holds 518..520
}

TEST(LogSegmentTest, RecoverTruncatesAtTheFirstBadBatch) {
  TempDir dir;
  std::vector<Bytes> batches;
  for (int i = 0; i < 10; ++i) batches.push_back(simple_batch(2, 100 + i, 50));
  uint64_t good_size = 0;
  {
    auto seg = LogSegment::create(Env::posix(), dir.path(), 0, small_index_config());
    ASSERT_TRUE(seg.ok());
    append_batches(**seg, batches, 0);
    good_size = (*seg)->size();
  }
  // Flip a byte inside batch 6's records.
  const std::string path = segment_file(dir.path(), 0, kLogSuffix);
  auto contents = Env::posix()->read_file(path);
  ASSERT_TRUE(contents.ok());
  const size_t batch_size = batches[0].size();
  (*contents)[6 * batch_size + 70] ^= 1;
  ASSERT_TRUE(Env::posix()->remove_file(path).ok());
  ASSERT_TRUE(Env::posix()->write_file_atomically(path, *contents).ok());
  auto seg = LogSegment::open(Env::posix(), dir.path(), 0, small_index_config());
  ASSERT_TRUE(seg.ok());
  std::vector<int32_t> epochs;
  auto scan = (*seg)->recover(UINT32_MAX, 0, [&](const protocol::RecordBatchHeader& h) {
    epochs.push_back(h.partition_leader_epoch);
  });
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_EQ(scan->batches, 6);
  EXPECT_EQ(scan->next_offset, 12);
  EXPECT_EQ(scan->valid_bytes, 6 * batch_size);
  EXPECT_EQ(scan->truncated_bytes, good_size - 6 * batch_size);
  EXPECT_EQ(scan->truncated_batches, 4);
  EXPECT_NE(scan->problem.find("crc"), std::string::npos) << scan->problem;
  EXPECT_EQ(epochs, std::vector<int32_t>(6, 1));
  EXPECT_EQ(*Env::posix()->file_size(path), 6 * batch_size);
}

TEST(LogSegmentTest, TruncateToKeepsWholeBatchesBelow) {
  TempDir dir;
  auto seg = LogSegment::create(Env::posix(), dir.path(), 0, small_index_config());
  ASSERT_TRUE(seg.ok());
  std::vector<Bytes> batches;
  for (int i = 0; i < 20; ++i) batches.push_back(simple_batch(3, 100 + 10 * i, 40));
  append_batches(**seg, batches, 0);
  auto removed = (*seg)->truncate_to(31);  // inside batch 10 (30..32): it goes whole
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 10 * batches[0].size());
  EXPECT_EQ((*seg)->next_offset(), 30);
  EXPECT_EQ((*seg)->size(), 10 * batches[0].size());
  EXPECT_EQ(*(*seg)->max_timestamp(), 100 + 90 + 2);
  auto none = (*seg)->read(30, 1000, 1000, true);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(append_batches(**seg, {simple_batch(1, 5)}, 30), 31);
}

// The cleaner's path: a cleaned segment replaces two old ones, offsets preserved.
TEST(LogSegmentTest, ReplaceSegmentsThroughTheLog) {
  TempDir dir;
  ManualClock clock;
  LogConfig config;
  config.segment_bytes = 600;
  RecoveryOptions fresh;
  fresh.clean_shutdown = true;
  auto log = Log::open(Env::posix(), &clock, dir.file("t-0"), config, fresh);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE((*log)->append(testing::records_of(simple_batch(2, 100 + i, 100)), 0).ok());
  }
  auto segs = (*log)->segments();
  ASSERT_GE(segs.size(), 3u);
  const int64_t first = segs[0].base_offset, second = segs[1].base_offset;
  const int64_t end = segs[1].end_offset;
  // "Clean" segments 0 and 1 into one holding only their last batch.
  auto slice = (*log)->read(end - 1, 1 << 20, INT64_MAX, true);
  ASSERT_TRUE(slice.ok());
  auto last_batch = read_slice(*slice);
  ASSERT_TRUE(last_batch.ok());
  auto cleaned = (*log)->create_cleaned_segment(first);
  ASSERT_TRUE(cleaned.ok());
  ASSERT_TRUE((*cleaned)->append_batches(*last_batch, 0).ok());
  std::vector<std::unique_ptr<LogSegment>> replacements;
  replacements.push_back(std::move(*cleaned));
  const int64_t old[] = {first, second};
  ASSERT_TRUE((*log)->replace_segments(old, std::move(replacements)).ok());
  segs = (*log)->segments();
  EXPECT_EQ(segs[0].base_offset, first);
  EXPECT_EQ(segs[0].end_offset, end);
  auto names = Env::posix()->list_dir(dir.file("t-0"));
  ASSERT_TRUE(names.ok());
  for (const std::string& n : *names) EXPECT_EQ(n.find(".cleaned"), std::string::npos) << n;
  for (const std::string& n : *names) EXPECT_EQ(n.find(".deleted"), std::string::npos) << n;
  // Reading from the start now returns the retained batch.
  auto bytes = testing::read_bytes(**log, first);
  EXPECT_EQ(base_offsets(bytes), std::vector<int64_t>{end - 2});
  // It survives a reopen, clean or not.
  ASSERT_TRUE((*log)->close().ok());
  for (bool clean : {true, false}) {
    RecoveryOptions options;
    options.clean_shutdown = clean;
    auto reopened = Log::open(Env::posix(), &clock, dir.file("t-0"), config, options);
    ASSERT_TRUE(reopened.ok()) << reopened.status();
    EXPECT_EQ(base_offsets(testing::read_bytes(**reopened, first)), std::vector<int64_t>{end - 2});
    EXPECT_EQ((*reopened)->log_end_offset(), 16);
    ASSERT_TRUE((*reopened)->close().ok());
  }
}

// A crash after the `.swap` rename: the next open completes the replacement.
TEST(LogSegmentTest, OpenCompletesACommittedSwap) {
  TempDir dir;
  ManualClock clock;
  LogConfig config;
  config.segment_bytes = 600;
  RecoveryOptions fresh;
  fresh.clean_shutdown = true;
  {
    auto log = Log::open(Env::posix(), &clock, dir.file("t-0"), config, fresh);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 8; ++i) {
      ASSERT_TRUE((*log)->append(testing::records_of(simple_batch(2, 100 + i, 100)), 0).ok());
    }
    ASSERT_TRUE((*log)->close().ok());
  }
  // Write a `.swap` segment by hand replacing segment 0 with just its last batch.
  auto base = LogSegment::open(Env::posix(), dir.file("t-0"), 0, config);
  ASSERT_TRUE(base.ok());
  auto scan = (*base)->recover(UINT32_MAX, 0);
  ASSERT_TRUE(scan.ok());
  auto cleaned = LogSegment::create(Env::posix(), dir.file("t-0"), 0, config, ".swap");
  ASSERT_TRUE(cleaned.ok());
  auto slice = (*base)->read(scan->next_offset - 1, 1 << 20, INT64_MAX, true);
  ASSERT_TRUE(slice.ok() && slice->has_value());
  auto last = read_slice(**slice);
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE((*cleaned)->append_batches(*last, 0).ok());
  ASSERT_TRUE((*cleaned)->seal().ok());
  ASSERT_TRUE((*cleaned)->close().ok());
  RecoveryOptions unclean;
  auto log = Log::open(Env::posix(), &clock, dir.file("t-0"), config, unclean);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(base_offsets(testing::read_bytes(**log, 0)),
            std::vector<int64_t>{scan->next_offset - 2});
  EXPECT_FALSE(Env::posix()->exists(segment_file(dir.file("t-0"), 0, kLogSuffix, ".swap")));
}

}  // namespace
}  // namespace keel::storage
