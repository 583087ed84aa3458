// File: broker/handlers/api_versions_handler.cc
#include "broker/handlers/api_versions_handler.h"

#include <string>

#include "broker/handlers/handler_registry.h"
#include "protocol/error_code.h"
#include "protocol/generated/api_versions.h"
#include "protocol/wire/framing.h"

namespace keel::broker::handlers {
namespace {

using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int16_t code(protocol::ErrorCode e) { return static_cast<int16_t>(e); }

}  // namespace

bool ApiVersionsHandler::valid_software_token(std::string_view s) {
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

HandlerResult ApiVersionsHandler::answer_unsupported(const protocol::RequestHeader& header) {
  // The body of a version we do not know cannot be read; answer in the v0 layout, which
  // every client can parse, so it can retry lower.
  ApiVersionsResponse resp;
  resp.throttle_time_ms = 0;
  resp.error_code = code(protocol::ErrorCode::kUnsupportedVersion);
  resp.api_keys.push_back({kApiKey, kMinVersion, kMaxVersion, {}});
  return HandlerResult::respond(
      protocol::encode_response_frame(header.correlation_id, int16_t{0}, resp));
}

std::string ApiVersionsHandler::malformed_reason(const protocol::RequestHeader& header,
                                                 const absl::Status&) {
  return "malformed ApiVersions v" + std::to_string(header.api_version) + " body";
}

boost::asio::awaitable<HandlerResult> ApiVersionsHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    ApiVersionsRequest& req) const {
  ApiVersionsResponse resp;
  resp.throttle_time_ms = 0;
  const int16_t version = header.api_version;
  if (version >= 3 && (!valid_software_token(req.client_software_name) ||
                       !valid_software_token(req.client_software_version))) {
    resp.error_code = code(protocol::ErrorCode::kInvalidRequest);
    co_return HandlerResult::respond(
        protocol::encode_response_frame(header.correlation_id, version, resp));
  }
  for (const ApiRange& a : ctx.registry->advertised()) {
    resp.api_keys.push_back({a.api_key, a.min_version, a.max_version, {}});
  }
  co_return HandlerResult::respond(
      protocol::encode_response_frame(header.correlation_id, version, resp));
}

}  // namespace keel::broker::handlers
