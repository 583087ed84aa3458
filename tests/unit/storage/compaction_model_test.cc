// Compaction against an in-memory model (compaction_test_util.h): random keyed workloads with
// overwrites and tombstones in every codec, cleaned with large and tiny offset maps; keys
// overwritten many times collapse; tombstones live exactly until their delete horizon;
// the active segment, young segments and records above the high watermark are not touched;
// compact,delete also applies retention; keyless records never reach a compacted log.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/error_code.h"
#include "protocol/records/compression.h"
#include "storage/compaction/cleaner_schedule.h"
#include "storage/compaction/log_cleaner.h"
#include "storage/file_names.h"
#include "tests/unit/storage/compaction_test_util.h"

namespace keel::storage::compaction {
namespace {

using protocol::Compression;
using testing::compact_config;
using testing::CompactionHarness;
using testing::Rec;

Rec rec(std::string key, std::optional<std::string> value, int64_t ts) {
  Rec r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.timestamp = ts;
  return r;
}

// Appends, cleans (map big or tiny, so some passes take many rounds), advances the clock
// around the delete retention, cleans again; after every pass the log is exactly the model.
TEST(CompactionModelTest, RandomWorkloadsMatchTheModel) {
  for (uint64_t seed = 1; seed <= 24; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    CompactionHarness h(compact_config(), seed);
    ASSERT_TRUE(h.open().ok());
    testing::WorkloadShape shape;
    shape.key_space = 5 + static_cast<int>(h.rng()() % 60);
    shape.tombstone_percent = static_cast<int>(h.rng()() % 30);
    int rounds_seen = 0;
    for (int phase = 0; phase < 6; ++phase) {
      SCOPED_TRACE("phase " + std::to_string(phase));
      const int batches = 10 + static_cast<int>(h.rng()() % 50);
      for (int i = 0; i < batches; ++i) ASSERT_TRUE(h.append_random(shape).ok());
      if (h.rng()() % 3 == 0) {
        ASSERT_TRUE(h.log().roll().ok());
      }
      CleanerOptions options;
      // Tiny maps (16 slots: 12 keys) force a round per few batches.
      options.buffer_bytes = h.rng()() % 2 == 0 ? 64u << 10 : 16 * KeyOffsetMap::kEntryBytes;
      auto result = h.clean(options);
      ASSERT_TRUE(result.ok()) << result.status();
      rounds_seen = std::max(rounds_seen, result->rounds);
      ASSERT_EQ(h.check(), "");
      // Around the horizon: before, exactly at, after.
      const int64_t drm = h.config().delete_retention_ms;
      const int64_t steps[] = {0, drm / 2, drm - 1, drm, drm + 1};
      h.clock().advance_ms(steps[h.rng()() % 5]);
      result = h.clean(options);
      ASSERT_TRUE(result.ok()) << result.status();
      ASSERT_EQ(h.check(), "");
    }
    EXPECT_GT(rounds_seen, 0);
    // With no new writes and no time passing, passes settle: nothing left to rewrite (a
    // placeholder segment or a mergeable neighbour must not be rewritten forever).
    int replaced = 1;
    for (int pass = 0; pass < 5 && replaced > 0; ++pass) {
      auto result = h.clean();
      ASSERT_TRUE(result.ok()) << result.status();
      replaced = result->groups_replaced;
    }
    EXPECT_EQ(replaced, 0);
    ASSERT_EQ(h.check(), "");
  }
}

// One key overwritten a thousand times across many segments collapses to its last value, and
// the emptied segments are merged instead of lingering (redpanda#13982's "never collapse").
TEST(CompactionModelTest, KeysOverwrittenRepeatedlyCollapse) {
  for (Compression codec : {Compression::kNone, Compression::kGzip, Compression::kSnappy,
                            Compression::kLz4, Compression::kZstd}) {
    SCOPED_TRACE(protocol::compression_name(codec));
    CompactionHarness h(compact_config(), 7);
    ASSERT_TRUE(h.open().ok());
    for (int i = 0; i < 1000; ++i) {
      ASSERT_TRUE(h.append({rec("hot", "value-" + std::to_string(i), 1000 + i),
                            rec("hot", "value-" + std::to_string(i) + "b", 1000 + i)},
                           codec)
                      .ok());
    }
    ASSERT_TRUE(h.log().roll().ok());
    ASSERT_TRUE(h.append({rec("other", "x", 5000)}, codec).ok());  // the active segment
    const int segments_before = h.log().segment_count();
    ASSERT_GT(segments_before, 20);
    auto result = h.clean();
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_EQ(h.check(), "");
    std::string problem;
    std::vector<Rec> got = testing::read_records(h.log(), &problem);
    ASSERT_EQ(problem, "");
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(*got[0].value, "value-999b");
    EXPECT_EQ(got[0].offset, 1999);
    EXPECT_EQ(*got[1].key, "other");
    EXPECT_LE(h.log().segment_count(), 3);
    EXPECT_EQ(result->stats.shadowed_removed, 1999);
    // A second pass finds nothing to change.
    auto again = h.clean();
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->groups_replaced, 0);
    EXPECT_EQ(h.check(), "");
  }
}

// A tombstone survives the pass that first cleans it (which sets the batch's delete horizon:
// attribute bit 6, baseTimestamp = now + delete.retention.ms, record times unchanged), every
// pass before the horizon, and goes with the first pass at or after it. The older value of
// its key goes at once. The scheduler wakes up for the horizon even with nothing dirty.
TEST(CompactionModelTest, TombstonesLiveUntilTheirDeleteHorizon) {
  CompactionHarness h(compact_config(), 3);
  ASSERT_TRUE(h.open().ok());
  ASSERT_TRUE(h.append({rec("a", "1", 100), rec("b", "1", 101)}, Compression::kLz4).ok());
  ASSERT_TRUE(h.append({rec("a", std::nullopt, 102), rec("c", "1", 103)}, Compression::kLz4).ok());
  ASSERT_TRUE(h.log().roll().ok());
  ASSERT_TRUE(h.append({rec("d", "1", 104)}, Compression::kNone).ok());
  const int64_t drm = h.config().delete_retention_ms;
  const int64_t t0 = h.clock().now_ms();

  auto result = h.clean();
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(h.check(), "");
  EXPECT_EQ(result->next_delete_horizon_ms, t0 + drm);
  std::string problem;
  auto batches = testing::read_batches(h.log(), &problem);
  ASSERT_EQ(problem, "");
  bool found = false;
  for (const auto& b : batches) {
    for (const Rec& r : b.records) {
      if (!r.value) {
        found = true;
        EXPECT_TRUE(b.header.has_delete_horizon());
        EXPECT_EQ(b.header.base_timestamp, t0 + drm);
        EXPECT_EQ(r.timestamp, 102);  // re-based, not changed
        EXPECT_EQ(b.header.compression(), Compression::kLz4);
      }
    }
  }
  ASSERT_TRUE(found) << "the tombstone must survive its first pass";

  CleanerState state;
  state.update(*result);
  EXPECT_FALSE(cleaning_due(h.log(), state, h.clock().now_ms()));
  h.clock().advance_ms(drm - 1);
  EXPECT_FALSE(cleaning_due(h.log(), state, h.clock().now_ms()));
  result = h.clean();
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(h.check(), "");
  EXPECT_EQ(result->stats.tombstones_removed, 0);

  h.clock().advance_ms(1);  // exactly at the horizon
  state.update(*result);
  EXPECT_TRUE(cleaning_due(h.log(), state, h.clock().now_ms()));
  result = h.clean();
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(h.check(), "");
  EXPECT_EQ(result->stats.tombstones_removed, 1);
  EXPECT_EQ(result->next_delete_horizon_ms, -1);
  std::vector<Rec> got = testing::read_records(h.log(), &problem);
  for (const Rec& r : got) EXPECT_NE(*r.key, "a") << testing::describe(r);
  state.update(*result);
  EXPECT_FALSE(cleaning_due(h.log(), state, h.clock().now_ms()));
}

// The active segment is never read for cleaning nor rewritten; segments younger than
// min.compaction.lag.ms and those reaching past the high watermark are not cleaned, and a
// key's later value in them does not shadow its older value below.
TEST(CompactionModelTest, ActiveYoungAndUncommittedSegmentsAreUntouched) {
  LogConfig config = compact_config();
  config.min_compaction_lag_ms = 10'000;
  CompactionHarness h(config, 5);
  ASSERT_TRUE(h.open().ok());
  const int64_t now = h.clock().now_ms();
  ASSERT_TRUE(h.append({rec("k", "old", now - 60'000), rec("k", "older?", now - 59'000)},
                       Compression::kNone)
                  .ok());
  ASSERT_TRUE(h.log().roll().ok());
  const int64_t young_base = h.log().log_end_offset();
  ASSERT_TRUE(h.append({rec("k", "young", now - 1'000)}, Compression::kNone).ok());
  ASSERT_TRUE(h.log().roll().ok());
  ASSERT_TRUE(h.append({rec("k", "active", now)}, Compression::kNone).ok());
  const std::vector<SegmentInfo> before = h.log().segments();
  auto result = h.clean();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->range.first_uncleanable_offset, young_base);
  ASSERT_EQ(h.check(), "");  // offset 0 went (shadowed by 1), 1..3 stay
  const std::vector<SegmentInfo> after = h.log().segments();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 1; i < after.size(); ++i) {
    EXPECT_EQ(after[i].log_path, before[i].log_path);
    EXPECT_EQ(after[i].size_bytes, before[i].size_bytes);
  }

  // Once old enough the young segment is cleaned, still not the active one; with the high
  // watermark held back nothing past it is.
  h.clock().advance_ms(20'000);
  h.log().set_high_watermark(young_base);
  CleanerOptions options;
  options.first_dirty_offset = h.first_dirty();
  auto held = clean_log(h.log(), h.clock(), options);
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->range.first_uncleanable_offset, young_base);
  result = h.clean();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->range.first_uncleanable_offset, h.log().segments().back().base_offset);
  ASSERT_EQ(h.check(), "");
}

// compact,delete: retention by time deletes old segments first (their keys are gone even
// if latest), then compaction applies to the rest.
TEST(CompactionModelTest, CompactDeleteAlsoAppliesRetention) {
  LogConfig config = compact_config();
  config.cleanup_delete = true;
  config.retention_ms = 60'000;
  CompactionHarness h(config, 11);
  ASSERT_TRUE(h.open().ok());
  const int64_t now = h.clock().now_ms();
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(
        h.append({rec("old-" + std::to_string(i % 7), "v", now - 120'000)}, Compression::kZstd)
            .ok());
  }
  ASSERT_TRUE(h.log().roll().ok());
  const int64_t recent_base = h.log().log_end_offset();
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(
        h.append({rec("new-" + std::to_string(i % 9), std::to_string(i), now)}, Compression::kGzip)
            .ok());
  }
  auto result = h.clean();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_GT(result->retention.segments_deleted, 0);
  EXPECT_EQ(h.log().log_start_offset(), recent_base);
  ASSERT_EQ(h.check(), "");
  std::string problem;
  for (const Rec& r : testing::read_records(h.log(), &problem)) {
    EXPECT_EQ(r.key->rfind("new-", 0), 0u) << testing::describe(r);
  }
}

// Kafka refuses keyless records on compacted topics (INVALID_RECORD) at append time, in any
// codec and for compact,delete too; nothing is written.
TEST(CompactionModelTest, KeylessRecordsAreRefusedOnCompactedLogs) {
  for (bool with_delete : {false, true}) {
    for (Compression codec : {Compression::kNone, Compression::kZstd}) {
      LogConfig config = compact_config();
      config.cleanup_delete = with_delete;
      CompactionHarness h(config, 1);
      ASSERT_TRUE(h.open().ok());
      Rec keyless;
      keyless.value = "v";
      auto result = h.append({rec("k", "v", 1), keyless}, codec);
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(protocol::to_error_code(result.status()), protocol::ErrorCode::kInvalidRecord);
      EXPECT_EQ(h.log().log_end_offset(), 0);
    }
  }
  // A topic switched to compact by AlterConfigs refuses them from then on.
  LogConfig config = compact_config();
  config.cleanup_compact = false;
  config.cleanup_delete = true;
  CompactionHarness h(config, 1);
  ASSERT_TRUE(h.open().ok());
  Rec keyless;
  keyless.value = "v";
  ASSERT_TRUE(h.append({keyless}, Compression::kNone).ok());
  config.cleanup_compact = true;
  h.log().set_config(config);
  auto result = h.append({keyless}, Compression::kNone);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(protocol::to_error_code(result.status()), protocol::ErrorCode::kInvalidRecord);
}

// Keyless records written before the switch are removed by the cleaner (as Kafka does).
TEST(CompactionModelTest, KeylessRecordsFromBeforeCompactionAreRemoved) {
  LogConfig config = compact_config();
  config.cleanup_compact = false;
  CompactionHarness h(config, 1);
  ASSERT_TRUE(h.open().ok());
  Rec keyless;
  keyless.value = "v";
  ASSERT_TRUE(h.append({keyless, rec("k", "1", 5)}, Compression::kSnappy).ok());
  ASSERT_TRUE(h.log().roll().ok());
  ASSERT_TRUE(h.append({rec("k", "2", 6)}, Compression::kNone).ok());
  config.cleanup_compact = true;
  h.log().set_config(config);
  auto result = h.clean();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stats.keyless_removed, 1);
  EXPECT_EQ(h.check(), "");
}

// Rewritten batches keep base offset, lastOffsetDelta, leader epoch, producer id/epoch/base
// sequence and codec; the log reopens (clean and unclean) to the same records.
TEST(CompactionModelTest, BatchFieldsAreKeptAndTheLogReopens) {
  CompactionHarness h(compact_config(), 9);
  ASSERT_TRUE(h.open().ok());
  protocol::BatchOptions idempotent;
  idempotent.producer_id = 77;
  idempotent.producer_epoch = 3;
  idempotent.base_sequence = 10;
  ASSERT_TRUE(h.append({rec("a", "1", 1), rec("b", "1", 2), rec("a", "2", 3)}, Compression::kSnappy,
                       idempotent)
                  .ok());
  idempotent.base_sequence = 13;
  ASSERT_TRUE(h.append({rec("c", "1", 4)}, Compression::kNone, idempotent).ok());
  ASSERT_TRUE(h.log().roll().ok());
  ASSERT_TRUE(h.append({rec("z", "1", 5)}, Compression::kNone).ok());
  auto result = h.clean();
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(h.check(), "");
  std::string problem;
  auto batches = testing::read_batches(h.log(), &problem);
  ASSERT_EQ(problem, "");
  ASSERT_GE(batches.size(), 2u);
  const auto& first = batches[0].header;
  EXPECT_EQ(first.base_offset, 0);
  EXPECT_EQ(first.last_offset_delta, 2);
  EXPECT_EQ(first.record_count, 2);
  EXPECT_EQ(first.partition_leader_epoch, 1);
  EXPECT_EQ(first.producer_id, 77);
  EXPECT_EQ(first.producer_epoch, 3);
  EXPECT_EQ(first.base_sequence, 10);
  EXPECT_EQ(first.compression(), Compression::kSnappy);

  ASSERT_TRUE(h.log().close().ok());
  h.drop();
  RecoveryOptions clean_open;
  clean_open.clean_shutdown = true;
  ASSERT_TRUE(h.open(clean_open).ok());
  EXPECT_EQ(h.check(), "");
  h.drop();
  ASSERT_TRUE(h.open().ok());  // unclean, full rescan
  EXPECT_EQ(h.check(), "");
  EXPECT_EQ(h.log().report().bytes_truncated, 0);
}

}  // namespace
}  // namespace keel::storage::compaction
