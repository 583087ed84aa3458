// File: storage/coding.h
// Big-endian fixed-width loads and stores for the index files and batch headers (Kafka's byte
// order). Callers check bounds first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace keel::storage {

inline uint32_t load_u32(std::span<const uint8_t> in, size_t pos) {
  return static_cast<uint32_t>(in[pos]) << 24 | static_cast<uint32_t>(in[pos + 1]) << 16 |
         static_cast<uint32_t>(in[pos + 2]) << 8 | static_cast<uint32_t>(in[pos + 3]);
}
inline int32_t load_i32(std::span<const uint8_t> in, size_t pos) {
  return static_cast<int32_t>(load_u32(in, pos));
}
inline int64_t load_i64(std::span<const uint8_t> in, size_t pos) {
  return static_cast<int64_t>(static_cast<uint64_t>(load_u32(in, pos)) << 32 |
                              load_u32(in, pos + 4));
}
inline void store_u32(std::span<uint8_t> out, size_t pos, uint32_t v) {
  out[pos] = static_cast<uint8_t>(v >> 24);
  out[pos + 1] = static_cast<uint8_t>(v >> 16);
  out[pos + 2] = static_cast<uint8_t>(v >> 8);
  out[pos + 3] = static_cast<uint8_t>(v);
}
inline void store_i32(std::span<uint8_t> out, size_t pos, int32_t v) {
  store_u32(out, pos, static_cast<uint32_t>(v));
}
inline void store_i64(std::span<uint8_t> out, size_t pos, int64_t v) {
  store_u32(out, pos, static_cast<uint32_t>(static_cast<uint64_t>(v) >> 32));
  store_u32(out, pos + 4, static_cast<uint32_t>(v));
}
inline void store_i16(std::span<uint8_t> out, size_t pos, int16_t v) {
  out[pos] = static_cast<uint8_t>(static_cast<uint16_t>(v) >> 8);
  out[pos + 1] = static_cast<uint8_t>(v);
}

}  // namespace keel::storage
