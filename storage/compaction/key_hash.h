// File: storage/compaction/key_hash.h
// The cleaner identifies record keys by a 128-bit keyed hash (SipHash-2-4 with 128-bit output,
// as specified by Aumasson and Bernstein) instead of storing the keys: the offset map then
// costs a fixed 24 bytes per key whatever the key length.
//
// Why 128 bits and a random key: two distinct keys with equal hashes would make the cleaner
// drop the latest record of one of them. With a 128-bit output the chance of any collision
// among n keys in one pass is about n^2 / 2^129 (below 1e-20 for a billion keys), and because
// the SipHash key is drawn at random for every pass and never leaves the process, a producer
// cannot craft colliding keys (an unkeyed hash such as MD5 would let it).
#pragma once

#include <cstdint>
#include <span>

#include "storage/random.h"

namespace keel::storage::compaction {

struct KeyHash {
  uint64_t hi = 0;
  uint64_t lo = 0;
  bool operator==(const KeyHash&) const = default;
};

class KeyHasher {
 public:
  KeyHasher(uint64_t k0, uint64_t k1) : k0_(k0), k1_(k1) {}
  // A hasher with a fresh random key (one per cleaning pass).
  static KeyHasher random(Random& random = *Random::system());

  KeyHash operator()(std::span<const uint8_t> key) const;

 private:
  uint64_t k0_;
  uint64_t k1_;
};

// SipHash-2-4 with 64-bit output; shares the rounds with the 128-bit variant and has published
// test vectors, so tests can check the implementation.
uint64_t siphash24_64(uint64_t k0, uint64_t k1, std::span<const uint8_t> data);

}  // namespace keel::storage::compaction
