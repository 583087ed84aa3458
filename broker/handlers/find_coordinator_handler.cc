// File: broker/handlers/find_coordinator_handler.cc
#include "broker/handlers/find_coordinator_handler.h"

#include <string>

#include "broker/broker_services.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/advertised_endpoint.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/find_coordinator.h"

namespace keel::broker::handlers {
namespace {

struct Found {
  int16_t error = 0;
  std::string message;
  int32_t node_id = -1;
  std::string host;
  int32_t port = -1;
};

Found find(group::GroupCoordinator* groups, const BrokerServices* broker, std::string_view listener,
           const std::string& key, int8_t key_type) {
  Found f;
  if (key_type != 0) {
    f.error = error_code(protocol::ErrorCode::kCoordinatorNotAvailable);
    f.message = "transactions are not implemented yet";
    return f;
  }
  group::GroupCoordinator::Route route = groups->route(key);
  if (route.coordinator < 0) {
    f.error = route.error;
    f.message = "the group coordinator is not available yet";
    return f;
  }
  const controller::BrokerImage* b =
      broker != nullptr ? broker->image()->broker(route.coordinator) : nullptr;
  const metadata::Endpoint* endpoint = b != nullptr ? advertised_endpoint(*b, listener) : nullptr;
  if (b == nullptr || b->fenced || endpoint == nullptr) {
    f.error = error_code(protocol::ErrorCode::kCoordinatorNotAvailable);
    f.message = "the coordinator's node is not available";
    return f;
  }
  f.node_id = route.coordinator;
  f.host = endpoint->host();
  f.port = static_cast<int32_t>(endpoint->port());
  return f;
}

}  // namespace

boost::asio::awaitable<HandlerResult> FindCoordinatorHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::FindCoordinatorRequest& req) const {
  group::GroupCoordinator* groups = ctx.broker->groups;
  const int8_t key_type = header.api_version >= 1 ? req.key_type : 0;
  protocol::FindCoordinatorResponse resp;
  if (header.api_version >= 4) {
    for (const std::string& key : req.coordinator_keys) {
      Found f = find(groups, ctx.broker, ctx.listener, key, key_type);
      protocol::FindCoordinatorResponse::Coordinator c;
      c.key = key;
      c.node_id = f.node_id;
      c.host = f.host;
      c.port = f.port;
      c.error_code = f.error;
      if (f.error != 0) {
        c.error_message = f.message;
      } else {
        c.error_message = std::nullopt;
      }
      resp.coordinators.push_back(std::move(c));
    }
  } else {
    Found f = find(groups, ctx.broker, ctx.listener, req.key, key_type);
    resp.node_id = f.node_id;
    resp.host = f.host;
    resp.port = f.port;
    resp.error_code = f.error;
    if (f.error != 0) {
      resp.error_message = f.message;
    } else {
      resp.error_message = std::nullopt;
    }
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
