// File: broker/topic_config/topic_configs.h
// The table of Kafka topic configs (names, types, validation, docs) bound to this node's
// defaults: which broker property each topic config inherits (retention.ms ←
// log.retention.ms, ...), the effective value for a topic with given dynamic configs, and
// the entries DescribeConfigs lists (value, source, synonyms, read-only, sensitive, type).
//
// Thread-safety: immutable after construction; shared by every shard.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/config/broker_config.h"
#include "storage/log_config.h"

namespace keel::broker {

// Kafka's DescribeConfigs config sources.
enum class ConfigSource : int8_t {
  kUnknown = 0,
  kTopicConfig = 1,
  kDynamicBrokerConfig = 2,
  kDynamicDefaultBrokerConfig = 3,
  kStaticBrokerConfig = 4,
  kDefaultConfig = 5,
};

// Kafka's DescribeConfigs config types (v3+).
enum class DescribedType : int8_t {
  kUnknown = 0,
  kBoolean = 1,
  kString = 2,
  kInt = 3,
  kShort = 4,
  kLong = 5,
  kDouble = 6,
  kList = 7,
  kClass = 8,
  kPassword = 9,
};

struct ConfigSynonym {
  std::string name;
  std::optional<std::string> value;
  ConfigSource source = ConfigSource::kDefaultConfig;
};

struct ConfigEntry {
  std::string name;
  std::optional<std::string> value;
  ConfigSource source = ConfigSource::kDefaultConfig;
  bool read_only = false;
  bool sensitive = false;
  DescribedType type = DescribedType::kUnknown;
  std::string documentation;
  // The value's origins, most specific first (topic config, broker property, default).
  std::vector<ConfigSynonym> synonyms;
};

class TopicConfigs {
 public:
  explicit TopicConfigs(const BrokerConfig& config);
  ~TopicConfigs();
  TopicConfigs(const TopicConfigs&);
  TopicConfigs& operator=(const TopicConfigs&);

  // Known names and valid values (and cross-config rules). INVALID_CONFIG naming the key,
  // value and rule. Used by the controller before committing configs.
  absl::Status validate(const std::map<std::string, std::string>& dynamic) const;

  // Every topic config, in name order, for a topic with `dynamic` configs.
  std::vector<ConfigEntry> describe(const std::map<std::string, std::string>& dynamic) const;

  // The effective value of one config (nullopt for an unknown name).
  std::optional<std::string> effective(const std::string& name,
                                       const std::map<std::string, std::string>& dynamic) const;

  // The log settings of a topic with `dynamic` configs.
  absl::StatusOr<storage::LogConfig> log_config(
      const std::map<std::string, std::string>& dynamic) const;

  // min.insync.replicas of a topic.
  int32_t min_insync_replicas(const std::map<std::string, std::string>& dynamic) const;

  // The names of every topic config, in name order.
  std::vector<std::string> names() const;
  // The type of a topic config (nullopt for an unknown name): IncrementalAlterConfigs allows
  // APPEND and SUBTRACT on kList configs only.
  std::optional<DescribedType> type_of(const std::string& name) const;

 private:
  struct Def;  // topic_configs.cc: a table entry bound to this node's broker properties
  const Def* find(const std::string& name) const;

  std::vector<Def> defs_;  // sorted by name
  BrokerConfig broker_;
};

// Every broker property as DescribeConfigs lists it for a BROKER resource (explicitly set
// ones with source STATIC_BROKER_CONFIG, the rest DEFAULT_CONFIG).
std::vector<ConfigEntry> describe_broker_configs(const BrokerConfig& config);

}  // namespace keel::broker
