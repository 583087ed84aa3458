// File: protocol/records/byte_order.h
// Big-endian stores into fixed header positions (the Reader covers loads). Internal to
// protocol/records; callers check the position is in bounds first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

namespace keel::protocol::records_internal {

template <typename T>
void store_be(std::span<uint8_t> out, size_t pos, T value) {
  const auto u = static_cast<std::make_unsigned_t<T>>(value);
  for (size_t i = 0; i < sizeof(T); ++i) {
    out[pos + i] = static_cast<uint8_t>(u >> (8 * (sizeof(T) - 1 - i)));
  }
}

inline uint32_t load_be32(std::span<const uint8_t> in, size_t pos) {
  return static_cast<uint32_t>(in[pos]) << 24 | static_cast<uint32_t>(in[pos + 1]) << 16 |
         static_cast<uint32_t>(in[pos + 2]) << 8 | static_cast<uint32_t>(in[pos + 3]);
}

}  // namespace keel::protocol::records_internal
