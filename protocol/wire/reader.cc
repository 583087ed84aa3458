#include "protocol/wire/reader.h"

#include <bit>
#include <limits>

#include "absl/strings/str_cat.h"

namespace keel::protocol {

absl::Status Reader::status() const {
  if (ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(error_, " (at byte ", error_pos_, ")"));
}

void Reader::fail(const char* reason) {
  if (error_ == nullptr) {
    error_ = reason;
    error_pos_ = pos_;
  }
  pos_ = size_;  // nothing more can be read
}

double Reader::read_float64() { return std::bit_cast<double>(read_be<uint64_t>()); }

Uuid Reader::read_uuid() {
  Uuid id;
  std::span<const uint8_t> raw = read_span(16);
  if (raw.size() == 16) std::memcpy(id.bytes.data(), raw.data(), 16);
  return id;
}

uint64_t Reader::read_uvarlong_multibyte() {
  uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (remaining() == 0) {
      fail("truncated: varint past the end");
      return 0;
    }
    uint8_t b = data_[pos_++];
    if (shift == 63 && (b & 0x7e) != 0) break;  // would overflow 64 bits
    value |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  fail("varint longer than 10 bytes");
  return 0;
}

uint32_t Reader::read_uvarint_multibyte() {
  uint32_t value = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (remaining() == 0) {
      fail("truncated: varint past the end");
      return 0;
    }
    uint8_t b = data_[pos_++];
    if (shift == 28 && (b & 0x70) != 0) break;  // would overflow 32 bits
    value |= static_cast<uint32_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  fail("varint longer than 5 bytes");
  return 0;
}

int64_t Reader::read_length(bool compact, bool int32_length) {
  if (compact) return static_cast<int64_t>(read_uvarint()) - 1;
  if (int32_length) return read_int32();
  return read_int16();
}

std::span<const uint8_t> Reader::read_span(size_t n) {
  if (n > remaining()) {
    fail("truncated: field longer than the bytes left");
    return {};
  }
  std::span<const uint8_t> s(data_ + pos_, n);
  pos_ += n;
  return s;
}

std::optional<std::string> Reader::read_nullable_string(bool compact) {
  int64_t len = read_length(compact, /*int32_length=*/false);
  if (!ok()) return std::string();
  if (len < -1) {
    fail("negative string length");
    return std::string();
  }
  if (len == -1) return std::nullopt;
  std::span<const uint8_t> raw = read_span(static_cast<size_t>(len));
  return std::string(reinterpret_cast<const char*>(raw.data()), raw.size());
}

std::string Reader::read_string(bool compact) {
  std::optional<std::string> s = read_nullable_string(compact);
  if (!s) {
    fail("null in a non-nullable string");
    return std::string();
  }
  return std::move(*s);
}

std::optional<Bytes> Reader::read_nullable_bytes(bool compact) {
  std::optional<RecordsView> view = read_records(compact);
  if (!view) return std::nullopt;
  return Bytes(view->data, view->data + view->size);
}

Bytes Reader::read_bytes(bool compact) {
  std::optional<Bytes> b = read_nullable_bytes(compact);
  if (!b) {
    fail("null in a non-nullable bytes field");
    return Bytes();
  }
  return std::move(*b);
}

std::optional<RecordsView> Reader::read_records(bool compact) {
  int64_t len = read_length(compact, /*int32_length=*/true);
  if (!ok()) return RecordsView();
  if (len < -1) {
    fail("negative bytes length");
    return RecordsView();
  }
  if (len == -1) return std::nullopt;
  std::span<const uint8_t> raw = read_span(static_cast<size_t>(len));
  return RecordsView(raw);
}

int32_t Reader::read_array_length(bool compact, size_t min_element_size) {
  int64_t count = compact ? static_cast<int64_t>(read_uvarint()) - 1 : read_int32();
  if (!ok()) return 0;
  if (count < -1) {
    fail("negative array length");
    return 0;
  }
  if (count > 0 &&
      static_cast<uint64_t>(count) * std::max<size_t>(min_element_size, 1) > remaining()) {
    fail("array length exceeds the bytes left");
    return 0;
  }
  return static_cast<int32_t>(count);
}

}  // namespace keel::protocol
