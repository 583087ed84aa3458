// File: broker/handlers/offset_fetch_handler.cc
#include "broker/handlers/offset_fetch_handler.h"

#include <map>
#include <string>
#include <vector>

#include "broker/broker_services.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/offset_fetch.h"

namespace keel::broker::handlers {
namespace {

using Fetched = std::pair<int16_t, std::vector<group::FetchedOffset>>;

// The group's offsets, or its routing error.
boost::asio::awaitable<Fetched> fetch_group(group::GroupCoordinator* groups, std::string group_id,
                                            std::optional<group::TopicPartitions> topics) {
  group::GroupCoordinator::Route route = groups->route(group_id);
  if (route.error != 0) co_return Fetched{route.error, {}};
  auto work = [g = std::move(group_id), t = std::move(topics)](group::GroupShard& shard) {
    return shard.fetch_offsets(g, t);
  };
  auto op = group::GroupCoordinator::on_shard(route.shard, std::move(work));
  Fetched f = co_await std::move(op);
  co_return f;
}

// The requested topics as the coordinator takes them; nullopt = every committed offset. The
// batched (v8+) and single-group layouts differ only in type names.
template <typename RequestTopics>
std::optional<group::TopicPartitions> requested(const std::optional<RequestTopics>& topics) {
  if (!topics) return std::nullopt;
  group::TopicPartitions out;
  for (const auto& t : *topics) out.emplace_back(t.name, t.partition_indexes);
  return out;
}

// Appends the fetched offsets to a response's topics, one entry per topic in first-seen order.
template <typename ResponseTopic>
void add_offsets(const std::vector<group::FetchedOffset>& fetched,
                 std::vector<ResponseTopic>& topics) {
  std::map<std::string, size_t> index;
  for (const group::FetchedOffset& o : fetched) {
    auto [it, added] = index.emplace(o.topic, topics.size());
    if (added) {
      topics.emplace_back();
      topics.back().name = o.topic;
    }
    typename decltype(ResponseTopic::partitions)::value_type p;
    p.partition_index = o.partition;
    p.committed_offset = o.offset;
    p.committed_leader_epoch = o.leader_epoch;
    p.metadata = o.metadata;
    p.error_code = o.error;
    topics[it->second].partitions.push_back(std::move(p));
  }
}

}  // namespace

boost::asio::awaitable<HandlerResult> OffsetFetchHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::OffsetFetchRequest& req) const {
  group::GroupCoordinator* groups = ctx.broker->groups;
  const int16_t v = header.api_version;
  protocol::OffsetFetchResponse resp;
  if (v >= 8) {
    for (const auto& g : req.groups) {
      auto op = fetch_group(groups, g.group_id, requested(g.topics));
      Fetched f = co_await std::move(op);
      protocol::OffsetFetchResponse::OffsetFetchResponseGroup rg;
      rg.group_id = g.group_id;
      rg.error_code = f.first;
      add_offsets(f.second, rg.topics);
      resp.groups.push_back(std::move(rg));
    }
    co_return respond(header, resp);
  }
  const std::optional<group::TopicPartitions> topics = requested(req.topics);
  auto op = fetch_group(groups, req.group_id, topics);
  Fetched f = co_await std::move(op);
  if (f.first != 0 && v < 2 && topics) {
    // No top-level error before v2: every partition carries it.
    for (const auto& [topic, partitions] : *topics) {
      for (int32_t p : partitions) f.second.push_back({topic, p, -1, -1, "", f.first});
    }
  }
  resp.error_code = f.first;
  add_offsets(f.second, resp.topics);
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
