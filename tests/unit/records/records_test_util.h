// File: tests/unit/records/records_test_util.h
// Small helpers shared by the record-batch tests.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "protocol/error_code.h"
#include "protocol/wire/types.h"

namespace keel::protocol::testing {

inline Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

inline std::span<const uint8_t> view_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

inline std::string string_of(std::span<const uint8_t> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

inline std::optional<std::string> string_of(const std::optional<std::span<const uint8_t>>& b) {
  if (!b) return std::nullopt;
  return string_of(*b);
}

inline Bytes random_bytes(std::mt19937_64& rng, size_t n) {
  Bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

// The Kafka error code a Status carries, kNone for OK.
inline ErrorCode code_of(const absl::Status& s) { return to_error_code(s); }

}  // namespace keel::protocol::testing
