// File: storage/compaction/offset_map.h
// KeyOffsetMap: the cleaner's key hash -> latest offset table, of a fixed size chosen from a
// memory budget (Kafka's dedupe buffer). Open addressing with linear probing over one flat
// array of 24-byte entries (128-bit hash + offset); no allocation after construction.
//
// It is "full" at kMaxLoad of its slots so probe sequences stay short; the cleaner checks
// free() before adding a batch and starts a new round when a batch no longer fits.
//
// Thread-safety: none (one cleaning pass owns it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "storage/compaction/key_hash.h"

namespace keel::storage::compaction {

class KeyOffsetMap {
 public:
  static constexpr size_t kEntryBytes = 24;
  static constexpr double kMaxLoad = 0.8;

  // At most `memory_budget` bytes of slots, and no more than `expected_keys` need (a small
  // log does not allocate the whole budget). At least a few slots whatever the budget.
  KeyOffsetMap(size_t memory_budget, size_t expected_keys);

  // Keys that can still be added before the map counts as full.
  size_t free() const { return max_keys_ - size_; }
  size_t size() const { return size_; }
  size_t capacity() const { return max_keys_; }
  size_t memory_bytes() const { return entries_.size() * kEntryBytes; }

  // Records `offset` as the latest for `hash` (replacing an older one). False, and nothing
  // changes, when the key is new and the map is full.
  bool put(const KeyHash& hash, int64_t offset);
  // The offset recorded for `hash`, or -1.
  int64_t get(const KeyHash& hash) const;
  void clear();

 private:
  struct Entry {
    uint64_t hi;
    uint64_t lo;
    int64_t offset;  // -1: empty slot
  };
  size_t slot_of(const KeyHash& hash) const;

  std::vector<Entry> entries_;
  size_t max_keys_ = 0;
  size_t size_ = 0;
};

}  // namespace keel::storage::compaction
