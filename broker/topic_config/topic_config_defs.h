// File: broker/topic_config/topic_config_defs.h
// The static table of Kafka's topic configs as Keel knows them: name, type, Kafka's default,
// the broker properties a topic inherits its default from (in Kafka's synonym order), the
// value rules, and a one-line doc. TopicConfigs (topic_configs.h) binds the table to one
// node's BrokerConfig; nothing else should need this header.
//
// Every config Kafka 3.x lists for a topic is here. Those Keel cannot honour accept only
// the value that means "off" (e.g. compression.type=producer, remote.storage.enable=false):
// anything else is refused with INVALID_CONFIG saying so, never stored and ignored.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "broker/config/broker_config.h"
#include "broker/topic_config/topic_configs.h"

namespace keel::broker {

struct TopicConfigSpec {
  std::string_view name;
  // kInt, kLong, kDouble, kBoolean, kString or kList (items separated by commas).
  DescribedType type = DescribedType::kString;
  // Kafka's default: the value when no broker property gives the node's own.
  std::string_view kafka_default;
  // Inclusive range (kInt, kLong, kDouble).
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
  // Comma list of the allowed values (kString: the value; kList: each item); empty = any.
  std::string_view allowed = {};
  // Broker properties it inherits, most specific first (Kafka's synonym order; empty names
  // end the list). Only those in Keel's broker table (config_def.h) are reported.
  std::array<std::string_view, 3> broker_synonyms = {};
  // The node's default from the typed BrokerConfig; nullptr = kafka_default.
  std::string (*node_default)(const BrokerConfig&) = nullptr;
  // Further rules for a value that already has the right type, range and allowed value:
  // what Keel supports, formats. Returns an INVALID_CONFIG status with the whole message.
  absl::Status (*check)(std::string_view name, std::string_view value) = nullptr;
  std::string_view doc = {};
};

// Value parsing shared by the table's checks and TopicConfigs. Surrounding whitespace is
// ignored, as Kafka does.
std::optional<int64_t> parse_config_long(std::string_view value);
std::optional<double> parse_config_double(std::string_view value);

// INVALID_CONFIG "Invalid value <value> for configuration <name>: <why>".
absl::Status invalid_topic_config(std::string_view name, std::string_view value,
                                  std::string_view why);

// Every topic config, sorted by name.
std::span<const TopicConfigSpec> topic_config_specs();

// The spec of `name`, or nullptr.
const TopicConfigSpec* find_topic_config_spec(std::string_view name);

}  // namespace keel::broker
