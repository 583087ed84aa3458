// File: storage/random.cc
#include "storage/random.h"

#include <random>

namespace keel::storage {
namespace {

// Each thread draws from its own generator, seeded from the OS on first use.
class SystemRandom final : public Random {
 public:
  uint64_t next_u64() override {
    static thread_local std::mt19937_64 rng = [] {
      std::random_device rd;
      std::seed_seq seq{rd(), rd(), rd(), rd()};
      return std::mt19937_64(seq);
    }();
    return rng();
  }
};

}  // namespace

uint64_t Random::uniform(uint64_t bound) {
  if (bound == 0) return 0;
  const unsigned __int128 product = static_cast<unsigned __int128>(next_u64()) * bound;
  return static_cast<uint64_t>(product >> 64);
}

std::string Random::bytes(size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = next_u64();
    for (size_t j = i; j < n && j < i + 8; ++j) {
      out[j] = static_cast<char>(v & 0xff);
      v >>= 8;
    }
  }
  return out;
}

uint64_t SeededRandom::next_u64() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Random* Random::system() {
  static SystemRandom random;
  return &random;
}

}  // namespace keel::storage
