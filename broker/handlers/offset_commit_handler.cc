// File: broker/handlers/offset_commit_handler.cc
#include "broker/handlers/offset_commit_handler.h"

#include <string>
#include <vector>

#include "broker/broker_services.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/offset_commit.h"

namespace keel::broker::handlers {

boost::asio::awaitable<HandlerResult> OffsetCommitHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::OffsetCommitRequest& req) const {
  group::GroupCoordinator* groups = ctx.broker->groups;
  const int16_t v = header.api_version;
  protocol::OffsetCommitResponse resp;
  // Every partition's response slot, in request order; kNone until decided.
  std::vector<int16_t> errors;
  for (const auto& t : req.topics) {
    for (size_t i = 0; i < t.partitions.size(); ++i) errors.push_back(0);
  }
  auto image = ctx.broker->image();
  group::CommitRequest cr;
  cr.group_id = req.group_id;
  cr.generation = v >= 1 ? req.generation_id_or_member_epoch : -1;
  cr.member_id = v >= 1 ? req.member_id : std::string();
  if (v >= 7) cr.instance_id = req.group_instance_id;
  std::vector<size_t> slots;  // cr.offsets[i] answers errors[slots[i]]
  group::GroupCoordinator::Route route = groups->route(req.group_id);
  size_t slot = 0;
  for (const auto& t : req.topics) {
    const controller::TopicImage* topic = image ? image->topic(t.name) : nullptr;
    for (const auto& p : t.partitions) {
      if (topic == nullptr || !topic->partitions.count(p.partition_index)) {
        errors[slot++] = error_code(protocol::ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      group::CommitEntry e;
      e.topic = t.name;
      e.partition = p.partition_index;
      e.value.offset = p.committed_offset;
      e.value.leader_epoch = v >= 6 ? p.committed_leader_epoch : -1;
      e.value.metadata = p.committed_metadata;
      e.value.commit_timestamp_ms = v == 1 ? p.commit_timestamp : -1;
      cr.offsets.push_back(std::move(e));
      slots.push_back(slot++);
    }
  }
  if (route.error != 0) {
    for (size_t s : slots) errors[s] = route.error;
  } else if (!cr.offsets.empty()) {
    auto work = [cr = std::move(cr)](group::GroupShard& shard) { return shard.commit(cr); };
    auto op = group::GroupCoordinator::on_shard(route.shard, std::move(work));
    std::vector<int16_t> result = co_await std::move(op);
    for (size_t i = 0; i < slots.size() && i < result.size(); ++i) errors[slots[i]] = result[i];
  }
  slot = 0;
  for (const auto& t : req.topics) {
    protocol::OffsetCommitResponse::OffsetCommitResponseTopic rt;
    rt.name = t.name;
    for (const auto& p : t.partitions) {
      protocol::OffsetCommitResponse::OffsetCommitResponsePartition rp;
      rp.partition_index = p.partition_index;
      rp.error_code = errors[slot++];
      rt.partitions.push_back(rp);
    }
    resp.topics.push_back(std::move(rt));
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
