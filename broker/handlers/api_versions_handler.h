// File: broker/handlers/api_versions_handler.h
// ApiVersions (key 18): lists every registered handler's range (HandlerRegistry::advertised).
//
// Behaviour (protocol-brief §2, "ApiVersions start and fallback"):
// - Versions 0-4 (v4 differs from v3 only in feature-range semantics; our feature lists are
//   empty). Response header v0 always (encode_response_frame picks it).
// - A version outside 0-4: UNSUPPORTED_VERSION (35) in the v0 body layout with key 18's
//   range, which is what lets librdkafka and kafkajs retry a lower version.
// - v3+: client_software_name/version must be non-empty and match
//   [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?, else INVALID_REQUEST (42) with an empty list
//   (librdkafka then retries v0).
// - A body that does not decode at a supported version closes the connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "broker/handlers/handler.h"
#include "protocol/generated/api_versions.h"

namespace keel::broker::handlers {

class ApiVersionsHandler : public TypedHandler<ApiVersionsHandler, protocol::ApiVersionsRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  // A version outside 0-4 (TypedHandler's hook; the body is not read).
  static HandlerResult answer_unsupported(const protocol::RequestHeader& header);
  // The close reason for a body that does not decode (TypedHandler's hook).
  static std::string malformed_reason(const protocol::RequestHeader& header,
                                      const absl::Status& status);
  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::ApiVersionsRequest& req) const;

  // True if `s` is a valid client software name or version (see above). Exposed for tests.
  static bool valid_software_token(std::string_view s);
};

}  // namespace keel::broker::handlers
