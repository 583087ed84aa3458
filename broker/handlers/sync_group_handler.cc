// File: broker/handlers/sync_group_handler.cc
#include "broker/handlers/sync_group_handler.h"

#include <string>

#include "broker/broker_services.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/sync_group.h"

namespace keel::broker::handlers {

boost::asio::awaitable<HandlerResult> SyncGroupHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::SyncGroupRequest& req) const {
  group::GroupCoordinator* groups = ctx.broker->groups;
  const int16_t v = header.api_version;
  protocol::SyncGroupResponse resp;
  group::GroupCoordinator::Route route = groups->route(req.group_id);
  if (route.error != 0) {
    resp.error_code = route.error;
    co_return respond(header, resp);
  }
  group::SyncRequest sr;
  sr.group_id = req.group_id;
  sr.generation = req.generation_id;
  sr.member_id = req.member_id;
  if (v >= 3) sr.instance_id = req.group_instance_id;
  if (v >= 5) {
    sr.protocol_type = req.protocol_type;
    sr.protocol_name = req.protocol_name;
  }
  for (auto& a : req.assignments) sr.assignments.emplace_back(a.member_id, std::move(a.assignment));
  auto op = group::GroupCoordinator::sync(route.shard, std::move(sr));
  group::SyncResult r = co_await std::move(op);
  resp.error_code = r.error;
  if (v >= 5 && r.error == 0) {
    resp.protocol_type = r.protocol_type;
    resp.protocol_name = r.protocol_name;
  }
  resp.assignment = std::move(r.assignment);
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
