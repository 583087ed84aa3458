// The cleaner's parts: the key hash (SipHash-2-4 known answers), the bounded offset map,
// transactions and producer state in cleaning, the cleanable range and the scheduling helpers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/records/control_record.h"
#include "protocol/records/record_batch_builder.h"
#include "storage/compaction/cleanable_range.h"
#include "storage/compaction/cleaner_schedule.h"
#include "storage/compaction/key_hash.h"
#include "storage/compaction/log_cleaner.h"
#include "storage/compaction/offset_map.h"
#include "tests/unit/storage/compaction_test_util.h"

namespace keel::storage::compaction {
namespace {

using protocol::Bytes;
using protocol::Compression;
using testing::compact_config;
using testing::CompactionHarness;

std::vector<uint8_t> sequence(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i);
  return v;
}

std::vector<uint8_t> le_bytes(const KeyHash& h) {
  std::vector<uint8_t> out;
  for (uint64_t word : {h.lo, h.hi}) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(word >> (8 * i)));
  }
  return out;
}

// Known answers from the SipHash paper and its reference vectors (key 00..0f).
TEST(CompactionKeyHashTest, SipHashKnownAnswers) {
  const uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
  EXPECT_EQ(siphash24_64(k0, k1, sequence(15)), 0xa129ca6149be45e5ULL);
  const KeyHasher hasher(k0, k1);
  EXPECT_EQ(le_bytes(hasher(sequence(0))),
            (std::vector<uint8_t>{0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6, 0x6d, 0xf6, 0x72,
                                  0x14, 0xc7, 0x55, 0x02, 0x93}));
  EXPECT_EQ(le_bytes(hasher(sequence(15))),
            (std::vector<uint8_t>{0x54, 0x93, 0xe9, 0x99, 0x33, 0xb0, 0xa8, 0x11, 0x7e, 0x08, 0xec,
                                  0x0f, 0x97, 0xcf, 0xc3, 0xd9}));
  // Random keys differ per hasher.
  EXPECT_FALSE(KeyHasher::random()(sequence(4)) == KeyHasher::random()(sequence(4)));
}

TEST(CompactionOffsetMapTest, KeepsLatestOffsetsAndRefusesNewKeysWhenFull) {
  const KeyHasher hasher(1, 2);
  KeyOffsetMap map(100 * KeyOffsetMap::kEntryBytes, 1'000'000);
  EXPECT_EQ(map.memory_bytes(), 100 * KeyOffsetMap::kEntryBytes);
  EXPECT_EQ(map.capacity(), 80u);
  std::vector<KeyHash> keys;
  for (int i = 0; i < 80; ++i) {
    const std::string k = "key" + std::to_string(i);
    keys.push_back(hasher(testing::bytes_of(k)));
    ASSERT_TRUE(map.put(keys.back(), i));
  }
  EXPECT_EQ(map.free(), 0u);
  EXPECT_FALSE(map.put(hasher(testing::bytes_of(std::string("new"))), 1000));
  EXPECT_TRUE(map.put(keys[3], 500));  // existing keys still update
  EXPECT_TRUE(map.put(keys[4], 1));    // never backwards
  EXPECT_EQ(map.get(keys[3]), 500);
  EXPECT_EQ(map.get(keys[4]), 4);
  EXPECT_EQ(map.get(hasher(testing::bytes_of(std::string("absent")))), -1);
  map.clear();
  EXPECT_EQ(map.get(keys[3]), -1);
  EXPECT_EQ(map.free(), 80u);
  // Sized by need when that is below the budget.
  KeyOffsetMap small(128u << 20, 100);
  EXPECT_LT(small.memory_bytes(), 200 * KeyOffsetMap::kEntryBytes);
  EXPECT_GE(small.capacity(), 100u);
}

// A batch at `base` with the given producer fields.
Bytes batch_at(int64_t base, const std::vector<std::pair<std::string, std::string>>& kv,
               int64_t pid = -1, bool transactional = false, int32_t sequence = 0) {
  protocol::BatchOptions options;
  options.base_offset = base;
  options.partition_leader_epoch = 1;
  options.producer_id = pid;
  options.producer_epoch = pid >= 0 ? 0 : -1;
  options.base_sequence = pid >= 0 ? sequence : -1;
  options.transactional = transactional;
  protocol::RecordBatchBuilder builder(options);
  for (const auto& [k, v] : kv) {
    protocol::RecordInput in;
    in.timestamp = 1000 + base;
    in.key = testing::bytes_of(k);
    in.value = testing::bytes_of(v);
    builder.append(in);
  }
  return *builder.build();
}

Bytes marker_at(int64_t base, int64_t pid, bool commit) {
  protocol::EndTxnMarker m;
  m.type = commit ? protocol::ControlRecordType::kCommit : protocol::ControlRecordType::kAbort;
  m.producer_id = pid;
  m.producer_epoch = 0;
  m.base_offset = base;
  m.timestamp = 1000 + base;
  m.partition_leader_epoch = 1;
  return *protocol::build_end_txn_marker_batch(m);
}

absl::Status follow(Log& log, const Bytes& batch) {
  return log.append_as_follower(protocol::RecordsView(batch.data(), batch.size())).status();
}

// Aborted transactional records go (the batch stays empty as its producer's last), committed
// ones are compacted like any other, an open transaction is kept whole and shadows nothing,
// markers stay.
TEST(CompactionTxnTest, AbortedGoCommittedCompactOpenStay) {
  CompactionHarness h(compact_config(), 1);
  ASSERT_TRUE(h.open().ok());
  Log& log = h.log();
  ASSERT_TRUE(follow(log, batch_at(0, {{"k1", "v0"}, {"k2", "v0"}})).ok());
  ASSERT_TRUE(follow(log, batch_at(2, {{"k1", "aborted"}, {"k3", "aborted"}}, 100, true)).ok());
  ASSERT_TRUE(follow(log, marker_at(4, 100, false)).ok());
  ASSERT_TRUE(follow(log, batch_at(5, {{"k2", "committed"}, {"k4", "committed"}}, 200, true)).ok());
  ASSERT_TRUE(follow(log, marker_at(7, 200, true)).ok());
  ASSERT_TRUE(follow(log, batch_at(8, {{"k1", "open"}}, 300, true)).ok());
  ASSERT_TRUE(follow(log, batch_at(9, {{"k4", "new"}})).ok());
  ASSERT_TRUE(log.roll().ok());
  ASSERT_TRUE(follow(log, batch_at(10, {{"x", "active"}})).ok());
  log.set_high_watermark(log.log_end_offset());

  CleanerOptions options;
  auto result = clean_log(log, h.clock(), options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stats.aborted_removed, 2);
  std::string problem;
  auto batches = testing::read_batches(log, &problem);
  ASSERT_EQ(problem, "");
  std::vector<std::string> seen;
  for (const auto& b : batches) {
    std::string line = std::to_string(b.header.base_offset) + ":";
    if (b.header.is_control()) line += "marker";
    for (const auto& r : b.records) {
      if (!b.header.is_control()) line += " " + *r.key + "=" + *r.value;
    }
    seen.push_back(line);
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"0: k1=v0", "2:", "4:marker", "5: k2=committed", "7:marker",
                                      "8: k1=open", "9: k4=new", "10: x=active"}));
  // The emptied aborted batch keeps its producer fields for producer state.
  ASSERT_GE(batches.size(), 2u);
  EXPECT_EQ(batches[1].header.producer_id, 100);
  EXPECT_EQ(batches[1].header.last_offset_delta, 1);
  EXPECT_EQ(batches[1].header.record_count, 0);
  EXPECT_TRUE(batches[1].header.is_transactional());
  EXPECT_TRUE(batches[3].header.is_transactional());
  EXPECT_EQ(batches[3].header.last_offset_delta, 1);
}

// An idempotent producer's last batch survives as an empty batch when all its records are
// shadowed; its earlier batches just go.
TEST(CompactionTxnTest, LastBatchOfAProducerIsKeptEmpty) {
  CompactionHarness h(compact_config(), 1);
  ASSERT_TRUE(h.open().ok());
  Log& log = h.log();
  ASSERT_TRUE(follow(log, batch_at(0, {{"a", "1"}}, 500, false, 0)).ok());
  ASSERT_TRUE(follow(log, batch_at(1, {{"a", "2"}}, 500, false, 1)).ok());
  ASSERT_TRUE(follow(log, batch_at(2, {{"a", "3"}})).ok());
  ASSERT_TRUE(log.roll().ok());
  ASSERT_TRUE(follow(log, batch_at(3, {{"x", "1"}})).ok());
  log.set_high_watermark(log.log_end_offset());
  auto result = clean_log(log, h.clock(), CleanerOptions{});
  ASSERT_TRUE(result.ok()) << result.status();
  std::string problem;
  auto batches = testing::read_batches(log, &problem);
  ASSERT_EQ(problem, "");
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].header.base_offset, 1);
  EXPECT_EQ(batches[0].header.producer_id, 500);
  EXPECT_EQ(batches[0].header.base_sequence, 1);
  EXPECT_EQ(batches[0].header.record_count, 0);
  EXPECT_EQ(batches[1].records.size(), 1u);
  EXPECT_EQ(*batches[1].records[0].value, "3");
}

// A batch with more records than the whole map holds cannot be cleaned: a clear error.
TEST(CompactionOffsetMapTest, ABatchLargerThanTheMapIsAnError) {
  CompactionHarness h(compact_config(), 1);
  ASSERT_TRUE(h.open().ok());
  std::vector<testing::Rec> many;
  for (int i = 0; i < 30; ++i) {
    testing::Rec r;
    r.key = "k" + std::to_string(i);
    r.value = "v";
    many.push_back(r);
  }
  ASSERT_TRUE(h.append(many, Compression::kNone).ok());
  ASSERT_TRUE(h.log().roll().ok());
  ASSERT_TRUE(h.append({many[0]}, Compression::kNone).ok());
  CleanerOptions options;
  options.buffer_bytes = 16 * KeyOffsetMap::kEntryBytes;
  h.log().set_high_watermark(h.log().log_end_offset());
  auto result = clean_log(h.log(), h.clock(), options);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kResourceExhausted);
  std::string problem;
  EXPECT_EQ(testing::read_records(h.log(), &problem).size(), 31u);
}

// Dirty ratio arithmetic, scheduling order, and the checkpoint file.
TEST(CompactionScheduleTest, DirtyRatioDecidesAndDirtiestGoesFirst) {
  CompactionHarness a(compact_config(), 1);
  CompactionHarness b(compact_config(), 2);
  ASSERT_TRUE(a.open().ok());
  ASSERT_TRUE(b.open().ok());
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(a.append_random().ok());
    ASSERT_TRUE(b.append_random().ok());
  }
  ASSERT_TRUE(a.clean().ok());
  // `a` is clean; `b` has never been cleaned (all dirty).
  a.log().set_high_watermark(a.log().log_end_offset());
  b.log().set_high_watermark(b.log().log_end_offset());
  CleanerState sa;
  sa.first_dirty_offset = a.first_dirty();
  sa.horizon_known = true;
  CleanerState sb;
  const int64_t now = a.clock().now_ms();
  double ratio = -1;
  EXPECT_FALSE(cleaning_due(a.log(), sa, now, 0.5, &ratio));
  EXPECT_EQ(ratio, 0.0);
  EXPECT_TRUE(cleaning_due(b.log(), sb, now, 0.5, &ratio));
  EXPECT_EQ(ratio, 1.0);

  const std::vector<SegmentInfo> segs = a.log().segments();
  CleanableRange range = cleanable_range(a.log(), segs, now, a.first_dirty());
  EXPECT_EQ(range.first_dirty_offset, range.first_uncleanable_offset);
  EXPECT_GT(range.clean_bytes, 0u);
  EXPECT_EQ(range.dirty_bytes, 0u);

  // More writes to `a`: dirty, but less so than `b`.
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(a.append_random().ok());
  a.log().set_high_watermark(a.log().log_end_offset());
  const Log* logs[] = {&a.log(), &b.log()};
  const CleanerState states[] = {sa, sb};
  std::vector<DueLog> due = logs_due(logs, states, now, 0.01);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].index, 1u);
  EXPECT_EQ(due[1].index, 0u);
  EXPECT_GT(due[1].dirty_ratio, 0.0);
  EXPECT_LT(due[1].dirty_ratio, 1.0);

  OffsetMap checkpoint;
  checkpoint[TopicPartition{"topic", 0}] = a.first_dirty();
  const std::string root = testing::make_temp_dir("keel_cleaner_ckpt");
  ASSERT_TRUE(write_cleaner_checkpoint(Env::posix(), root, checkpoint).ok());
  auto read = read_cleaner_checkpoint(Env::posix(), root);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, checkpoint);
  (void)Env::posix()->remove_dir(root);
}

TEST(CompactionScheduleTest, DeleteOnlyLogsAreRefused) {
  LogConfig config = compact_config();
  config.cleanup_compact = false;
  CompactionHarness h(config, 1);
  ASSERT_TRUE(h.open().ok());
  auto result = clean_log(h.log(), h.clock(), CleanerOptions{});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(cleaning_due(h.log(), CleanerState{}, h.clock().now_ms()));
}

}  // namespace
}  // namespace keel::storage::compaction
