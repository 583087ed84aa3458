// File: broker/quorum/forwarded_requests.h
// The ControllerClient's operations as the Kafka admin requests a broker forwards to the active
// controller's listener, and their answers back as the operations' results. The controller
// serves them with the same handlers clients reach, so forwarding adds no second code path
// for the operations themselves: a broker that is not the active controller re-encodes what its
// handler decoded, and the answer keeps every error code and message.
//
// Versions: the newest this codebase speaks (topic ids in CreateTopics v7 and DeleteTopics v6).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "controller/control/control_types.h"
#include "protocol/generated/all_messages.h"

namespace keel::broker::quorum::forwarded {

inline constexpr int16_t kCreateTopicsVersion = 7;
inline constexpr int16_t kDeleteTopicsVersion = 6;
inline constexpr int16_t kCreatePartitionsVersion = 3;
inline constexpr int16_t kIncrementalAlterConfigsVersion = 1;
inline constexpr int16_t kAlterConfigsVersion = 2;
inline constexpr int16_t kElectLeadersVersion = 2;
inline constexpr int16_t kUnregisterBrokerVersion = 0;
// How long the controller may take to commit (the requests' timeout_ms).
inline constexpr int32_t kCommitTimeoutMs = 30'000;

protocol::CreateTopicsRequest create_topics_request(const std::vector<controller::NewTopic>& topics,
                                                    bool validate_only);
// One result per topic of the request, in its order (matched by name).
std::vector<controller::CreateTopicResult> create_topics_results(
    const std::vector<controller::NewTopic>& topics, const protocol::CreateTopicsResponse& resp);

protocol::DeleteTopicsRequest delete_topics_request(const std::vector<std::string>& names);
protocol::DeleteTopicsRequest delete_topics_request(const std::vector<controller::Uuid>& ids);
std::vector<absl::Status> delete_topics_results(size_t count,
                                                const protocol::DeleteTopicsResponse& resp);

protocol::CreatePartitionsRequest create_partitions_request(
    const std::vector<controller::NewPartitions>& requests, bool validate_only);
std::vector<absl::Status> create_partitions_results(size_t count,
                                                    const protocol::CreatePartitionsResponse& resp);

protocol::IncrementalAlterConfigsRequest incremental_alter_configs_request(
    const controller::ConfigResource& resource,
    const std::vector<controller::ConfigChange>& changes, bool validate_only);
// replace_all: legacy AlterConfigs, the set replaces every dynamic config of the resource.
protocol::AlterConfigsRequest alter_configs_request(
    const controller::ConfigResource& resource,
    const std::vector<controller::ConfigChange>& changes, bool validate_only);
absl::Status alter_configs_result(const protocol::IncrementalAlterConfigsResponse& resp);
absl::Status alter_configs_result(const protocol::AlterConfigsResponse& resp);

protocol::ElectLeadersRequest elect_leaders_request(
    controller::ElectionType type,
    const std::optional<std::vector<controller::ElectionTarget>>& targets);
// A top-level error is the operation's; otherwise the per-partition answers.
absl::StatusOr<std::vector<controller::TopicElections>> elect_leaders_results(
    const protocol::ElectLeadersResponse& resp);

protocol::UnregisterBrokerRequest unregister_broker_request(int32_t node_id);
absl::Status unregister_broker_result(const protocol::UnregisterBrokerResponse& resp);

// True when the controller that answered was not (or stopped being) the active one, so the
// operation should be sent again to the new one.
bool not_controller(const absl::Status& status);
bool not_controller(const std::vector<absl::Status>& statuses);
bool not_controller(const std::vector<controller::CreateTopicResult>& results);
bool not_controller(const absl::StatusOr<std::vector<controller::TopicElections>>& results);

}  // namespace keel::broker::quorum::forwarded
