// File: broker/handlers/join_group_handler.cc
#include "broker/handlers/join_group_handler.h"

#include <string>

#include "broker/broker_services.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/join_group.h"

namespace keel::broker::handlers {

boost::asio::awaitable<HandlerResult> JoinGroupHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::JoinGroupRequest& req) const {
  group::GroupCoordinator* groups = ctx.broker->groups;
  const int16_t v = header.api_version;
  protocol::JoinGroupResponse resp;
  resp.protocol_name = v >= 7 ? std::nullopt : std::optional<std::string>(std::string());
  resp.member_id = req.member_id;
  group::GroupCoordinator::Route route = groups->route(req.group_id);
  if (route.error != 0) {
    resp.error_code = route.error;
    co_return respond(header, resp);
  }
  group::JoinRequest jr;
  jr.group_id = req.group_id;
  jr.member_id = req.member_id;
  if (v >= 5) jr.instance_id = req.group_instance_id;
  jr.client_id = header.client_id.value_or("");
  jr.client_host = std::string(ctx.client_host);
  jr.session_timeout_ms = req.session_timeout_ms;
  jr.rebalance_timeout_ms = v >= 1 ? req.rebalance_timeout_ms : req.session_timeout_ms;
  jr.protocol_type = req.protocol_type;
  for (auto& p : req.protocols) jr.protocols.push_back({p.name, std::move(p.metadata)});
  jr.require_known_member_id = v >= 4;
  auto op = group::GroupCoordinator::join(route.shard, std::move(jr));
  group::JoinResult r = co_await std::move(op);
  resp.error_code = r.error;
  resp.generation_id = r.generation;
  if (r.error == 0) {
    if (v >= 7) {
      resp.protocol_type = r.protocol_type;
      resp.protocol_name = r.protocol_name;
    } else {
      resp.protocol_name = r.protocol_name.value_or("");
    }
  }
  resp.leader = r.leader;
  resp.member_id = r.member_id;
  for (auto& m : r.members) {
    protocol::JoinGroupResponse::JoinGroupResponseMember rm;
    rm.member_id = m.member_id;
    rm.group_instance_id = m.instance_id;
    rm.metadata = std::move(m.metadata);
    resp.members.push_back(std::move(rm));
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
