#include "bench/loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace keel::bench {

namespace {
constexpr int kSubBits = 6;                            // 64 buckets per power of two above 128
constexpr uint64_t kLinear = uint64_t{2} << kSubBits;  // 128 exact buckets
}  // namespace

Histogram::Histogram() : counts_(kBuckets, 0) {}

size_t Histogram::bucket_of(uint64_t v) {
  if (v < kLinear) return static_cast<size_t>(v);
  const int msb = 63 - std::countl_zero(v);
  const int shift = msb - kSubBits;
  return static_cast<size_t>(shift) * (kLinear / 2) + static_cast<size_t>(v >> shift);
}

uint64_t Histogram::bucket_low(size_t index) {
  if (index < kLinear) return index;
  const size_t shift = index / (kLinear / 2) - 1;
  const uint64_t mantissa = index - shift * (kLinear / 2);
  return mantissa << shift;
}

uint64_t Histogram::bucket_high(size_t index) {
  if (index < kLinear) return index + 1;
  const size_t shift = index / (kLinear / 2) - 1;
  const uint64_t mantissa = index - shift * (kLinear / 2);
  if (shift >= 57 && mantissa == kLinear - 1) return UINT64_MAX;
  return (mantissa + 1) << shift;
}

void Histogram::record(int64_t ns) {
  const int64_t v = std::max<int64_t>(ns, 0);
  ++counts_[bucket_of(static_cast<uint64_t>(v))];
  if (count_ == 0 || v < min_) min_ = v;
  if (v > max_) max_ = v;
  ++count_;
  sum_ += static_cast<double>(v);
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

double Histogram::mean() const { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }

int64_t Histogram::quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const int64_t rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * static_cast<double>(count_))));
  if (rank >= count_) return max_;
  int64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const uint64_t low = bucket_low(i);
      const uint64_t high = bucket_high(i);
      const uint64_t mid = low + (high - low - 1) / 2;
      return std::clamp(static_cast<int64_t>(mid), min_, max_);
    }
  }
  return max_;
}

}  // namespace keel::bench
