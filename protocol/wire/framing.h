// File: protocol/wire/framing.h
// Kafka framing: every request and response is an int32 size (not counting itself) followed
// by that many bytes. A size that is negative, zero or above the configured maximum
// (`socket.request.max.bytes`, default 100 MiB) is a protocol violation: the connection that
// sent it is closed, and no buffer of that size is ever allocated.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/wire/header.h"
#include "protocol/wire/types.h"
#include "protocol/wire/writer.h"

namespace keel::protocol {

inline constexpr int32_t kDefaultMaxFrameBytes = 100 * 1024 * 1024;
inline constexpr size_t kFrameSizeBytes = 4;

// The body size announced by a 4-byte prefix, or InvalidArgument if it is not acceptable.
absl::StatusOr<int32_t> parse_frame_size(std::span<const uint8_t, kFrameSizeBytes> prefix,
                                         int32_t max_frame_bytes);

// Splits a byte stream into frames as bytes arrive in arbitrary pieces. After an error it
// stays failed: the stream cannot be resynchronised, so the caller closes the connection.
class FrameAssembler {
 public:
  explicit FrameAssembler(int32_t max_frame_bytes = kDefaultMaxFrameBytes)
      : max_(max_frame_bytes) {}

  // Appends received bytes.
  void feed(std::span<const uint8_t> bytes);
  // The next complete frame (without its size prefix), or nullopt when more bytes are needed
  // or the stream failed (see status()).
  std::optional<Bytes> next();
  const absl::Status& status() const { return status_; }

 private:
  int32_t max_;
  Bytes pending_;
  size_t consumed_ = 0;
  absl::Status status_;
};

// size prefix + response header + body, built in one exactly-sized buffer.
template <typename Message>
Bytes encode_response_frame(int32_t correlation_id, int16_t version, const Message& body) {
  const int16_t header_version = response_header_version(Message::kApiKey, version);
  const size_t size = response_header_size(header_version) + body.encoded_size(version);
  Bytes out;
  out.reserve(kFrameSizeBytes + size);
  Writer w(out);
  w.write_int32(static_cast<int32_t>(size));
  encode_response_header(w, correlation_id, header_version);
  body.encode(w, version);
  assert(w.splices().empty() && "external records need encode_response_frame_spliced");
  return out;
}

// A response frame whose external records (RecordsView::external) are not in memory: the
// sender writes `frame_without_external_bytes`, inserting each splice's bytes at its offset.
// The size prefix counts the external bytes.
struct SplicedFrame {
  Bytes frame_without_external_bytes;
  std::vector<Splice> splices;  // in encounter order, offsets into the buffer above
};

// encode_response_frame for a body that may hold external records. Same bytes as
// encode_response_frame once the splices are filled in.
template <typename Message>
SplicedFrame encode_response_frame_spliced(int32_t correlation_id, int16_t version,
                                           const Message& body) {
  // Frames without splices could use one exact reservation, but the external bytes are
  // counted in the size and should not be reserved: cap it, the vector grows if needed.
  constexpr size_t kMaxReserve = 64 * 1024;
  const int16_t header_version = response_header_version(Message::kApiKey, version);
  const size_t size = response_header_size(header_version) + body.encoded_size(version);
  SplicedFrame result;
  Bytes& out = result.frame_without_external_bytes;
  out.reserve(kFrameSizeBytes + std::min(size, kMaxReserve));
  Writer w(out);
  w.write_int32(static_cast<int32_t>(size));
  encode_response_header(w, correlation_id, header_version);
  body.encode(w, version);
  result.splices = w.take_splices();
  return result;
}

// size prefix + request header + body (for clients, inter-broker calls and tests).
template <typename Message>
Bytes encode_request_frame(const RequestHeader& header, const Message& body) {
  const size_t size = request_header_size(header) + body.encoded_size(header.api_version);
  Bytes out;
  out.reserve(kFrameSizeBytes + size);
  Writer w(out);
  w.write_int32(static_cast<int32_t>(size));
  encode_request_header(w, header);
  body.encode(w, header.api_version);
  assert(w.splices().empty() && "external records in a request frame");
  return out;
}

}  // namespace keel::protocol
