// File: broker/handlers/find_coordinator_handler.cc
#include "broker/handlers/find_coordinator_handler.h"

#include <string>

#include "broker/handlers/handler_util.h"
#include "protocol/generated/find_coordinator.h"

namespace keel::broker::handlers {

boost::asio::awaitable<HandlerResult> FindCoordinatorHandler::handle(
    const RequestContext&, const protocol::RequestHeader& header,
    std::span<const uint8_t> body) const {
  std::string why;
  auto req = decode_body<protocol::FindCoordinatorRequest>(header, body, &why);
  if (!req) co_return HandlerResult::close(why);
  const int16_t code = error_code(protocol::ErrorCode::kCoordinatorNotAvailable);
  const std::string message = req->key_type == 0 ? "consumer groups are not implemented yet"
                                                 : "transactions are not implemented yet";
  protocol::FindCoordinatorResponse resp;
  resp.node_id = -1;
  if (header.api_version >= 4) {
    for (const std::string& key : req->coordinator_keys) {
      protocol::FindCoordinatorResponse::Coordinator c;
      c.key = key;
      c.node_id = -1;
      c.error_code = code;
      c.error_message = message;
      resp.coordinators.push_back(std::move(c));
    }
  } else {
    resp.error_code = code;
    resp.error_message = message;
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
