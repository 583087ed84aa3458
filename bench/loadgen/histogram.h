// Latency histogram with fixed memory and O(1) recording, so that every message of a flat-out
// run can be recorded. Values are non-negative nanoseconds. Buckets are exact below 128 ns, then
// 64 per power of two: a reported percentile is within 1.6% of the true value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace keel::bench {

class Histogram {
 public:
  Histogram();

  void record(int64_t ns);  // negative values count as 0
  void merge(const Histogram& other);

  int64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const;
  // The value at quantile q (0..1): midpoint of the bucket holding rank ceil(q * count),
  // clamped to [min, max]; the maximum for the top rank. 0 when empty.
  int64_t quantile(double q) const;

  static size_t bucket_of(uint64_t v);
  static uint64_t bucket_low(size_t index);   // smallest value in the bucket
  static uint64_t bucket_high(size_t index);  // one past the largest value in the bucket
  static constexpr size_t kBuckets = 57 * 64 + 128;

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace keel::bench
