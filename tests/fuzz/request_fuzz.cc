// libFuzzer target for everything a client can send: the input is one request frame without
// its size prefix (header + body). Decoding must never crash, read out of bounds or trip a
// sanitizer; a body that decodes must re-encode to bytes that decode and re-encode to the
// same bytes again (decode/encode agree on every version of every API).
//
// The first input byte also picks a split point for the frame assembler, so framing of the
// same bytes is exercised with arbitrary chunking.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "protocol/generated/api_registry.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/header.h"

namespace {

using keel::protocol::Bytes;
using keel::protocol::Reader;

void check_reencoding_is_stable(int16_t key, int16_t version, bool request,
                                std::span<const uint8_t> body) {
  Reader r(body);
  Bytes first;
  auto decode =
      request ? keel::protocol::decode_request_body : keel::protocol::decode_response_body;
  if (!decode(key, version, r, &first).ok()) return;
  Reader again(first);
  Bytes second;
  if (!decode(key, version, again, &second).ok() || second != first) std::abort();
}

void feed_assembler(std::span<const uint8_t> data) {
  if (data.empty()) return;
  keel::protocol::FrameAssembler assembler(1 << 20);
  const size_t split = data[0] % (data.size() + 1);
  assembler.feed(data.subspan(0, split));
  while (assembler.next()) {
  }
  assembler.feed(data.subspan(split));
  while (assembler.next()) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  feed_assembler(input);

  Reader r(input);
  keel::protocol::RequestHeader header;
  if (!keel::protocol::decode_request_header(r, &header).ok()) return 0;
  std::span<const uint8_t> body = input.subspan(r.position());
  check_reencoding_is_stable(header.api_key, header.api_version, /*request=*/true, body);
  // The same bytes as a response body of that API: responses are decoded by clients and,
  // inside the cluster, by brokers talking to each other.
  check_reencoding_is_stable(header.api_key, header.api_version, /*request=*/false, body);
  return 0;
}
