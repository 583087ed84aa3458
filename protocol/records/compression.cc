#include "protocol/records/compression.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"
#include "protocol/records/compression_internal.h"

namespace keel::protocol {
namespace compression_internal {
namespace {
constexpr size_t kMinChunk = 4096;
}  // namespace

BoundedOutput::BoundedOutput(size_t limit, size_t size_hint)
    : limit_(limit),
      cap_(limit == std::numeric_limits<size_t>::max() ? limit : limit + 1),
      hint_(std::max(size_hint, kMinChunk)) {}

std::span<uint8_t> BoundedOutput::space() {
  if (size_ == buffer_.size()) {
    if (buffer_.size() >= cap_) return {};
    const size_t grown = buffer_.empty() ? hint_ : buffer_.size() * 2;
    buffer_.resize(std::min(std::max(grown, buffer_.size() + 1), cap_));
  }
  return std::span<uint8_t>(buffer_).subspan(size_);
}

Bytes BoundedOutput::finish() && {
  buffer_.resize(size_);
  return std::move(buffer_);
}

absl::Status corrupt(const char* codec, absl::string_view what) {
  return kafka_error(ErrorCode::kCorruptMessage, absl::StrCat("corrupt ", codec, " data: ", what));
}

absl::Status too_large(const char* codec, size_t limit) {
  return kafka_error(
      ErrorCode::kMessageTooLarge,
      absl::StrCat(codec, " data decompresses to more than the limit of ", limit, " bytes"));
}

}  // namespace compression_internal

namespace ci = compression_internal;

const char* compression_name(Compression codec) {
  switch (codec) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

absl::StatusOr<Bytes> compress(Compression codec, std::span<const uint8_t> input) {
  switch (codec) {
    case Compression::kNone:
      return Bytes(input.begin(), input.end());
    case Compression::kGzip:
      return ci::gzip_compress(input);
    case Compression::kSnappy:
      return ci::snappy_compress(input);
    case Compression::kLz4:
      return ci::lz4_compress(input);
    case Compression::kZstd:
      return ci::zstd_compress(input);
  }
  return kafka_error(ErrorCode::kUnsupportedCompressionType,
                     absl::StrCat("unknown compression codec id ", static_cast<int>(codec)));
}

absl::StatusOr<Bytes> decompress(Compression codec, std::span<const uint8_t> input,
                                 size_t max_output) {
  switch (codec) {
    case Compression::kNone:
      if (input.size() > max_output) return ci::too_large("uncompressed", max_output);
      return Bytes(input.begin(), input.end());
    case Compression::kGzip:
      return ci::gzip_decompress(input, max_output);
    case Compression::kSnappy:
      return ci::snappy_decompress(input, max_output);
    case Compression::kLz4:
      return ci::lz4_decompress(input, max_output);
    case Compression::kZstd:
      return ci::zstd_decompress(input, max_output);
  }
  return kafka_error(ErrorCode::kUnsupportedCompressionType,
                     absl::StrCat("unknown compression codec id ", static_cast<int>(codec)));
}

}  // namespace keel::protocol
