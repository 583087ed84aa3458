// File: controller/control/config_control.cc
#include "controller/control/config_control.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controller/control/record_builders.h"
#include "controller/control/request_checks.h"
#include "protocol/error_code.h"
#include "protocol/status.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;
using protocol::kafka_error;
using ConfigMap = std::map<std::string, std::string>;

bool parse_broker_resource(const std::string& name) {
  if (name.empty()) return true;  // the cluster-wide default
  int32_t id = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  return ec == std::errc() && end == name.data() + name.size() && id >= 0;
}

// The resource's dynamic configs now.
absl::StatusOr<ConfigMap> current_configs(const MetadataImage& image,
                                          const ConfigResource& resource) {
  if (resource.type == metadata::CONFIG_RESOURCE_TOPIC) {
    const TopicImage* topic = image.topic(resource.name);
    if (topic == nullptr) {
      return kafka_error(ErrorCode::kUnknownTopicOrPartition,
                         absl::StrCat("Topic '", resource.name, "' does not exist."));
    }
    return topic->configs;
  }
  if (resource.type == metadata::CONFIG_RESOURCE_BROKER) {
    if (!parse_broker_resource(resource.name)) {
      return kafka_error(ErrorCode::kInvalidRequest,
                         absl::StrCat("Illegal broker resource name '", resource.name,
                                      "': expected a node id, or empty for the cluster default."));
    }
    auto it = image.broker_configs().find(resource.name);
    return it != image.broker_configs().end() ? it->second : ConfigMap();
  }
  return kafka_error(
      ErrorCode::kInvalidRequest,
      absl::StrCat("Unsupported config resource type ", static_cast<int>(resource.type), "."));
}

// kAppend / kSubtract on a list-valued config.
absl::Status apply_list_change(const ConfigChange& change, bool is_topic,
                               const ControlSettings& settings, ConfigMap* next) {
  std::optional<std::string> base;
  if (auto it = next->find(change.name); it != next->end()) {
    base = it->second;
  } else if (is_topic && settings.topic_config_default) {
    base = settings.topic_config_default(change.name);
  }
  std::vector<std::string> items = base ? split_list(*base) : std::vector<std::string>();
  for (const std::string& item : split_list(*change.value)) {
    if (change.op == ConfigOp::kAppend) {
      if (std::find(items.begin(), items.end(), item) == items.end()) items.push_back(item);
    } else {
      items.erase(std::remove(items.begin(), items.end(), item), items.end());
    }
  }
  (*next)[change.name] = absl::StrJoin(items, ",");
  return absl::OkStatus();
}

// Applies one change to `next`.
absl::Status apply_change(const ConfigChange& change, bool replace_all, bool is_topic,
                          const ControlSettings& settings, ConfigMap* next) {
  switch (change.op) {
    case ConfigOp::kSet:
      if (!change.value) {
        if (replace_all) return absl::OkStatus();  // legacy AlterConfigs: null leaves it unset
        return kafka_error(ErrorCode::kInvalidRequest,
                           absl::StrCat("Null value for config '", change.name, "'."));
      }
      (*next)[change.name] = *change.value;
      return absl::OkStatus();
    case ConfigOp::kDelete:
      next->erase(change.name);
      return absl::OkStatus();
    case ConfigOp::kAppend:
    case ConfigOp::kSubtract:
      if (replace_all || !change.value) {
        return kafka_error(ErrorCode::kInvalidRequest,
                           absl::StrCat("Config '", change.name,
                                        "': APPEND and SUBTRACT need "
                                        "a value and incremental semantics."));
      }
      return apply_list_change(change, is_topic, settings, next);
  }
  return kafka_error(ErrorCode::kInvalidRequest,
                     absl::StrCat("Unknown config operation ", static_cast<int>(change.op),
                                  " for config '", change.name, "'."));
}

absl::Status plan(const MetadataImage& image, const ControlSettings& settings,
                  const ConfigResource& resource, const std::vector<ConfigChange>& changes,
                  bool replace_all, std::vector<metadata::MetadataRecord>* records) {
  const bool is_topic = resource.type == metadata::CONFIG_RESOURCE_TOPIC;
  KEEL_ASSIGN_OR_RETURN(ConfigMap current, current_configs(image, resource));
  ConfigMap next = replace_all ? ConfigMap() : current;
  std::set<std::string> seen;
  for (const ConfigChange& change : changes) {
    if (change.name.empty()) return kafka_error(ErrorCode::kInvalidConfig, "Empty config name.");
    if (!seen.insert(change.name).second) {
      return kafka_error(
          ErrorCode::kInvalidRequest,
          absl::StrCat("Config '", change.name, "' appears more than once in the request."));
    }
    KEEL_RETURN_IF_ERROR(apply_change(change, replace_all, is_topic, settings, &next));
  }
  if (is_topic && settings.validate_topic_configs) {
    KEEL_RETURN_IF_ERROR(as_invalid_config(settings.validate_topic_configs(next)));
  }
  config_diff(resource.type, resource.name, current, next, records);
  return absl::OkStatus();
}

}  // namespace

ControllerResult<absl::Status> alter_configs(const MetadataImage& image,
                                             const ControlSettings& settings,
                                             const ConfigResource& resource,
                                             const std::vector<ConfigChange>& changes,
                                             bool replace_all, bool validate_only) {
  ControllerResult<absl::Status> out;
  out.response = plan(image, settings, resource, changes, replace_all, &out.records);
  if (!out.response.ok() || validate_only) out.records.clear();
  return out;
}

}  // namespace keel::controller
