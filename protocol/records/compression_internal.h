// File: protocol/records/compression_internal.h
// Shared pieces of the codec implementations (compression_*.cc). Not for use elsewhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "protocol/wire/types.h"

namespace keel::protocol::compression_internal {

// A decompression output buffer that grows geometrically but never past limit + 1 bytes: the one
// extra byte lets a decoder prove the output would exceed the limit without writing further.
class BoundedOutput {
 public:
  BoundedOutput(size_t limit, size_t size_hint);

  // Writable space after the produced bytes, growing the buffer if it is full. Empty only when
  // the output already exceeds the limit.
  std::span<uint8_t> space();
  // Records that `n` bytes of the last space() were written.
  void commit(size_t n) { size_ += n; }

  size_t size() const { return size_; }
  bool over_limit() const { return size_ > limit_; }
  size_t limit() const { return limit_; }
  // The produced bytes.
  Bytes finish() &&;

 private:
  Bytes buffer_;
  size_t size_ = 0;
  size_t limit_;
  size_t cap_;  // limit_ + 1, saturated
  size_t hint_;
};

absl::Status corrupt(const char* codec, absl::string_view what);
absl::Status too_large(const char* codec, size_t limit);

absl::StatusOr<Bytes> gzip_compress(std::span<const uint8_t> input);
absl::StatusOr<Bytes> gzip_decompress(std::span<const uint8_t> input, size_t max_output);
absl::StatusOr<Bytes> snappy_compress(std::span<const uint8_t> input);
absl::StatusOr<Bytes> snappy_decompress(std::span<const uint8_t> input, size_t max_output);
absl::StatusOr<Bytes> lz4_compress(std::span<const uint8_t> input);
absl::StatusOr<Bytes> lz4_decompress(std::span<const uint8_t> input, size_t max_output);
absl::StatusOr<Bytes> zstd_compress(std::span<const uint8_t> input);
absl::StatusOr<Bytes> zstd_decompress(std::span<const uint8_t> input, size_t max_output);

}  // namespace keel::protocol::compression_internal
