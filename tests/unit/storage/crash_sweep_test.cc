// Power cuts at every step of a multi-step log action (freeze_after(0, 1, 2, ...)): a segment
// roll, an append that rolls, a clean close. After each the log must recover to a valid prefix
// holding everything flushed, and keep working (crash_test_util.h).
#include <gtest/gtest.h>

#include "tests/unit/storage/crash_test_util.h"

namespace keel::storage {
namespace {

using crash_testing::append_some;
using crash_testing::crash_at_every_step;
using crash_testing::LogHarness;
using crash_testing::small_config;

TEST(CrashSweepTest, CrashAtEveryStepOfASegmentRoll) {
  int steps = 0;
  crash_at_every_step(
      21, small_config(),
      [](LogHarness& h) {
        append_some(h, 6, 0);
        ASSERT_TRUE(h.flush().ok());
        ASSERT_TRUE(h.append_random().ok());
      },
      [](LogHarness& h) {
        (void)h.log()->roll();
        (void)h.append_random();
        (void)h.flush();
      },
      &steps);
  EXPECT_GT(steps, 3);
}

TEST(CrashSweepTest, CrashAtEveryStepOfAnAppendThatRolls) {
  crash_at_every_step(
      22, small_config(), [](LogHarness& h) { append_some(h, 8, 3); },
      [](LogHarness& h) {
        for (int i = 0; i < 8; ++i) (void)h.append_random();  // crosses segment.bytes
        (void)h.flush();
      });
}

TEST(CrashSweepTest, CrashAtEveryStepOfACleanClose) {
  crash_at_every_step(
      40, small_config(), [](LogHarness& h) { append_some(h, 25, 4); },
      [](LogHarness& h) {
        absl::Status closed = h.log()->close();
        if (closed.ok()) h.note_durable(crash_testing::end_of(h.model()));
      });
}

}  // namespace
}  // namespace keel::storage
