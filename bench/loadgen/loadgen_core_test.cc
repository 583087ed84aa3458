// Unit tests of the broker-independent parts of loadgen: the latency histogram, the JSON
// writer and the /proc parsers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "bench/loadgen/cpu_usage.h"
#include "bench/loadgen/histogram.h"
#include "bench/loadgen/json.h"

namespace keel::bench {
namespace {

TEST(Histogram, BucketsCoverEveryValueContiguously) {
  // Each bucket starts where the previous one ended.
  for (size_t i = 1; i + 1 < Histogram::kBuckets; ++i) {
    ASSERT_EQ(Histogram::bucket_low(i), Histogram::bucket_high(i - 1)) << i;
  }
  for (uint64_t v :
       {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{129}, uint64_t{1000},
        uint64_t{123456789}, uint64_t{1} << 40, UINT64_MAX / 3, UINT64_MAX}) {
    const size_t b = Histogram::bucket_of(v);
    ASSERT_LT(b, Histogram::kBuckets);
    EXPECT_LE(Histogram::bucket_low(b), v);
    if (Histogram::bucket_high(b) != UINT64_MAX) {
      EXPECT_LT(v, Histogram::bucket_high(b));
    }
  }
}

TEST(Histogram, QuantilesWithinBucketPrecision) {
  Histogram h;
  std::vector<int64_t> values;
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> dist(1.0 / 2e6);  // mean 2 ms in ns
  for (int i = 0; i < 100000; ++i) {
    values.push_back(static_cast<int64_t>(dist(rng)));
    h.record(values.back());
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const auto exact = static_cast<double>(
        values[static_cast<size_t>(std::ceil(q * static_cast<double>(values.size()))) - 1]);
    EXPECT_NEAR(static_cast<double>(h.quantile(q)), exact, exact * 0.016) << q;
  }
  EXPECT_EQ(h.count(), 100000);
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.quantile(1.0), values.back());
}

TEST(Histogram, EmptyAndMerge) {
  Histogram a;
  EXPECT_EQ(a.quantile(0.99), 0);
  EXPECT_EQ(a.mean(), 0);
  a.record(-5);  // clamps to 0
  Histogram b;
  b.record(1000);
  b.record(3000);
  a.merge(b);
  EXPECT_EQ(a.count(), 3);
  EXPECT_EQ(a.min(), 0);
  EXPECT_EQ(a.max(), 3000);
  EXPECT_DOUBLE_EQ(a.mean(), 4000.0 / 3);
}

TEST(Json, ObjectsAndEscaping) {
  JsonObject inner;
  inner.add("p50", 1.5).add("n", int64_t{3});
  JsonObject o;
  o.add("s", "a\"b\\c\n\x01")
      .add("i", 42)
      .add("d", 0.25)
      .add("nan", std::nan(""))
      .add("b", true)
      .add("v", std::vector<double>{1, 2.5})
      .add("o", inner)
      .add_null("z");
  EXPECT_EQ(o.str(),
            "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"i\":42,\"d\":0.25,\"nan\":null,\"b\":true,"
            "\"v\":[1,2.5],\"o\":{\"p50\":1.5,\"n\":3},\"z\":null}");
}

TEST(CpuUsage, ReadsThisProcessAndTheCores) {
  EXPECT_GE(process_cpu_ticks(getpid()), 0);
  EXPECT_EQ(process_cpu_ticks(-1), -1);
  const auto cores = read_core_ticks();
  ASSERT_EQ(static_cast<long>(cores.size()), sysconf(_SC_NPROCESSORS_ONLN));
  for (const CoreTicks& c : cores) EXPECT_LE(c.busy, c.total);

  CpuMonitor monitor({getpid()});
  monitor.start();
  volatile uint64_t sink = 0;
  for (uint64_t i = 0; i < 50'000'000; ++i) sink = sink + i;
  const CpuReport r = monitor.stop();
  EXPECT_TRUE(r.broker_measured);
  EXPECT_GT(r.window_s, 0);
  EXPECT_GT(r.client_cpu_s, 0);
  EXPECT_EQ(r.cores_busy_pct.size(), cores.size());
}

}  // namespace
}  // namespace keel::bench
