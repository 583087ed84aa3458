// File: broker/handlers/delete_groups_handler.cc
#include "broker/handlers/delete_groups_handler.h"

#include <string>

#include "broker/broker_services.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/delete_groups.h"

namespace keel::broker::handlers {

boost::asio::awaitable<HandlerResult> DeleteGroupsHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::DeleteGroupsRequest& req) const {
  group::GroupCoordinator* groups = ctx.broker->groups;
  protocol::DeleteGroupsResponse resp;
  for (const std::string& id : req.groups_names) {
    protocol::DeleteGroupsResponse::DeletableGroupResult r;
    r.group_id = id;
    group::GroupCoordinator::Route route = groups->route(id);
    if (route.error != 0) {
      r.error_code = route.error;
    } else {
      auto work = [id](group::GroupShard& shard) { return shard.delete_group(id); };
      auto op = group::GroupCoordinator::on_shard(route.shard, std::move(work));
      r.error_code = co_await std::move(op);
    }
    resp.results.push_back(std::move(r));
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
