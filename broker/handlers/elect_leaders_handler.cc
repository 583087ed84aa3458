// File: broker/handlers/elect_leaders_handler.cc
#include "broker/handlers/elect_leaders_handler.h"

#include <optional>
#include <utility>
#include <vector>

#include "broker/broker_services.h"
#include "broker/controller_calls.h"
#include "broker/handlers/handler_util.h"

namespace keel::broker::handlers {
namespace {

using controller::ElectionTarget;
using controller::TopicElections;
using protocol::ElectLeadersResponse;
using protocol::ErrorCode;

// `error` for every partition the request names, or every partition of this node's image when
// it names none (null: all of them).
std::vector<TopicElections> all_failed(const std::optional<std::vector<ElectionTarget>>& targets,
                                       const controller::MetadataImage& image,
                                       const absl::Status& error) {
  std::vector<TopicElections> out;
  if (targets) {
    for (const ElectionTarget& t : *targets) {
      TopicElections& e = out.emplace_back();
      e.topic = t.topic;
      for (int32_t p : t.partitions) e.partitions.push_back({p, error});
    }
    return out;
  }
  for (const auto& [name, topic] : image.topics()) {
    TopicElections& e = out.emplace_back();
    e.topic = name;
    for (const auto& [id, p] : topic->partitions) e.partitions.push_back({id, error});
  }
  return out;
}

}  // namespace

boost::asio::awaitable<HandlerResult> ElectLeadersHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::ElectLeadersRequest& req) const {
  const BrokerServices& broker = *ctx.broker;
  std::optional<std::vector<ElectionTarget>> targets;
  if (req.topic_partitions) {
    targets.emplace();
    for (auto& t : *req.topic_partitions) {
      targets->push_back({std::move(t.topic), std::move(t.partition_id)});
    }
  }

  ElectLeadersResponse resp;
  absl::StatusOr<std::vector<TopicElections>> results;
  if (req.election_type != static_cast<int8_t>(controller::ElectionType::kPreferred) &&
      req.election_type != static_cast<int8_t>(controller::ElectionType::kUnclean)) {
    results = protocol::kafka_error(
        ErrorCode::kInvalidRequest,
        "unknown election type " + std::to_string(static_cast<int>(req.election_type)));
  } else {
    const auto type = static_cast<controller::ElectionType>(req.election_type);
    controller::ControllerClient* c = broker.controller;
    auto call = await_controller<absl::StatusOr<std::vector<TopicElections>>>(
        [c, type, &targets](auto done) { c->elect_leaders(type, targets, std::move(done)); });
    results = co_await std::move(call);
  }
  if (!results.ok()) {
    resp.error_code = error_code(results.status());
    results = all_failed(targets, *broker.image(), results.status());
  }
  for (const TopicElections& t : *results) {
    ElectLeadersResponse::ReplicaElectionResult& r = resp.replica_election_results.emplace_back();
    r.topic = t.topic;
    for (const controller::PartitionElection& p : t.partitions) {
      r.partition_result.push_back(
          {p.partition, error_code(p.status), error_message(p.status), {}});
    }
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
