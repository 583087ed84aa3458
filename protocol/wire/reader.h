// File: protocol/wire/reader.h
// A bounds-checked cursor over a byte buffer holding Kafka wire data (big-endian).
//
// Errors are sticky: the first read past the end or of a malformed value puts the reader in a
// failed state, later reads return zero values, and status() reports the first problem. This
// keeps generated decoders short (check once per struct and before each allocation) while
// guaranteeing that no read ever goes past the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "protocol/wire/types.h"

namespace keel::protocol {

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  explicit Reader(std::span<const uint8_t> bytes) : Reader(bytes.data(), bytes.size()) {}

  bool ok() const { return error_ == nullptr; }
  size_t position() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  const uint8_t* current() const { return data_ + pos_; }

  // OK, or InvalidArgument naming the first problem and its byte position.
  absl::Status status() const;
  // Marks the reader failed (keeps the first reason). `reason` must be a string literal.
  void fail(const char* reason);

  int8_t read_int8() { return static_cast<int8_t>(read_be<uint8_t>()); }
  int16_t read_int16() { return static_cast<int16_t>(read_be<uint16_t>()); }
  uint16_t read_uint16() { return read_be<uint16_t>(); }
  int32_t read_int32() { return static_cast<int32_t>(read_be<uint32_t>()); }
  uint32_t read_uint32() { return read_be<uint32_t>(); }
  int64_t read_int64() { return static_cast<int64_t>(read_be<uint64_t>()); }
  double read_float64();
  bool read_bool() { return read_be<uint8_t>() != 0; }
  Uuid read_uuid();

  // Unsigned varint of at most 5 bytes (32 bits), as used for compact lengths and tags.
  // Inline one-byte case: most varints in records and flexible messages are a single byte.
  uint32_t read_uvarint() {
    if (pos_ < size_ && data_[pos_] < 0x80) return data_[pos_++];
    return read_uvarint_multibyte();
  }
  // Unsigned varint of at most 10 bytes.
  uint64_t read_uvarlong() {
    if (pos_ < size_ && data_[pos_] < 0x80) return data_[pos_++];
    return read_uvarlong_multibyte();
  }
  int32_t read_varint() { return unzigzag(read_uvarint()); }
  int64_t read_varlong() {
    const uint64_t v = read_uvarlong();
    return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }

  // Strings and byte fields; `compact` selects the flexible (uvarint length + 1) encoding.
  // A null in a non-nullable field fails the reader.
  std::string read_string(bool compact);
  std::optional<std::string> read_nullable_string(bool compact);
  Bytes read_bytes(bool compact);
  std::optional<Bytes> read_nullable_bytes(bool compact);
  std::optional<RecordsView> read_records(bool compact);

  // The element count of an array, -1 for null. Fails when the count cannot possibly fit in
  // the bytes left (every element takes at least `min_element_size` bytes), so a hostile count
  // never drives a large allocation.
  int32_t read_array_length(bool compact, size_t min_element_size = 1);

  // The next `n` bytes, without copying; empty span (and failure) if fewer remain.
  std::span<const uint8_t> read_span(size_t n);
  void skip(size_t n) { read_span(n); }

  // The tagged-field section closing a flexible struct. Tags are handed to `on_tag(tag, reader
  // over that field's bytes)`, which returns false for tags it does not know; those are kept in
  // `unknown`. Fails on tags out of ascending order or sizes past the buffer.
  template <typename OnTag>
  void read_tagged_fields(RawTaggedFields& unknown, OnTag&& on_tag);

 private:
  static int32_t unzigzag(uint32_t v) { return static_cast<int32_t>((v >> 1) ^ (~(v & 1) + 1)); }
  uint32_t read_uvarint_multibyte();
  uint64_t read_uvarlong_multibyte();

  template <typename T>
  T read_be() {
    if (remaining() < sizeof(T)) {
      fail("truncated: fixed-width field past the end");
      return 0;
    }
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | data_[pos_ + i]);
    pos_ += sizeof(T);
    return v;
  }

  // Length prefix of a string/bytes field: -1 means null.
  int64_t read_length(bool compact, bool int32_length);

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const char* error_ = nullptr;
  size_t error_pos_ = 0;
};

template <typename OnTag>
void Reader::read_tagged_fields(RawTaggedFields& unknown, OnTag&& on_tag) {
  uint32_t count = read_uvarint();
  if (count > remaining() / 2) {  // each tag takes at least two bytes (tag + size)
    fail("tagged field count exceeds the buffer");
    return;
  }
  int64_t last_tag = -1;
  for (uint32_t i = 0; i < count && ok(); ++i) {
    uint32_t tag = read_uvarint();
    uint32_t size = read_uvarint();
    if (!ok()) return;
    if (static_cast<int64_t>(tag) <= last_tag) {
      fail("tagged fields out of order or repeated");
      return;
    }
    last_tag = tag;
    std::span<const uint8_t> body = read_span(size);
    if (!ok()) return;
    Reader field(body);
    if (on_tag(tag, field)) {
      if (!field.ok() || field.remaining() != 0) {
        fail("tagged field does not match its declared size");
        return;
      }
    } else {
      unknown.push_back(RawTaggedField{tag, Bytes(body.begin(), body.end())});
    }
  }
}

}  // namespace keel::protocol
