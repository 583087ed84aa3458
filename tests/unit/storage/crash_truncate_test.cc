// Truncation (replication's truncate_to) against power cuts and disk faults: crashes at every
// step, truncated segments never coming back over newer flushed data, a truncation made durable
// before later structure changes, truncating at a segment boundary after a reopen, and a
// truncate_to failing part-way (crash_test_util.h).
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "storage/file_names.h"
#include "tests/unit/storage/crash_test_util.h"

namespace keel::storage {
namespace {

using crash_testing::append_some;
using crash_testing::crash_at_every_step;
using crash_testing::LogHarness;
using crash_testing::small_config;
using CrashOptions = FaultEnv::CrashOptions;

TEST(CrashTruncateTest, CrashAtEveryStepOfTruncateTo) {
  for (int variant = 0; variant < 3; ++variant) {
    SCOPED_TRACE("variant " + std::to_string(variant));
    crash_at_every_step(
        30 + variant, small_config(),
        [](LogHarness& h) {
          append_some(h, 40, 0);
          ASSERT_TRUE(h.flush().ok());
        },
        [variant](LogHarness& h) {
          // Into the active segment, into an older one, or inside a batch.
          const auto& model = h.model();
          const size_t index = variant == 0 ? model.size() - 2 : variant == 1 ? 5 : 12;
          const int64_t offset = model[index].base_offset + (variant == 2 ? 1 : 0);
          (void)h.truncate_to(offset);
          // New data at the truncated offsets, flushed: the old batches must never return.
          (void)h.append_random();
          (void)h.append_random();
          (void)h.flush();
        });
  }
}

// truncate_to that deletes whole segments, then appends that do not roll, then a flush: after
// a crash the deleted segments must not come back over the new data.
TEST(CrashTruncateTest, TruncatedSegmentsDoNotComeBackOverNewData) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    LogHarness h(seed, small_config());
    ASSERT_TRUE(h.open().ok());
    append_some(h, 40, 0);
    ASSERT_TRUE(h.flush().ok());
    ASSERT_GE(h.log()->segment_count(), 3);
    const int64_t target = h.model()[h.model().size() / 3].base_offset;
    ASSERT_TRUE(h.truncate_to(target).ok());
    ASSERT_TRUE(h.append_random().ok());
    ASSERT_TRUE(h.flush().ok());
    ASSERT_TRUE(h.crash().ok());
    ASSERT_TRUE(h.open(false, -1).ok());
    ASSERT_EQ(h.check(), "");
    EXPECT_EQ(h.log()->log_end_offset(), crash_testing::end_of(h.model()));
  }
}

// truncate_to(t) where t is exactly the end of a segment that a clean open did not load (only
// the active segment's tail is read at a clean open): the log must end at t.
TEST(CrashTruncateTest, TruncateToASegmentBoundaryAfterACleanReopen) {
  for (bool clean : {true, false}) {
    SCOPED_TRACE(clean ? "clean reopen" : "unclean reopen from the end");
    LogHarness h(50, small_config());
    ASSERT_TRUE(h.open().ok());
    append_some(h, 30, 0);
    ASSERT_TRUE(h.log()->roll().ok());
    ASSERT_TRUE(h.close().ok());
    ASSERT_TRUE(h.open(clean, h.durable()).ok());
    ASSERT_EQ(h.check(), "");
    const std::vector<SegmentInfo> segments = h.log()->segments();
    ASSERT_GE(segments.size(), 3u);
    append_some(h, 3, 0);
    for (size_t i = segments.size() - 1; i >= 1; --i) {
      const int64_t boundary = segments[i].base_offset;
      SCOPED_TRACE("truncate_to(" + std::to_string(boundary) + ")");
      ASSERT_TRUE(h.truncate_to(boundary).ok());
      EXPECT_EQ(h.log()->log_end_offset(), boundary);
      ASSERT_EQ(crash_testing::check_reads(*h.log(), h.model()), "");
      ASSERT_TRUE(h.append_random().ok());
      ASSERT_EQ(crash_testing::check_reads(*h.log(), h.model()), "");
    }
  }
}

// A truncation followed by a roll, then power cuts without any write in between: every reopen
// must show the same log (no flip-flop between the truncated and the old contents), whatever
// recovery point the checkpoint held.
TEST(CrashTruncateTest, TruncationIsDurableBeforeLaterStructureChanges) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    LogConfig config = small_config();
    config.segment_bytes = 1 << 20;  // everything in one segment
    LogHarness h(seed, config);
    ASSERT_TRUE(h.open().ok());
    append_some(h, 40, 0);
    ASSERT_TRUE(h.flush().ok());
    const int64_t target = h.model()[20].base_offset;
    ASSERT_TRUE(h.truncate_to(target).ok());
    ASSERT_TRUE(h.log()->roll().ok());
    const int64_t recovery_point = h.log()->recovery_point();
    CrashOptions options;
    options.keep_unsynced_metadata = true;  // the roll's new segment name survives
    ASSERT_TRUE(h.crash(options).ok());
    ASSERT_TRUE(h.open(false, recovery_point).ok());
    ASSERT_EQ(h.check(), "");
    const int64_t end = h.log()->log_end_offset();
    for (int64_t point : {recovery_point, int64_t{-1}}) {
      ASSERT_TRUE(h.crash().ok());
      ASSERT_TRUE(h.open(false, point).ok());
      EXPECT_EQ(h.log()->log_end_offset(), end) << "recovery point " << point;
      ASSERT_EQ(h.check(), "") << "recovery point " << point;
    }
  }
}

// truncate_to failing part-way (a read, sync or write fault): afterwards the log's offsets must
// match its files: a clean close that succeeds must reopen to the same end offset.
TEST(CrashTruncateTest, FailedTruncateToLeavesTheLogConsistent) {
  struct Fault {
    const char* name;
    void (*inject)(FaultEnv&);
  };
  const Fault faults[] = {
      {"read EIO on .log",
       [](FaultEnv& env) { env.fail_reads_with(EIO, FaultEnv::paths_containing(".log")); }},
      {"write ENOSPC", [](FaultEnv& env) { env.fail_writes_with(ENOSPC); }},
      {"sync EIO", [](FaultEnv& env) { env.fail_syncs_with(EIO); }},
  };
  for (const Fault& fault : faults) {
    for (int where = 0; where < 3; ++where) {
      SCOPED_TRACE(std::string(fault.name) + ", truncation point " + std::to_string(where));
      LogHarness h(60 + where, small_config());
      ASSERT_TRUE(h.open().ok());
      append_some(h, 30, 0);
      ASSERT_TRUE(h.close().ok());
      ASSERT_TRUE(h.open(true, h.durable()).ok());  // sealed segments not loaded yet
      h.set_epoch(h.epoch() + 1);
      append_some(h, 2, 0);  // a new epoch: truncation rewrites the epoch checkpoint
      const auto& model = h.model();
      const int64_t target = where == 0   ? model[model.size() - 2].base_offset
                             : where == 1 ? model[3].base_offset + 1
                                          : model[model.size() / 2].base_offset;
      fault.inject(h.env());
      absl::Status truncated = h.truncate_to(target);
      h.env().clear_faults();
      if (truncated.ok()) continue;  // the fault did not matter here
      const int64_t end = h.log()->log_end_offset();
      EXPECT_GE(end, 0);
      absl::Status closed = h.close();
      if (!closed.ok()) continue;  // refusing a clean close is a consistent answer
      ASSERT_TRUE(h.open(true, h.durable()).ok());
      EXPECT_EQ(h.log()->log_end_offset(), end)
          << "a clean close after the failed truncate_to claimed " << end;
      ASSERT_EQ(h.check(), "");
    }
  }
}

}  // namespace
}  // namespace keel::storage
