// File: broker/handlers/list_groups_handler.cc
#include "broker/handlers/list_groups_handler.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "broker/broker_services.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/list_groups.h"

namespace keel::broker::handlers {

boost::asio::awaitable<HandlerResult> ListGroupsHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::ListGroupsRequest& req) const {
  group::GroupCoordinator* groups = ctx.broker->groups;
  const int16_t v = header.api_version;
  std::vector<std::string> states;
  if (v >= 4) {
    for (const std::string& s : req.states_filter) states.push_back(absl::AsciiStrToLower(s));
  }
  bool classic = true;
  if (v >= 5 && !req.types_filter.empty()) {
    classic = false;
    for (const std::string& t : req.types_filter) {
      if (absl::AsciiStrToLower(t) == "classic") classic = true;
    }
  }
  protocol::ListGroupsResponse resp;
  for (const std::shared_ptr<group::GroupShard>& shard : groups->shards()) {
    auto work = [](group::GroupShard& s) { return s.list(); };
    auto op = group::GroupCoordinator::on_shard(shard, work);
    std::vector<group::ListedGroup> listed = co_await std::move(op);
    for (const group::ListedGroup& g : listed) {
      if (!classic) continue;
      if (!states.empty() &&
          std::find(states.begin(), states.end(), absl::AsciiStrToLower(g.state)) == states.end()) {
        continue;
      }
      protocol::ListGroupsResponse::ListedGroup lg;
      lg.group_id = g.group_id;
      lg.protocol_type = g.protocol_type;
      lg.group_state = g.state;
      lg.group_type = "classic";
      resp.groups.push_back(std::move(lg));
    }
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
