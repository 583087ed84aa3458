// File: controller/controller_client.h
// How brokers ask the active controller for metadata changes: asynchronously, with the
// controller's answer delivered to a callback once the change is committed (or refused).
// The broker's handlers and group coordinator use only this interface; whether the
// controller runs in this process (LocalControllerClient, broker/) or on another node (a
// forwarding client over the wire) is the node's business.
//
// Callbacks may run on any thread, exactly once each.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "controller/control/control_types.h"

namespace keel::controller {

class ControllerClient {
 public:
  template <typename T>
  using Callback = std::function<void(T)>;

  virtual ~ControllerClient() = default;

  virtual void create_topics(std::vector<NewTopic> topics, bool validate_only,
                             Callback<std::vector<CreateTopicResult>> done) = 0;
  virtual void delete_topics(std::vector<std::string> names,
                             Callback<std::vector<absl::Status>> done) = 0;
  virtual void delete_topics_by_id(std::vector<Uuid> ids,
                                   Callback<std::vector<absl::Status>> done) = 0;
  virtual void create_partitions(std::vector<NewPartitions> requests, bool validate_only,
                                 Callback<std::vector<absl::Status>> done) = 0;
  virtual void alter_configs(ConfigResource resource, std::vector<ConfigChange> changes,
                             bool replace_all, bool validate_only, Callback<absl::Status> done) = 0;
  // ElectLeaders (control/leader_election.h). Not OK: the operation as a whole did not get
  // through (no controller answered in time); per-partition answers otherwise.
  virtual void elect_leaders(ElectionType type, std::optional<std::vector<ElectionTarget>> targets,
                             Callback<absl::StatusOr<std::vector<TopicElections>>> done) = 0;
  // UnregisterBroker: removes a broker that is gone for good (BROKER_ID_NOT_REGISTERED when
  // unknown).
  virtual void unregister_broker(int32_t node_id, Callback<absl::Status> done) = 0;
};

}  // namespace keel::controller
