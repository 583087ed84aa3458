// The injected time and randomness sources: a manual clock moves only when told, a seeded
// generator repeats itself, the system ones behave.
#include <gtest/gtest.h>

#include <set>

#include "storage/clock.h"
#include "storage/random.h"

namespace keel::storage {
namespace {

TEST(ManualClockTest, BothReadingsAdvanceTogetherAndWallStepsLeaveMonotonicAlone) {
  ManualClock clock(1000);
  const int64_t mono = clock.monotonic_ms();
  clock.advance_ms(250);
  EXPECT_EQ(clock.now_ms(), 1250);
  EXPECT_EQ(clock.monotonic_ms(), mono + 250);
  clock.set_ms(10);  // the wall clock stepped back (NTP)
  EXPECT_EQ(clock.now_ms(), 10);
  EXPECT_EQ(clock.monotonic_ms(), mono + 250);
  clock.advance_ms(-5);  // never moves the monotonic reading back
  EXPECT_EQ(clock.monotonic_ms(), mono + 250);
}

TEST(SystemClockTest, MonotonicNeverDecreases) {
  Clock* c = Clock::system();
  int64_t last = c->monotonic_ms();
  for (int i = 0; i < 1000; ++i) {
    const int64_t now = c->monotonic_ms();
    EXPECT_GE(now, last);
    last = now;
  }
  EXPECT_GT(c->now_ms(), 1'600'000'000'000);  // after 2020: a wall clock in milliseconds
}

TEST(SeededRandomTest, SameSeedSameSequenceOtherSeedOtherSequence) {
  SeededRandom a(7), b(7), c(8);
  std::vector<uint64_t> va, vb, vc;
  for (int i = 0; i < 16; ++i) {
    va.push_back(a.next_u64());
    vb.push_back(b.next_u64());
    vc.push_back(c.next_u64());
  }
  EXPECT_EQ(va, vb);
  EXPECT_NE(va, vc);
  EXPECT_EQ(std::set<uint64_t>(va.begin(), va.end()).size(), va.size());
}

TEST(RandomTest, UniformStaysInBoundAndCoversIt) {
  SeededRandom r(1);
  std::vector<int> counts(10, 0);
  for (int i = 0; i < 10'000; ++i) {
    const uint64_t v = r.uniform(10);
    ASSERT_LT(v, 10u);
    ++counts[v];
  }
  for (int c : counts) EXPECT_GT(c, 800);  // 1,000 expected each
  EXPECT_EQ(r.uniform(0), 0u);
}

TEST(RandomTest, BytesHasTheAskedLengthAndDiffersBetweenDraws) {
  SeededRandom r(3);
  const std::string a = r.bytes(13), b = r.bytes(13);
  EXPECT_EQ(a.size(), 13u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(r.bytes(0).empty());
}

TEST(RandomTest, SystemDrawsDiffer) {
  Random* r = Random::system();
  EXPECT_NE(r->next_u64(), r->next_u64());
}

}  // namespace
}  // namespace keel::storage
