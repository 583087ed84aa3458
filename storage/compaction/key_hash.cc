#include "storage/compaction/key_hash.h"

namespace keel::storage::compaction {
namespace {

inline uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

// Little-endian load of up to 8 bytes.
inline uint64_t load_le(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

struct SipState {
  uint64_t v0, v1, v2, v3;

  void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
  void compress(uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  uint64_t finish(uint8_t tweak) {
    v2 ^= tweak;
    for (int i = 0; i < 4; ++i) round();
    return v0 ^ v1 ^ v2 ^ v3;
  }
};

SipState absorb(uint64_t k0, uint64_t k1, std::span<const uint8_t> data, bool wide) {
  SipState s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
             k1 ^ 0x7465646279746573ULL};
  if (wide) s.v1 ^= 0xee;
  const size_t whole = data.size() & ~size_t{7};
  for (size_t i = 0; i < whole; i += 8) s.compress(load_le(data.data() + i, 8));
  const uint64_t last = (static_cast<uint64_t>(data.size()) << 56) |
                        load_le(data.data() + whole, data.size() - whole);
  s.compress(last);
  return s;
}

}  // namespace

KeyHasher KeyHasher::random(Random& random) {
  const uint64_t k0 = random.next_u64();
  return KeyHasher(k0, random.next_u64());
}

KeyHash KeyHasher::operator()(std::span<const uint8_t> key) const {
  SipState s = absorb(k0_, k1_, key, true);
  KeyHash h;
  h.lo = s.finish(0xee);
  s.v1 ^= 0xdd;
  for (int i = 0; i < 4; ++i) s.round();
  h.hi = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
  return h;
}

uint64_t siphash24_64(uint64_t k0, uint64_t k1, std::span<const uint8_t> data) {
  return absorb(k0, k1, data, false).finish(0xff);
}

}  // namespace keel::storage::compaction
