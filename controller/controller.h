// File: controller/controller.h
// The metadata controller of a node: turns admin operations into metadata records, appends
// them to the metadata log (a storage::Log in `<metadata dir>/__cluster_metadata-0`), applies
// them to the metadata image and publishes the new image to subscribers.
//
// Today the metadata log is local: a single node is a quorum of one whose records commit as
// soon as they are durable (fsynced). The controller issue replaces the commit step with Raft
// without changing this interface: admin operations stay "validate, emit records, wait for
// commit, answer", and every node (leader or not) learns changes through subscribe().
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
#include "controller/metadata_image.h"
#include "storage/env.h"
#include "storage/random.h"

namespace keel::controller {

// Validates a topic's full set of dynamic configs (names and values) before they are
// committed. Returns INVALID_CONFIG (protocol/error_code.h) naming the bad key. Provided by
// the broker, which owns the table of topic configs.
using TopicConfigValidator =
    std::function<absl::Status(const std::map<std::string, std::string>& configs)>;

struct ControllerOptions {
  int32_t node_id = 0;
  // All log dirs get meta.properties; the metadata log lives in the first.
  std::vector<std::string> log_dirs;
  // Used when formatting a new node; an existing meta.properties must agree with it when set
  // (INVALID_CONFIG-style error otherwise). Empty = generate a random one (22-char base64url).
  std::string cluster_id;
  std::vector<metadata::Endpoint> advertised_endpoints;
  std::string rack;
  int32_t default_num_partitions = 1;           // num.partitions
  int16_t default_replication_factor = 1;       // default.replication.factor
  TopicConfigValidator validate_topic_configs;  // may be empty: everything passes
  // The value a topic config has when no dynamic value is set (the broker's default), used as
  // the starting list of an incremental kAppend / kSubtract. May be empty: start empty.
  std::function<std::optional<std::string>(const std::string& name)> topic_config_default;
  std::function<void(std::string_view)> log;            // may be empty
  storage::Random* random = storage::Random::system();  // topic ids, placement, cluster id
};

struct NewTopic {
  std::string name;
  int32_t num_partitions = -1;      // -1 = default
  int16_t replication_factor = -1;  // -1 = default
  // Manual assignment: partition id → replica node ids. When non-empty, num_partitions and
  // replication_factor must be -1 (else INVALID_REQUEST), ids must be dense from 0, each
  // list non-empty, without duplicates, naming registered brokers.
  std::map<int32_t, std::vector<int32_t>> assignments;
  std::map<std::string, std::string> configs;
};

struct CreateTopicResult {
  // OK, or a status carrying INVALID_TOPIC_EXCEPTION, TOPIC_ALREADY_EXISTS,
  // INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT,
  // INVALID_CONFIG, INVALID_REQUEST with a human-readable message.
  absl::Status status;
  Uuid topic_id;
  int32_t num_partitions = -1;
  int16_t replication_factor = -1;
};

struct NewPartitions {
  std::string topic;
  int32_t new_total = 0;
  // Optional assignment of the added partitions, in order (size = new_total - current).
  std::vector<std::vector<int32_t>> assignments;
};

enum class ConfigOp : int8_t { kSet = 0, kDelete = 1, kAppend = 2, kSubtract = 3 };

struct ConfigChange {
  std::string name;
  ConfigOp op = ConfigOp::kSet;
  std::optional<std::string> value;
};

struct ConfigResource {
  metadata::ConfigResourceType type = metadata::CONFIG_RESOURCE_TOPIC;
  std::string name;  // topic name, or node id / "" for brokers
};

class Controller {
 public:
  using Subscriber =
      std::function<void(const MetadataDelta& delta, std::shared_ptr<const MetadataImage> image)>;

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

  int32_t node_id() const;

  // Writes nothing more; closes the metadata log cleanly. Idempotent.
  absl::Status close();

 private:
  struct Impl;
  explicit Controller(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::controller
