// File: protocol/wire/types.h
// Value types shared by the hand-written primitives and the generated message codecs.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace keel::protocol {

using Bytes = std::vector<uint8_t>;

// A Kafka UUID: 16 raw bytes, all zero meaning "none".
struct Uuid {
  std::array<uint8_t, 16> bytes{};

  bool is_zero() const {
    return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
  }
  bool operator==(const Uuid&) const = default;
};

// A region of record batches inside a decoded frame. It does not own the bytes: it is valid
// only while the buffer it was decoded from lives. This is what lets a 1 MiB Produce request
// be decoded without copying its records.
struct RecordsView {
  const uint8_t* data = nullptr;
  size_t size = 0;

  RecordsView() = default;
  RecordsView(const uint8_t* d, size_t n) : data(d), size(n) {}
  explicit RecordsView(std::span<const uint8_t> s) : data(s.data()), size(s.size()) {}

  std::span<const uint8_t> span() const { return {data, size}; }
  bool empty() const { return size == 0; }
  // Content equality, so decoded messages compare by what they carry.
  bool operator==(const RecordsView& other) const {
    return size == other.size && (size == 0 || std::equal(data, data + size, other.data));
  }
};

// A tagged field whose tag this version of the schema does not know. Kept so that
// decode followed by encode reproduces the input byte for byte.
struct RawTaggedField {
  uint32_t tag = 0;
  Bytes data;
  bool operator==(const RawTaggedField&) const = default;
};
using RawTaggedFields = std::vector<RawTaggedField>;

}  // namespace keel::protocol
