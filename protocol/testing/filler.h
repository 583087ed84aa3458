// File: protocol/testing/filler.h
// Deterministic source of non-default field values for the generated test fillers
// (protocol/generated/test_fill.h). Values differ from field to field so that a codec that
// swaps or drops fields cannot pass a round trip by accident.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "protocol/wire/types.h"

namespace keel::protocol::testing {

class Filler {
 public:
  explicit Filler(uint64_t seed, bool null_mode = false)
      : state_(seed * 2654435761u + 1), null_mode_(null_mode) {}

  // In null mode, fields that may be null in the version are set to null.
  bool null_mode() const { return null_mode_; }

  // 1..120: fits every integer width and is never 0 or -1 (common defaults).
  int64_t next_int() { return static_cast<int64_t>(next() % 120) + 1; }
  double next_double() { return static_cast<double>(next() % 1000) + 0.5; }
  std::string next_string() { return "s" + std::to_string(next() % 100000); }
  Bytes next_bytes() {
    Bytes b(1 + next() % 7);
    for (auto& x : b) x = static_cast<uint8_t>(next());
    return b;
  }
  Uuid next_uuid() {
    Uuid id;
    for (auto& x : id.bytes) x = static_cast<uint8_t>(next() | 1);
    return id;
  }
  // The view stays valid as long as this Filler lives.
  RecordsView next_records() {
    const Bytes& b = storage_.emplace_back(next_bytes());
    return RecordsView(b.data(), b.size());
  }
  // A tag above every tag the schemas use, so it is written last.
  RawTaggedField next_unknown_tag() {
    return RawTaggedField{1000 + static_cast<uint32_t>(next() % 100), next_bytes()};
  }

 private:
  uint64_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }

  uint64_t state_;
  bool null_mode_;
  std::deque<Bytes> storage_;
};

}  // namespace keel::protocol::testing
