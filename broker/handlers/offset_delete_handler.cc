// File: broker/handlers/offset_delete_handler.cc
#include "broker/handlers/offset_delete_handler.h"

#include <string>

#include "broker/broker_services.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/offset_delete.h"

namespace keel::broker::handlers {

boost::asio::awaitable<HandlerResult> OffsetDeleteHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::OffsetDeleteRequest& req) const {
  group::GroupCoordinator* groups = ctx.broker->groups;
  protocol::OffsetDeleteResponse resp;
  group::TopicPartitions topics;
  for (const auto& t : req.topics) {
    std::vector<int32_t> parts;
    for (const auto& p : t.partitions) parts.push_back(p.partition_index);
    topics.emplace_back(t.name, std::move(parts));
  }
  group::GroupCoordinator::Route route = groups->route(req.group_id);
  if (route.error != 0) {
    resp.error_code = route.error;
    co_return respond(header, resp);
  }
  auto work = [g = req.group_id, topics](group::GroupShard& shard) {
    return shard.delete_offsets(g, topics);
  };
  auto op = group::GroupCoordinator::on_shard(route.shard, std::move(work));
  std::pair<int16_t, std::vector<int16_t>> r = co_await std::move(op);
  resp.error_code = r.first;
  if (r.first == 0) {
    size_t i = 0;
    for (const auto& t : req.topics) {
      protocol::OffsetDeleteResponse::OffsetDeleteResponseTopic rt;
      rt.name = t.name;
      for (const auto& p : t.partitions) {
        protocol::OffsetDeleteResponse::OffsetDeleteResponsePartition rp;
        rp.partition_index = p.partition_index;
        rp.error_code = i < r.second.size() ? r.second[i] : 0;
        ++i;
        rt.partitions.push_back(rp);
      }
      resp.topics.push_back(std::move(rt));
    }
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
