// File: broker/handlers/heartbeat_handler.cc
#include "broker/handlers/heartbeat_handler.h"

#include <string>

#include "broker/broker_services.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/heartbeat.h"

namespace keel::broker::handlers {

boost::asio::awaitable<HandlerResult> HeartbeatHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::HeartbeatRequest& req) const {
  group::GroupCoordinator* groups = ctx.broker->groups;
  protocol::HeartbeatResponse resp;
  group::GroupCoordinator::Route route = groups->route(req.group_id);
  if (route.error != 0) {
    resp.error_code = route.error;
    co_return respond(header, resp);
  }
  std::optional<std::string> instance;
  if (header.api_version >= 3) instance = req.group_instance_id;
  auto work = [g = req.group_id, gen = req.generation_id, m = req.member_id,
               instance](group::GroupShard& shard) { return shard.heartbeat(g, gen, m, instance); };
  auto op = group::GroupCoordinator::on_shard(route.shard, std::move(work));
  resp.error_code = co_await std::move(op);
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
