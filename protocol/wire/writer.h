// File: protocol/wire/writer.h
// Appends Kafka wire data (big-endian) to a byte vector. Generated encoders know the exact
// size up front (encoded_size), so callers reserve once and nothing reallocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/wire/types.h"

namespace keel::protocol {

// Where the bytes of an external RecordsView belong in a Writer's output: `size` bytes that
// were not written go at byte `offset` of the buffer (offsets counted without them, so in
// the complete stream they start at offset + the sizes of all earlier splices).
struct Splice {
  size_t offset = 0;
  size_t size = 0;
  bool operator==(const Splice&) const = default;
};

class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}

  size_t size() const { return out_.size(); }
  Bytes& buffer() { return out_; }

  void write_int8(int8_t v) { write_be<uint8_t>(static_cast<uint8_t>(v)); }
  void write_int16(int16_t v) { write_be<uint16_t>(static_cast<uint16_t>(v)); }
  void write_uint16(uint16_t v) { write_be<uint16_t>(v); }
  void write_int32(int32_t v) { write_be<uint32_t>(static_cast<uint32_t>(v)); }
  void write_uint32(uint32_t v) { write_be<uint32_t>(v); }
  void write_int64(int64_t v) { write_be<uint64_t>(static_cast<uint64_t>(v)); }
  void write_float64(double v);
  void write_bool(bool v) { write_be<uint8_t>(v ? 1 : 0); }
  void write_uuid(const Uuid& id) { write_raw(id.bytes.data(), id.bytes.size()); }

  void write_uvarint(uint64_t v);
  void write_varint(int32_t v);
  void write_varlong(int64_t v);

  void write_string(std::string_view s, bool compact);
  void write_nullable_string(const std::optional<std::string>& s, bool compact);
  void write_bytes(std::span<const uint8_t> b, bool compact);
  void write_nullable_bytes(const std::optional<Bytes>& b, bool compact);
  // Records are written like bytes, except an external view (RecordsView::external): its
  // length prefix is written, its bytes are not, and a Splice is recorded instead.
  void write_records(const RecordsView& r, bool compact);
  void write_records(const std::optional<RecordsView>& r, bool compact);
  // Array element count; -1 writes null.
  void write_array_length(int64_t count, bool compact);

  void write_raw(const void* data, size_t n);
  void write_raw(std::span<const uint8_t> bytes) { write_raw(bytes.data(), bytes.size()); }

  // Overwrites 4 bytes at `pos` (for size prefixes and patched headers).
  void patch_int32(size_t pos, int32_t v);

  // The external records met so far, in encounter order (so by increasing offset).
  const std::vector<Splice>& splices() const { return splices_; }
  std::vector<Splice> take_splices() { return std::move(splices_); }

 private:
  template <typename T>
  void write_be(T v) {
    uint8_t tmp[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i)
      tmp[i] = static_cast<uint8_t>(v >> (8 * (sizeof(T) - 1 - i)));
    write_raw(tmp, sizeof(T));
  }

  Bytes& out_;
  std::vector<Splice> splices_;  // empty (no allocation) unless external records are written
};

// A tagged field kept from decoding, written back as it came: tag, size, bytes.
void write_raw_tagged_field(Writer& w, const RawTaggedField& field);
size_t raw_tagged_field_size(const RawTaggedField& field);

// Sizes, for encoded_size().
size_t string_size(size_t length, bool compact);
size_t bytes_size(size_t length, bool compact);
size_t array_length_size(int64_t count, bool compact);

}  // namespace keel::protocol
