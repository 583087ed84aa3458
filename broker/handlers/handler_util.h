// File: broker/handlers/handler_util.h
// Small pieces every handler repeats: encode the response frame, and turn a status into the
// Kafka error code and message of a response. (Decoding is TypedHandler's, handler.h.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "broker/net/request_handler.h"
#include "protocol/error_code.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/header.h"

namespace keel::broker::handlers {

template <typename Response>
net::HandlerResult respond(const protocol::RequestHeader& header, const Response& response) {
  return net::HandlerResult::respond(
      protocol::encode_response_frame(header.correlation_id, header.api_version, response));
}

inline int16_t error_code(const absl::Status& status) {
  return static_cast<int16_t>(protocol::to_error_code(status));
}
inline int16_t error_code(protocol::ErrorCode code) { return static_cast<int16_t>(code); }

// The human-readable message for responses that carry one: null when OK.
inline std::optional<std::string> error_message(const absl::Status& status) {
  if (status.ok()) return std::nullopt;
  return std::string(status.message());
}

}  // namespace keel::broker::handlers
