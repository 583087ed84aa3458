// File: broker/config/config_def.h
// The table of broker properties: Kafka's names and defaults (plus a few `keel.*` and
// Keel-specific ones), each with a type, a validator and a one-line doc. Everything that
// knows about property names reads this one table: validation, BrokerConfig, --help.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace keel::broker {

// kInt is a 32-bit integer (Kafka INT/SHORT: narrowed by min/max), kLong 64-bit. kList is
// a comma-separated list whose items are trimmed; empty text is the empty list.
enum class ConfigType { kInt, kLong, kBool, kString, kList };

struct ConfigDef {
  std::string_view name;
  ConfigType type;
  // The default in string form; nullptr when there is none (required, or derived from other
  // properties as `doc` says).
  const char* default_value = nullptr;
  // Inclusive range, for kInt and kLong only.
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
  // Comma-separated allowed values (kString: the value, kList: each item); empty = any.
  std::string_view allowed = {};
  // Format check beyond type, range and allowed values; returns the reason only.
  absl::Status (*check)(std::string_view value) = nullptr;
  std::string_view doc = {};
};

// Every property, in --help order.
std::span<const ConfigDef> broker_config_defs();

// The definition of `name`, or nullptr.
const ConfigDef* find_config_def(std::string_view name);

// Checks `value` against the definition. InvalidArgument naming the property, the value and
// the rule broken, e.g. "invalid value 'x' for num.partitions: expected an integer".
absl::Status validate_config_value(const ConfigDef& def, std::string_view value);

// Levenshtein distance (insertions, deletions, substitutions): "did you mean" hints for
// broker and topic config names.
size_t edit_distance(std::string_view a, std::string_view b);

// The known property closest to `name` if it is a plausible misspelling, else "".
std::string suggest_config_name(std::string_view name);

std::string_view config_type_name(ConfigType type);

}  // namespace keel::broker
