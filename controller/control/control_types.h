// File: controller/control/control_types.h
// The requests and answers of the control managers (topics, partitions, configs), and the
// settings they read. Shared by the pure control functions and the Controller's interface.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "controller/metadata_image.h"
#include "storage/random.h"

namespace keel::controller {

// Validates a topic's full set of dynamic configs (names and values) before they are
// committed. Returns INVALID_CONFIG (protocol/error_code.h) naming the bad key. Provided by
// the broker, which owns the table of topic configs.
using TopicConfigValidator =
    std::function<absl::Status(const std::map<std::string, std::string>& configs)>;

// What the control managers need besides the image and the request.
struct ControlSettings {
  int32_t default_num_partitions = 1;           // num.partitions
  int16_t default_replication_factor = 1;       // default.replication.factor
  TopicConfigValidator validate_topic_configs;  // may be empty: everything passes
  // The value a topic config has when no dynamic value is set (the broker's default), used as
  // the starting list of an incremental kAppend / kSubtract. May be empty: start empty.
  std::function<std::optional<std::string>(const std::string& name)> topic_config_default;
  storage::Random* random = storage::Random::system();  // topic ids, placement
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

// ElectLeaders (API 43): the kinds of election a client may ask for.
enum class ElectionType : int8_t { kPreferred = 0, kUnclean = 1 };

// The partitions of one topic an ElectLeaders request names.
struct ElectionTarget {
  std::string topic;
  std::vector<int32_t> partitions;
};

// The answer for one partition: OK (a new leader was elected), ELECTION_NOT_NEEDED,
// PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION.
struct PartitionElection {
  int32_t partition = -1;
  absl::Status status;
};

struct TopicElections {
  std::string topic;
  std::vector<PartitionElection> partitions;
};

struct ConfigResource {
  metadata::ConfigResourceType type = metadata::CONFIG_RESOURCE_TOPIC;
  std::string name;  // topic name, or node id / "" for brokers
};

}  // namespace keel::controller
