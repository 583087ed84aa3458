// File: broker/quorum/forwarded_requests.cc
#include "broker/quorum/forwarded_requests.h"

#include <map>

#include "protocol/error_code.h"

namespace keel::broker::quorum::forwarded {
namespace {

using protocol::ErrorCode;

absl::Status status_of(int16_t code, const std::optional<std::string>& message) {
  if (code == 0) return absl::OkStatus();
  return protocol::kafka_error(static_cast<ErrorCode>(code), message.value_or(""));
}

absl::Status missing(const std::string& what) {
  return protocol::kafka_error(ErrorCode::kUnknownServerError,
                               "the controller's answer has no result for " + what);
}

// One status per request entry from answers in request order (DeleteTopics, CreatePartitions).
template <typename Entry>
std::vector<absl::Status> statuses_in_order(size_t count, const std::vector<Entry>& entries) {
  std::vector<absl::Status> out;
  for (size_t i = 0; i < count; ++i) {
    out.push_back(i < entries.size() ? status_of(entries[i].error_code, entries[i].error_message)
                                     : missing("entry " + std::to_string(i)));
  }
  return out;
}

}  // namespace

protocol::CreateTopicsRequest create_topics_request(const std::vector<controller::NewTopic>& topics,
                                                    bool validate_only) {
  protocol::CreateTopicsRequest req;
  req.timeout_ms = kCommitTimeoutMs;
  req.validate_only = validate_only;
  for (const controller::NewTopic& t : topics) {
    protocol::CreateTopicsRequest::CreatableTopic c;
    c.name = t.name;
    c.num_partitions = t.num_partitions;
    c.replication_factor = t.replication_factor;
    for (const auto& [partition, brokers] : t.assignments) {
      c.assignments.push_back({partition, brokers, {}});
    }
    for (const auto& [name, value] : t.configs) c.configs.push_back({name, value, {}});
    req.topics.push_back(std::move(c));
  }
  return req;
}

std::vector<controller::CreateTopicResult> create_topics_results(
    const std::vector<controller::NewTopic>& topics, const protocol::CreateTopicsResponse& resp) {
  std::map<std::string, const protocol::CreateTopicsResponse::CreatableTopicResult*> by_name;
  for (const auto& r : resp.topics) by_name[r.name] = &r;
  std::vector<controller::CreateTopicResult> out;
  for (const controller::NewTopic& t : topics) {
    controller::CreateTopicResult result;
    auto it = by_name.find(t.name);
    if (it == by_name.end()) {
      result.status = missing("topic " + t.name);
    } else {
      result.status = status_of(it->second->error_code, it->second->error_message);
      result.topic_id = it->second->topic_id;
      result.num_partitions = it->second->num_partitions;
      result.replication_factor = it->second->replication_factor;
    }
    out.push_back(std::move(result));
  }
  return out;
}

protocol::DeleteTopicsRequest delete_topics_request(const std::vector<std::string>& names) {
  protocol::DeleteTopicsRequest req;
  req.timeout_ms = kCommitTimeoutMs;
  for (const std::string& n : names) req.topics.push_back({n, controller::Uuid(), {}});
  return req;
}

protocol::DeleteTopicsRequest delete_topics_request(const std::vector<controller::Uuid>& ids) {
  protocol::DeleteTopicsRequest req;
  req.timeout_ms = kCommitTimeoutMs;
  for (const controller::Uuid& id : ids) req.topics.push_back({std::nullopt, id, {}});
  return req;
}

std::vector<absl::Status> delete_topics_results(size_t count,
                                                const protocol::DeleteTopicsResponse& resp) {
  return statuses_in_order(count, resp.responses);
}

protocol::CreatePartitionsRequest create_partitions_request(
    const std::vector<controller::NewPartitions>& requests, bool validate_only) {
  protocol::CreatePartitionsRequest req;
  req.timeout_ms = kCommitTimeoutMs;
  req.validate_only = validate_only;
  for (const controller::NewPartitions& p : requests) {
    protocol::CreatePartitionsRequest::CreatePartitionsTopic t;
    t.name = p.topic;
    t.count = p.new_total;
    if (p.assignments.empty()) {
      t.assignments = std::nullopt;  // the controller places them
    } else {
      t.assignments.emplace();
      for (const std::vector<int32_t>& a : p.assignments) t.assignments->push_back({a, {}});
    }
    req.topics.push_back(std::move(t));
  }
  return req;
}

std::vector<absl::Status> create_partitions_results(
    size_t count, const protocol::CreatePartitionsResponse& resp) {
  return statuses_in_order(count, resp.results);
}

protocol::IncrementalAlterConfigsRequest incremental_alter_configs_request(
    const controller::ConfigResource& resource,
    const std::vector<controller::ConfigChange>& changes, bool validate_only) {
  protocol::IncrementalAlterConfigsRequest req;
  req.validate_only = validate_only;
  protocol::IncrementalAlterConfigsRequest::AlterConfigsResource r;
  r.resource_type = static_cast<int8_t>(resource.type);
  r.resource_name = resource.name;
  for (const controller::ConfigChange& c : changes) {
    r.configs.push_back({c.name, static_cast<int8_t>(c.op), c.value, {}});
  }
  req.resources.push_back(std::move(r));
  return req;
}

protocol::AlterConfigsRequest alter_configs_request(
    const controller::ConfigResource& resource,
    const std::vector<controller::ConfigChange>& changes, bool validate_only) {
  protocol::AlterConfigsRequest req;
  req.validate_only = validate_only;
  protocol::AlterConfigsRequest::AlterConfigsResource r;
  r.resource_type = static_cast<int8_t>(resource.type);
  r.resource_name = resource.name;
  for (const controller::ConfigChange& c : changes) r.configs.push_back({c.name, c.value, {}});
  req.resources.push_back(std::move(r));
  return req;
}

absl::Status alter_configs_result(const protocol::IncrementalAlterConfigsResponse& resp) {
  if (resp.responses.empty()) return missing("the resource");
  return status_of(resp.responses[0].error_code, resp.responses[0].error_message);
}

absl::Status alter_configs_result(const protocol::AlterConfigsResponse& resp) {
  if (resp.responses.empty()) return missing("the resource");
  return status_of(resp.responses[0].error_code, resp.responses[0].error_message);
}

protocol::ElectLeadersRequest elect_leaders_request(
    controller::ElectionType type,
    const std::optional<std::vector<controller::ElectionTarget>>& targets) {
  protocol::ElectLeadersRequest req;
  req.election_type = static_cast<int8_t>(type);
  req.timeout_ms = kCommitTimeoutMs;
  if (!targets) {
    req.topic_partitions = std::nullopt;  // every partition
  } else {
    req.topic_partitions.emplace();
    for (const controller::ElectionTarget& t : *targets) {
      req.topic_partitions->push_back({t.topic, t.partitions, {}});
    }
  }
  return req;
}

absl::StatusOr<std::vector<controller::TopicElections>> elect_leaders_results(
    const protocol::ElectLeadersResponse& resp) {
  if (resp.error_code != 0) return status_of(resp.error_code, std::nullopt);
  std::vector<controller::TopicElections> out;
  for (const auto& t : resp.replica_election_results) {
    controller::TopicElections& e = out.emplace_back();
    e.topic = t.topic;
    for (const auto& p : t.partition_result) {
      e.partitions.push_back({p.partition_id, status_of(p.error_code, p.error_message)});
    }
  }
  return out;
}

protocol::UnregisterBrokerRequest unregister_broker_request(int32_t node_id) {
  protocol::UnregisterBrokerRequest req;
  req.broker_id = node_id;
  return req;
}

absl::Status unregister_broker_result(const protocol::UnregisterBrokerResponse& resp) {
  return status_of(resp.error_code, resp.error_message);
}

bool not_controller(const absl::Status& status) {
  return protocol::kafka_error_of(status) == ErrorCode::kNotController;
}

bool not_controller(const std::vector<absl::Status>& statuses) {
  for (const absl::Status& s : statuses) {
    if (not_controller(s)) return true;
  }
  return false;
}

bool not_controller(const std::vector<controller::CreateTopicResult>& results) {
  for (const controller::CreateTopicResult& r : results) {
    if (not_controller(r.status)) return true;
  }
  return false;
}

bool not_controller(const absl::StatusOr<std::vector<controller::TopicElections>>& results) {
  if (!results.ok()) return not_controller(results.status());
  for (const controller::TopicElections& t : *results) {
    for (const controller::PartitionElection& p : t.partitions) {
      if (not_controller(p.status)) return true;
    }
  }
  return false;
}

}  // namespace keel::broker::quorum::forwarded
