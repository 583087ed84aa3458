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
//
// External records: `data == nullptr && size > 0` (made by external()) means "`size` bytes
// that live elsewhere (a region of a segment file) and are spliced into the frame by whoever
// sends it". Writer::write_records then writes the length prefix but not the bytes, and
// records a Splice (see writer.h); encode_response_frame_spliced (framing.h) returns them.
// Only the Fetch path builds such views; decoders never produce one. The span() of an
// external view is empty.
struct RecordsView {
  const uint8_t* data = nullptr;
  size_t size = 0;

  RecordsView() = default;
  RecordsView(const uint8_t* d, size_t n) : data(d), size(n) {}
  explicit RecordsView(std::span<const uint8_t> s) : data(s.data()), size(s.size()) {}

  // `n` bytes to be spliced in by the writer of the frame (n == 0 gives an empty view).
  static RecordsView external(size_t n) { return RecordsView(nullptr, n); }
  bool is_external() const { return data == nullptr && size > 0; }

  std::span<const uint8_t> span() const { return {data, is_external() ? 0 : size}; }
  bool empty() const { return size == 0; }
  // Content equality, so decoded messages compare by what they carry. External views have no
  // content here: two are equal when their sizes are, and never equal an in-memory view.
  bool operator==(const RecordsView& other) const {
    if (size != other.size) return false;
    if (size == 0) return true;
    if (is_external() || other.is_external()) return is_external() && other.is_external();
    return std::equal(data, data + size, other.data);
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
