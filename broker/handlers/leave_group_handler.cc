// File: broker/handlers/leave_group_handler.cc
#include "broker/handlers/leave_group_handler.h"

#include <string>
#include <vector>

#include "broker/broker_services.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/leave_group.h"

namespace keel::broker::handlers {

boost::asio::awaitable<HandlerResult> LeaveGroupHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::LeaveGroupRequest& req) const {
  group::GroupCoordinator* groups = ctx.broker->groups;
  const int16_t v = header.api_version;
  protocol::LeaveGroupResponse resp;
  std::vector<group::MemberIdentity> members;
  if (v >= 3) {
    for (const auto& m : req.members) members.push_back({m.member_id, m.group_instance_id});
  } else {
    members.push_back({req.member_id, std::nullopt});
  }
  group::GroupCoordinator::Route route = groups->route(req.group_id);
  if (route.error != 0) {
    resp.error_code = route.error;
    co_return respond(header, resp);
  }
  auto work = [g = req.group_id, members](group::GroupShard& shard) {
    return shard.leave(g, members);
  };
  auto op = group::GroupCoordinator::on_shard(route.shard, std::move(work));
  std::vector<int16_t> errors = co_await std::move(op);
  if (v >= 3) {
    for (size_t i = 0; i < members.size(); ++i) {
      protocol::LeaveGroupResponse::MemberResponse mr;
      mr.member_id = members[i].member_id;
      mr.group_instance_id = members[i].instance_id;
      mr.error_code = errors[i];
      resp.members.push_back(std::move(mr));
    }
    // A load in progress is the whole request's error.
    if (!errors.empty() &&
        errors.front() == error_code(protocol::ErrorCode::kCoordinatorLoadInProgress)) {
      resp.error_code = errors.front();
    }
  } else {
    resp.error_code = errors.empty() ? 0 : errors.front();
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
