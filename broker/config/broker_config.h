// File: broker/config/broker_config.h
// The node's configuration as typed values, built from Kafka-named properties: a properties
// file, then command-line overrides on top. Property definitions (defaults, validators,
// docs) are in config_def.h.
//
// Derived settings follow Kafka's precedence: log.retention.ms > .minutes > .hours,
// log.roll.ms > log.roll.hours, log.dirs > log.dir. A BrokerConfig is a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/config/config_values.h"
#include "broker/config/endpoint.h"
#include "storage/log_config.h"

namespace keel::broker {

struct BrokerConfig {
  int32_t node_id = -1;
  bool broker_role = true;
  bool controller_role = true;
  std::string cluster_id;  // empty: generated at format time (see config_def.cc)

  std::vector<Endpoint> listeners;
  std::vector<Endpoint> advertised_listeners;  // never holds an empty or wildcard host
  std::vector<std::string> controller_listener_names;
  std::vector<QuorumVoter> controller_quorum_voters;
  // controller.quorum.* timeouts (KRaft's defaults), for raft::RaftConfig.
  int64_t quorum_election_timeout_ms = 1000;
  int64_t quorum_fetch_timeout_ms = 2000;
  int64_t quorum_election_backoff_max_ms = 1000;
  int64_t quorum_request_timeout_ms = 2000;
  int64_t quorum_append_linger_ms = 25;
  std::optional<HostPort> admin_listener;  // keel.admin.listener; nullopt = disabled
  int32_t shards = 0;                      // keel.shards; 0 = one per hardware thread
  int32_t num_network_threads = 3;         // accepted, unused: one event loop per core
  int32_t num_io_threads = 8;              // accepted, unused
  int32_t socket_request_max_bytes = 104857600;
  int32_t message_max_bytes = 1048588;

  bool auto_create_topics_enable = true;
  int32_t num_partitions = 1;
  int16_t default_replication_factor = 1;
  int32_t min_insync_replicas = 1;
  bool unclean_leader_election_enable = false;
  int64_t replica_lag_time_max_ms = 30000;

  std::vector<std::string> log_dirs;
  int32_t log_segment_bytes = 1 << 30;
  int64_t log_roll_ms = 168LL * 3600 * 1000;
  int64_t log_retention_ms = 168LL * 3600 * 1000;  // -1 = forever
  int64_t log_retention_bytes = -1;
  int32_t log_index_interval_bytes = 4096;
  int64_t log_retention_check_interval_ms = 300000;
  int64_t log_cleaner_backoff_ms = 15000;
  int32_t log_index_size_max_bytes = 10485760;
  int64_t log_flush_interval_messages = storage::kNever;
  int64_t log_flush_interval_ms = storage::kNever;
  std::vector<std::string> log_cleanup_policy = {"delete"};
  int64_t log_cleaner_delete_retention_ms = 86400000;
  int64_t log_cleaner_min_compaction_lag_ms = 0;
  std::string log_message_timestamp_type = "CreateTime";

  int32_t offsets_topic_num_partitions = 50;
  int16_t offsets_topic_replication_factor = 3;
  int32_t offsets_retention_minutes = 10080;
  int32_t group_initial_rebalance_delay_ms = 3000;
  int32_t group_min_session_timeout_ms = 6000;
  int32_t group_max_session_timeout_ms = 1800000;
  int32_t group_max_size = 2147483647;

  int32_t broker_session_timeout_ms = 9000;
  int32_t broker_heartbeat_interval_ms = 2000;
  bool auto_leader_rebalance_enable = true;
  std::string broker_rack;                        // broker.rack; empty: none
  int64_t snapshot_min_bytes_between = 20 << 20;  // metadata.log.max.record.bytes.between.snapshots
  int64_t snapshot_interval_ms = 3'600'000;       // metadata.log.max.snapshot.interval.ms
  int64_t leader_imbalance_check_interval_seconds = 300;

  // The explicitly set properties (DescribeConfigs reports their source).
  Settings explicit_settings;
};

// Builds the config from explicit settings: every name must be a known property (else
// InvalidArgument "unknown property 'x' (did you mean 'y'?)"), every value valid (the error
// names the property, value and rule), and the cross-property rules must hold. Messages
// begin with the setting's source.
absl::StatusOr<BrokerConfig> resolve_broker_config(const Settings& settings);

// Reads `properties_path` (if any), applies `overrides` ("key=value") on top, and resolves.
absl::StatusOr<BrokerConfig> load_broker_config(std::optional<std::string> properties_path,
                                                std::span<const std::string> overrides);

// The topic-level defaults of the node (log.segment.bytes → segment.bytes, ...): the base
// LogConfig of every topic before its own topic configs are applied.
absl::StatusOr<storage::LogConfig> default_log_config(const BrokerConfig& config);

}  // namespace keel::broker
