// File: protocol/wire/header.h
// Kafka request and response headers.
//
// Request header v1: api_key, api_version, correlation_id, client_id (int16-length nullable
// string); v2 adds a tagged-field section and is used exactly when the request version is
// flexible. Response header v0 is the correlation id; v1 adds tagged fields for flexible
// responses, except ApiVersions, which always answers with v0 so any client can read it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "protocol/wire/reader.h"
#include "protocol/wire/types.h"
#include "protocol/wire/writer.h"

namespace keel::protocol {

inline constexpr int16_t kApiVersionsKey = 18;

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  RawTaggedFields unknown_tagged_fields;
  bool operator==(const RequestHeader&) const = default;
};

// 2 for flexible versions of known APIs, 1 otherwise. Versions above an API's maximum are
// judged by its first flexible version, so a newer client's header still parses.
int16_t request_header_version(int16_t api_key, int16_t api_version);
// 1 for flexible responses, 0 otherwise and always 0 for ApiVersions.
int16_t response_header_version(int16_t api_key, int16_t api_version);

// Decodes the header at the start of a request frame; the reader is left at the body.
// The first 8 bytes (key, version, correlation id) are read even when the rest is bad, so
// `header->correlation_id` is usable for an error reply whenever the frame has 8 bytes.
absl::Status decode_request_header(Reader& r, RequestHeader* header);
void encode_request_header(Writer& w, const RequestHeader& header);
size_t request_header_size(const RequestHeader& header);

void encode_response_header(Writer& w, int32_t correlation_id, int16_t header_version);
size_t response_header_size(int16_t header_version);
// Reads a response header of `header_version`; returns the correlation id.
int32_t decode_response_header(Reader& r, int16_t header_version);

}  // namespace keel::protocol
