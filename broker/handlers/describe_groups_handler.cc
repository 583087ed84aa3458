// File: broker/handlers/describe_groups_handler.cc
#include "broker/handlers/describe_groups_handler.h"

#include <string>

#include "broker/broker_services.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/describe_groups.h"

namespace keel::broker::handlers {

boost::asio::awaitable<HandlerResult> DescribeGroupsHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::DescribeGroupsRequest& req) const {
  group::GroupCoordinator* groups = ctx.broker->groups;
  protocol::DescribeGroupsResponse resp;
  for (const std::string& id : req.groups) {
    protocol::DescribeGroupsResponse::DescribedGroup dg;
    dg.group_id = id;
    group::GroupCoordinator::Route route = groups->route(id);
    if (route.error != 0) {
      dg.error_code = route.error;
      resp.groups.push_back(std::move(dg));
      continue;
    }
    auto work = [id](group::GroupShard& shard) { return shard.describe(id); };
    auto op = group::GroupCoordinator::on_shard(route.shard, std::move(work));
    group::DescribedGroup d = co_await std::move(op);
    dg.error_code = d.error;
    dg.group_state = d.state;
    dg.protocol_type = d.protocol_type;
    dg.protocol_data = d.protocol;
    for (group::DescribedMember& m : d.members) {
      protocol::DescribeGroupsResponse::DescribedGroupMember dm;
      dm.member_id = m.member_id;
      dm.group_instance_id = m.instance_id;
      dm.client_id = m.client_id;
      dm.client_host = m.client_host;
      dm.member_metadata = std::move(m.metadata);
      dm.member_assignment = std::move(m.assignment);
      dg.members.push_back(std::move(dm));
    }
    resp.groups.push_back(std::move(dg));
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
