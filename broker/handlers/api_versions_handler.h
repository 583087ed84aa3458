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
#include <span>
#include <string_view>

#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class ApiVersionsHandler : public HandlerBase<ApiVersionsHandler> {
 public:
  static constexpr int16_t kApiKey = protocol::kApiVersionsKey;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  bool accepts_unsupported_versions() const override { return true; }
  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;

  // True if `s` is a valid client software name or version (see above). Exposed for tests.
  static bool valid_software_token(std::string_view s);
};

}  // namespace keel::broker::handlers
