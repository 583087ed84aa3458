#include "broker/topic_config/topic_configs.h"

#include <algorithm>
#include <utility>

#include "broker/config/config_def.h"
#include "broker/config/config_values.h"
#include "broker/topic_config/topic_config_defs.h"
#include "protocol/error_code.h"

namespace keel::broker {
namespace {

using protocol::ErrorCode;

constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

std::string quote_list(std::string_view allowed) {
  std::string out;
  for (const std::string& a : split_list(allowed)) out += (out.empty() ? "" : ", ") + a;
  return out;
}

bool one_of(std::string_view allowed, std::string_view value) {
  for (const std::string& a : split_list(allowed)) {
    if (a == value) return true;
  }
  return false;
}

// Type, range and allowed values of one setting, then the spec's own check.
absl::Status check_value(const TopicConfigSpec& spec, std::string_view value) {
  const std::string_view name = spec.name;
  switch (spec.type) {
    case DescribedType::kInt:
    case DescribedType::kLong: {
      std::optional<int64_t> n = parse_config_long(value);
      const bool is_int = spec.type == DescribedType::kInt;
      if (!n || (is_int && (*n < kInt32Min || *n > kInt32Max))) {
        return invalid_topic_config(name, value,
                                    is_int ? "expected a 32-bit integer" : "expected an integer");
      }
      if (*n < spec.min || *n > spec.max) {
        std::string range =
            spec.max == std::numeric_limits<int64_t>::max() || (is_int && spec.max >= kInt32Max)
                ? "at least " + std::to_string(spec.min)
                : "in [" + std::to_string(spec.min) + ", " + std::to_string(spec.max) + "]";
        return invalid_topic_config(name, value, "value must be " + range);
      }
      break;
    }
    case DescribedType::kDouble: {
      std::optional<double> d = parse_config_double(value);
      if (!d) return invalid_topic_config(name, value, "expected a number");
      if (*d < static_cast<double>(spec.min) || *d > static_cast<double>(spec.max)) {
        return invalid_topic_config(name, value,
                                    "value must be in [" + std::to_string(spec.min) + ", " +
                                        std::to_string(spec.max) + "]");
      }
      break;
    }
    case DescribedType::kBoolean:
      if (!parse_bool(trim(value))) {
        return invalid_topic_config(name, value, "expected true or false");
      }
      break;
    case DescribedType::kString:
      if (!spec.allowed.empty() && !one_of(spec.allowed, trim(value))) {
        return invalid_topic_config(name, value, "expected one of " + quote_list(spec.allowed));
      }
      break;
    case DescribedType::kList:
      if (!spec.allowed.empty()) {
        for (const std::string& item : split_list(value)) {
          if (!one_of(spec.allowed, item)) {
            return invalid_topic_config(name, value,
                                        "'" + item + "' is not one of " + quote_list(spec.allowed));
          }
        }
      }
      break;
    default:
      break;
  }
  if (spec.check != nullptr) return spec.check(name, value);
  return absl::OkStatus();
}

// A valid value in the form Kafka prints it: numbers without sign or padding, booleans in
// lower case, lists joined by "," without spaces.
std::string normalize(const TopicConfigSpec& spec, const std::string& value) {
  switch (spec.type) {
    case DescribedType::kInt:
    case DescribedType::kLong:
      if (std::optional<int64_t> n = parse_config_long(value)) return std::to_string(*n);
      break;
    case DescribedType::kBoolean:
      if (std::optional<bool> b = parse_bool(trim(value))) return *b ? "true" : "false";
      break;
    case DescribedType::kList: {
      std::string out;
      for (const std::string& item : split_list(value)) out += (out.empty() ? "" : ",") + item;
      return out;
    }
    case DescribedType::kDouble:
    case DescribedType::kString:
      return std::string(trim(value));
    default:
      break;
  }
  return value;
}

// A hint for an unknown topic config name: the topic config a broker property name stands
// for, or a close spelling.
std::string unknown_name_hint(std::string_view name) {
  for (const TopicConfigSpec& s : topic_config_specs()) {
    for (std::string_view syn : s.broker_synonyms) {
      if (!syn.empty() && syn == name && syn != s.name) {
        return " (" + std::string(name) + " is a broker property; the topic config is " +
               std::string(s.name) + ")";
      }
    }
  }
  std::string best;
  size_t best_d = std::max<size_t>(2, name.size() / 5) + 1;
  for (const TopicConfigSpec& s : topic_config_specs()) {
    size_t d = edit_distance(name, s.name);
    if (d < best_d) {
      best_d = d;
      best = std::string(s.name);
    }
  }
  return best.empty() ? "" : " (did you mean " + best + "?)";
}

DescribedType described_type(ConfigType type) {
  switch (type) {
    case ConfigType::kInt:
      return DescribedType::kInt;
    case ConfigType::kLong:
      return DescribedType::kLong;
    case ConfigType::kBool:
      return DescribedType::kBoolean;
    case ConfigType::kString:
      return DescribedType::kString;
    case ConfigType::kList:
      return DescribedType::kList;
  }
  return DescribedType::kUnknown;
}

}  // namespace

struct TopicConfigs::Def {
  const TopicConfigSpec* spec = nullptr;
  // The value of a topic that does not set this config.
  std::string node_default;
  // The broker properties behind node_default as DescribeConfigs lists them (Kafka's order:
  // the explicitly set ones in synonym order, then those with a default in synonym order).
  std::vector<ConfigSynonym> broker_synonyms;
};

TopicConfigs::TopicConfigs(const BrokerConfig& config) : broker_(config) {
  for (const TopicConfigSpec& spec : topic_config_specs()) {
    Def def;
    def.spec = &spec;
    std::vector<const ConfigDef*> known;  // synonyms that Keel's broker table has
    for (std::string_view syn : spec.broker_synonyms) {
      if (syn.empty()) continue;
      if (const ConfigDef* d = find_config_def(syn)) known.push_back(d);
    }
    for (const ConfigDef* d : known) {
      auto it = config.explicit_settings.find(d->name);
      if (it != config.explicit_settings.end()) {
        def.broker_synonyms.push_back(
            {std::string(d->name), it->second.value, ConfigSource::kStaticBrokerConfig});
      }
    }
    for (const ConfigDef* d : known) {
      if (d->default_value != nullptr) {
        def.broker_synonyms.push_back(
            {std::string(d->name), std::string(d->default_value), ConfigSource::kDefaultConfig});
      }
    }
    if (spec.node_default != nullptr) {
      def.node_default = spec.node_default(config);
    } else if (!def.broker_synonyms.empty() &&
               def.broker_synonyms.front().source == ConfigSource::kStaticBrokerConfig) {
      // A broker property Keel knows but does not type: its text is the value.
      def.node_default = normalize(spec, *def.broker_synonyms.front().value);
    } else {
      def.node_default = std::string(spec.kafka_default);
    }
    defs_.push_back(std::move(def));
  }
}

TopicConfigs::~TopicConfigs() = default;
TopicConfigs::TopicConfigs(const TopicConfigs&) = default;
TopicConfigs& TopicConfigs::operator=(const TopicConfigs&) = default;

const TopicConfigs::Def* TopicConfigs::find(const std::string& name) const {
  auto it = std::lower_bound(defs_.begin(), defs_.end(), name,
                             [](const Def& d, const std::string& n) { return d.spec->name < n; });
  return it != defs_.end() && it->spec->name == name ? &*it : nullptr;
}

std::vector<std::string> TopicConfigs::names() const {
  std::vector<std::string> out;
  for (const Def& d : defs_) out.emplace_back(d.spec->name);
  return out;
}

std::optional<DescribedType> TopicConfigs::type_of(const std::string& name) const {
  const Def* def = find(name);
  if (def == nullptr) return std::nullopt;
  return def->spec->type;
}

absl::Status TopicConfigs::validate(const std::map<std::string, std::string>& dynamic) const {
  for (const auto& [name, value] : dynamic) {
    const Def* def = find(name);
    if (def == nullptr) {
      return protocol::kafka_error(ErrorCode::kInvalidConfig,
                                   "Unknown topic config name: " + name + unknown_name_hint(name));
    }
    if (absl::Status s = check_value(*def->spec, value); !s.ok()) return s;
  }
  // Rules across configs, on the effective values (the topic's or the node's).
  const int64_t min_lag =
      parse_config_long(*effective("min.compaction.lag.ms", dynamic)).value_or(0);
  const int64_t max_lag = parse_config_long(*effective("max.compaction.lag.ms", dynamic))
                              .value_or(std::numeric_limits<int64_t>::max());
  if (min_lag > max_lag) {
    return protocol::kafka_error(ErrorCode::kInvalidConfig,
                                 "min.compaction.lag.ms (" + std::to_string(min_lag) +
                                     ") must not exceed max.compaction.lag.ms (" +
                                     std::to_string(max_lag) + ")");
  }
  return absl::OkStatus();
}

std::vector<ConfigEntry> TopicConfigs::describe(
    const std::map<std::string, std::string>& dynamic) const {
  std::vector<ConfigEntry> out;
  out.reserve(defs_.size());
  for (const Def& def : defs_) {
    ConfigEntry e;
    e.name = std::string(def.spec->name);
    e.type = def.spec->type;
    e.documentation = std::string(def.spec->doc);
    auto it = dynamic.find(e.name);
    if (it != dynamic.end()) {
      e.value = normalize(*def.spec, it->second);
      e.synonyms.push_back({e.name, e.value, ConfigSource::kTopicConfig});
    } else {
      e.value = def.node_default;
    }
    e.synonyms.insert(e.synonyms.end(), def.broker_synonyms.begin(), def.broker_synonyms.end());
    e.source = e.synonyms.empty() ? ConfigSource::kDefaultConfig : e.synonyms.front().source;
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<std::string> TopicConfigs::effective(
    const std::string& name, const std::map<std::string, std::string>& dynamic) const {
  const Def* def = find(name);
  if (def == nullptr) return std::nullopt;
  auto it = dynamic.find(name);
  if (it != dynamic.end()) return normalize(*def->spec, it->second);
  return def->node_default;
}

absl::StatusOr<storage::LogConfig> TopicConfigs::log_config(
    const std::map<std::string, std::string>& dynamic) const {
  std::vector<std::pair<std::string, std::string>> settings;
  for (std::string_view name : storage::log_config_names()) {
    std::optional<std::string> value = effective(std::string(name), dynamic);
    if (value.has_value()) settings.emplace_back(std::string(name), std::move(*value));
  }
  return storage::parse_log_config(settings, storage::LogConfig{}, /*ignore_unknown=*/false);
}

int32_t TopicConfigs::min_insync_replicas(const std::map<std::string, std::string>& dynamic) const {
  std::optional<int64_t> n = parse_config_long(*effective("min.insync.replicas", dynamic));
  if (!n || *n < 1 || *n > kInt32Max) return broker_.min_insync_replicas;
  return static_cast<int32_t>(*n);
}

std::vector<ConfigEntry> describe_broker_configs(const BrokerConfig& config) {
  std::vector<ConfigEntry> out;
  for (const ConfigDef& d : broker_config_defs()) {
    ConfigEntry e;
    e.name = std::string(d.name);
    e.read_only = true;  // Keel has no dynamic broker configs: properties file and restart
    e.type = described_type(d.type);
    e.documentation = std::string(d.doc);
    auto it = config.explicit_settings.find(d.name);
    if (it != config.explicit_settings.end()) {
      e.synonyms.push_back({e.name, it->second.value, ConfigSource::kStaticBrokerConfig});
    }
    if (d.default_value != nullptr) {
      e.synonyms.push_back({e.name, std::string(d.default_value), ConfigSource::kDefaultConfig});
    }
    if (!e.synonyms.empty()) {
      e.value = e.synonyms.front().value;
      e.source = e.synonyms.front().source;
    } else {
      e.value = std::nullopt;  // derived from other properties (see its doc)
      e.source = ConfigSource::kDefaultConfig;
    }
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(),
            [](const ConfigEntry& a, const ConfigEntry& b) { return a.name < b.name; });
  return out;
}

}  // namespace keel::broker
