// File: broker/handlers/offset_fetch_handler.cc
#include "broker/handlers/offset_fetch_handler.h"

#include <map>
#include <string>
#include <vector>

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

}  // namespace

boost::asio::awaitable<HandlerResult> OffsetFetchHandler::handle(
    const RequestContext&, const protocol::RequestHeader& header,
    std::span<const uint8_t> body) const {
  std::string why;
  auto req = decode_body<protocol::OffsetFetchRequest>(header, body, &why);
  if (!req) co_return HandlerResult::close(why);
  const int16_t v = header.api_version;
  protocol::OffsetFetchResponse resp;
  if (v >= 8) {
    for (const auto& g : req->groups) {
      std::optional<group::TopicPartitions> topics;
      if (g.topics) {
        topics.emplace();
        for (const auto& t : *g.topics) topics->emplace_back(t.name, t.partition_indexes);
      }
      auto op = fetch_group(groups_, g.group_id, std::move(topics));
      Fetched f = co_await std::move(op);
      protocol::OffsetFetchResponse::OffsetFetchResponseGroup rg;
      rg.group_id = g.group_id;
      rg.error_code = f.first;
      std::map<std::string, size_t> index;
      for (const group::FetchedOffset& o : f.second) {
        auto [it, added] = index.emplace(o.topic, rg.topics.size());
        if (added) {
          rg.topics.emplace_back();
          rg.topics.back().name = o.topic;
        }
        protocol::OffsetFetchResponse::OffsetFetchResponsePartitions p;
        p.partition_index = o.partition;
        p.committed_offset = o.offset;
        p.committed_leader_epoch = o.leader_epoch;
        p.metadata = o.metadata;
        p.error_code = o.error;
        rg.topics[it->second].partitions.push_back(std::move(p));
      }
      resp.groups.push_back(std::move(rg));
    }
    co_return respond(header, resp);
  }
  std::optional<group::TopicPartitions> topics;
  if (req->topics) {
    topics.emplace();
    for (const auto& t : *req->topics) topics->emplace_back(t.name, t.partition_indexes);
  }
  auto op = fetch_group(groups_, req->group_id, topics);
  Fetched f = co_await std::move(op);
  if (f.first != 0 && v < 2 && topics) {
    // No top-level error before v2: every partition carries it.
    for (const auto& [topic, partitions] : *topics) {
      for (int32_t p : partitions) f.second.push_back({topic, p, -1, -1, "", f.first});
    }
  }
  resp.error_code = f.first;
  std::map<std::string, size_t> index;
  for (const group::FetchedOffset& o : f.second) {
    auto [it, added] = index.emplace(o.topic, resp.topics.size());
    if (added) {
      resp.topics.emplace_back();
      resp.topics.back().name = o.topic;
    }
    protocol::OffsetFetchResponse::OffsetFetchResponsePartition p;
    p.partition_index = o.partition;
    p.committed_offset = o.offset;
    p.committed_leader_epoch = o.leader_epoch;
    p.metadata = o.metadata;
    p.error_code = o.error;
    resp.topics[it->second].partitions.push_back(std::move(p));
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
