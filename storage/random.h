// File: storage/random.h
// Randomness as Keel's code sees it: injected, so a seeded run (unit tests, the deterministic
// simulation) draws the same ids, placements and election timeouts every time, and
// production draws from the operating system's entropy.
#pragma once

#include <cstdint>
#include <string>

namespace keel::storage {

class Random {
 public:
  virtual ~Random() = default;
  // 64 uniformly distributed bits.
  virtual uint64_t next_u64() = 0;

  // Uniform in [0, bound); 0 when bound is 0. (Lemire's multiply-shift; the bias is below
  // 2^-32 for every bound Keel uses.)
  uint64_t uniform(uint64_t bound);
  // `n` random bytes.
  std::string bytes(size_t n);

  // Seeded once per thread from std::random_device; thread-safe (one generator per thread).
  static Random* system();
};

// A deterministic generator (SplitMix64): the same seed gives the same sequence everywhere.
// Not thread-safe.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  uint64_t next_u64() override;

 private:
  uint64_t state_;
};

}  // namespace keel::storage
