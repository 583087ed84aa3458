// File: controller/controller.h
// The metadata controller of a node: turns admin operations into metadata records, appends
// them to the metadata log (a storage::Log in `<metadata dir>/__cluster_metadata-0`), applies
// them to the metadata image and publishes the new image to subscribers.
//
// Each operation is "plan, commit, answer": a control manager (controller/control/), a pure
// function of the committed image and the request, returns the records and the answer; the
// records are appended as one batch and committed; only then is the answer given (with the
// commit's error on every accepted part when it fails). Today the metadata log is local: a
// single node is a quorum of one whose records commit as soon as they are durable (fsynced).
// Raft replaces the commit step without changing the control managers, and every node
// (leader or not) learns changes through subscribe().
//
// Startup: open() formats an empty metadata dir (writes meta.properties with the cluster id
// and node id in every log dir, see meta_properties.h), replays the metadata log into the
// image, then registers this node (a BrokerRegistrationRecord with a new broker epoch).
//
// Threading: every method is thread-safe. Operations are serialized by an internal mutex and
// block for the metadata log fsync; call them from the broker's control thread, never from a
// shard thread that serves the hot path. Subscribers run on the calling thread, in commit
// order, after the image is published and before the operation returns.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "controller/control/control_types.h"
#include "controller/metadata_image.h"
#include "controller/metadata_publisher.h"
#include "storage/env.h"

namespace keel::controller {

struct ControllerOptions {
  int32_t node_id = 0;
  // All log dirs get meta.properties; the metadata log lives in the first.
  std::vector<std::string> log_dirs;
  // Used when formatting a new node; an existing meta.properties must agree with it when set
  // (INVALID_CONFIG-style error otherwise). Empty = generate a random one (22-char base64url).
  std::string cluster_id;
  std::vector<metadata::Endpoint> advertised_endpoints;
  std::string rack;
  // Defaults, validators and randomness of the control managers (control/control_types.h);
  // its random also draws a new cluster id.
  ControlSettings control;
  // Where committed changes are published (the node's MetadataPublisher, which the broker
  // reads); null = the controller keeps its own, reachable through image() and subscribe().
  MetadataPublisher* publisher = nullptr;
  std::function<void(std::string_view)> log;  // may be empty
};

class Controller {
 public:
  using Subscriber = MetadataPublisher::Subscriber;

  static absl::StatusOr<std::unique_ptr<Controller>> open(storage::Env* env, storage::Clock* clock,
                                                          ControllerOptions options);
  ~Controller();

  // The latest committed image (never null after open). Cheap; any thread.
  std::shared_ptr<const MetadataImage> image() const;

  // Called with every committed change from now on. To learn the state so far, read image()
  // after subscribing (the broker does: subscribe, then load everything in image()).
  // Subscribers run with the controller's operation lock held: they may call image() and
  // subscribe(), but not the operations (create_topics, ...), which would deadlock.
  void subscribe(Subscriber subscriber);

  // One result per topic, in order. validate_only: full validation, nothing written.
  // Topic names: 1-249 chars of [a-zA-Z0-9._-], not "." or "..".
  std::vector<CreateTopicResult> create_topics(const std::vector<NewTopic>& topics,
                                               bool validate_only);
  // UNKNOWN_TOPIC_OR_PARTITION for absent names.
  std::vector<absl::Status> delete_topics(const std::vector<std::string>& names);
  // Same, by id (DeleteTopics v6+); UNKNOWN_TOPIC_ID for absent ids.
  std::vector<absl::Status> delete_topics_by_id(const std::vector<Uuid>& ids);
  // INVALID_PARTITIONS when new_total <= current count, INVALID_REPLICA_ASSIGNMENT for a bad
  // assignment, UNKNOWN_TOPIC_OR_PARTITION for an unknown topic.
  std::vector<absl::Status> create_partitions(const std::vector<NewPartitions>& requests,
                                              bool validate_only);
  // IncrementalAlterConfigs semantics on one resource (kAppend/kSubtract for list-valued
  // configs such as cleanup.policy). `replace_all` = legacy AlterConfigs: the given set
  // replaces all dynamic configs of the resource. Validated as a whole; all or nothing.
  absl::Status alter_configs(const ConfigResource& resource,
                             const std::vector<ConfigChange>& changes, bool replace_all,
                             bool validate_only);

  // ElectLeaders (control/leader_election.h). With one node every replica set is this node,
  // so in practice every partition is ELECTION_NOT_NEEDED (or lacks the topic or partition).
  std::vector<TopicElections> elect_leaders(
      ElectionType type, const std::optional<std::vector<ElectionTarget>>& targets);
  // UnregisterBroker: BROKER_ID_NOT_REGISTERED when unknown; INVALID_REQUEST for this node
  // itself (a single node cannot take itself out of its own cluster).
  absl::Status unregister_broker(int32_t node_id);

  int32_t node_id() const;

  // Writes nothing more; closes the metadata log cleanly. Idempotent.
  absl::Status close();

 private:
  struct Impl;
  explicit Controller(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::controller
