// A typed request/response round trip to a running node over a TestClient: encodes the
// request at `version`, reads one response frame and decodes it, which must consume the whole
// frame and carry the request's correlation id. nullopt (with a gtest failure) otherwise.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "net_test_util.h"
#include "protocol/generated/api_versions.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/header.h"
#include "protocol/wire/reader.h"

namespace keel::broker::testing {

// Sends `request` at `version`; false (with a gtest failure) when the send fails.
template <typename Request>
bool send_request(net::testing::TestClient& client, int32_t correlation_id,
                  const std::string& client_id, const Request& request, int16_t version) {
  protocol::RequestHeader h;
  h.api_key = Request::kApiKey;
  h.api_version = version;
  h.correlation_id = correlation_id;
  h.client_id = client_id;
  if (!client.send(protocol::encode_request_frame(h, request))) {
    ADD_FAILURE() << "send failed";
    return false;
  }
  return true;
}

// Reads and decodes the response to a request of `Request` at `version`.
template <typename Response, typename Request>
std::optional<Response> read_response(
    net::testing::TestClient& client, int32_t correlation_id, int16_t version,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  std::optional<protocol::Bytes> frame = client.read_frame(timeout);
  if (!frame) {
    ADD_FAILURE() << Request::kApiName << " v" << version << ": no response";
    return std::nullopt;
  }
  protocol::Reader r(*frame);
  int32_t correlation = protocol::decode_response_header(
      r, protocol::response_header_version(Request::kApiKey, version));
  Response response;
  absl::Status s = response.decode(r, version);
  if (correlation != correlation_id || !s.ok() || r.remaining() != 0) {
    ADD_FAILURE() << Request::kApiName << " v" << version << ": bad response " << s;
    return std::nullopt;
  }
  return response;
}

template <typename Response, typename Request>
std::optional<Response> call_node(net::testing::TestClient& client, int32_t correlation_id,
                                  const std::string& client_id, const Request& request,
                                  int16_t version) {
  if (!send_request(client, correlation_id, client_id, request, version)) return std::nullopt;
  return read_response<Response, Request>(client, correlation_id, version);
}

using VersionRange = std::pair<int, int>;

// The versions of `api_key` an ApiVersions response advertises; {-1, -1} when it is absent.
inline VersionRange advertised_range(const protocol::ApiVersionsResponse& response,
                                     int16_t api_key) {
  for (const auto& k : response.api_keys) {
    if (k.api_key == api_key) return {k.min_version, k.max_version};
  }
  return {-1, -1};
}

}  // namespace keel::broker::testing
