// File: broker/handlers/handler_util.h
// Small pieces every handler repeats: decode the body at the header's version, encode the
// response frame, and turn a status into the Kafka error code and message of a response.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "broker/net/request_handler.h"
#include "protocol/error_code.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/header.h"
#include "protocol/wire/reader.h"

namespace keel::broker::handlers {

// The request body decoded at `header.api_version`; nullopt (with `why` set) when it does not
// decode, which closes the connection: the stream's framing is fine but we cannot answer a
// request we cannot read.
template <typename Request>
std::optional<Request> decode_body(const protocol::RequestHeader& header,
                                   std::span<const uint8_t> body, std::string* why) {
  Request request;
  protocol::Reader reader(body);
  absl::Status status = request.decode(reader, header.api_version);
  if (!status.ok()) {
    *why = "malformed request (api key " + std::to_string(header.api_key) + " v" +
           std::to_string(header.api_version) + "): " + std::string(status.message());
    return std::nullopt;
  }
  return request;
}

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
