// File: broker/handlers/create_topics_handler.cc
#include "broker/handlers/create_topics_handler.h"

#include <map>
#include <string>
#include <vector>

#include "broker/broker_services.h"
#include "broker/controller_calls.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/create_topics.h"

namespace keel::broker::handlers {
namespace {

using protocol::CreateTopicsRequest;
using protocol::CreateTopicsResponse;
using protocol::ErrorCode;

// The request's topic as the controller takes it, or the error that keeps it from going
// there.
absl::Status to_new_topic(const CreateTopicsRequest::CreatableTopic& t, controller::NewTopic* out) {
  out->name = t.name;
  out->num_partitions = t.num_partitions;
  out->replication_factor = t.replication_factor;
  for (const auto& a : t.assignments) {
    if (!out->assignments.emplace(a.partition_index, a.broker_ids).second) {
      return protocol::kafka_error(
          ErrorCode::kInvalidReplicaAssignment,
          "partition " + std::to_string(a.partition_index) + " is assigned more than once");
    }
  }
  for (const auto& c : t.configs) {
    if (!c.value.has_value()) {
      return protocol::kafka_error(ErrorCode::kInvalidConfig,
                                   "Null value not supported for topic config " + c.name);
    }
    out->configs[c.name] = *c.value;
  }
  return absl::OkStatus();
}

CreateTopicsResponse::CreatableTopicResult error_result(const std::string& name,
                                                        const absl::Status& status) {
  CreateTopicsResponse::CreatableTopicResult r;
  r.name = name;
  r.error_code = error_code(status);
  r.error_message = error_message(status);
  return r;
}

}  // namespace

boost::asio::awaitable<HandlerResult> CreateTopicsHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::CreateTopicsRequest& req) const {
  const BrokerServices& broker = *ctx.broker;

  std::map<std::string, int> seen;
  for (const auto& t : req.topics) ++seen[t.name];

  // One result slot per request entry (a repeated name gets one, at its first entry); the
  // topics that pass the checks here go to the controller in one call.
  CreateTopicsResponse resp;
  std::vector<controller::NewTopic> topics;
  std::vector<size_t> slot_of;  // topics[i] answers resp.topics[slot_of[i]]
  std::map<std::string, bool> reported;
  for (const auto& t : req.topics) {
    if (seen[t.name] > 1) {
      if (!reported[t.name]) {
        reported[t.name] = true;
        resp.topics.push_back(error_result(
            t.name, protocol::kafka_error(ErrorCode::kInvalidRequest,
                                          "topic " + t.name + " is listed more than once")));
      }
      continue;
    }
    controller::NewTopic n;
    if (absl::Status s = to_new_topic(t, &n); !s.ok()) {
      resp.topics.push_back(error_result(t.name, s));
      continue;
    }
    slot_of.push_back(resp.topics.size());
    resp.topics.emplace_back();
    topics.push_back(std::move(n));
  }

  std::vector<controller::CreateTopicResult> results;
  if (!topics.empty()) {
    controller::ControllerClient* c = broker.controller;
    const bool validate_only = req.validate_only;
    auto call = await_controller<std::vector<controller::CreateTopicResult>>(
        [c, &topics, validate_only](auto done) {
          c->create_topics(topics, validate_only, std::move(done));
        });
    results = co_await std::move(call);
  }
  for (size_t i = 0; i < topics.size(); ++i) {
    CreateTopicsResponse::CreatableTopicResult& r = resp.topics[slot_of[i]];
    const controller::NewTopic& t = topics[i];
    if (i >= results.size()) {
      r = error_result(t.name, protocol::kafka_error(ErrorCode::kUnknownServerError,
                                                     "the controller gave no result"));
      continue;
    }
    const controller::CreateTopicResult& res = results[i];
    if (!res.status.ok()) {
      r = error_result(t.name, res.status);
      continue;
    }
    r.name = t.name;
    r.topic_id = res.topic_id;
    r.error_message = std::nullopt;
    r.num_partitions = res.num_partitions;
    r.replication_factor = res.replication_factor;
    std::vector<CreateTopicsResponse::CreatableTopicConfigs> configs;
    for (const ConfigEntry& e : broker.topic_configs->describe(t.configs)) {
      CreateTopicsResponse::CreatableTopicConfigs c;
      c.name = e.name;
      c.value = e.value;
      c.read_only = e.read_only;
      c.config_source = static_cast<int8_t>(e.source);
      c.is_sensitive = e.sensitive;
      configs.push_back(std::move(c));
    }
    r.configs = std::move(configs);
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
