// File: broker/handlers/admin_util.cc
#include "broker/handlers/admin_util.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "broker/controller_calls.h"
#include "controller/topic_name.h"
#include "protocol/error_code.h"

namespace keel::broker::handlers {

using protocol::ErrorCode;

absl::Status check_broker_resource(const BrokerServices& broker, const std::string& name) {
  if (name.empty()) return absl::OkStatus();
  int32_t id = 0;
  if (!absl::SimpleAtoi(name, &id)) {
    return protocol::kafka_error(ErrorCode::kInvalidRequest,
                                 "broker id must be an integer, not '" + name + "'");
  }
  if (id != broker.config->node_id) {
    return protocol::kafka_error(ErrorCode::kInvalidRequest,
                                 "this is broker " + std::to_string(broker.config->node_id) +
                                     ": ask broker " + name + " itself (or use an empty name)");
  }
  return absl::OkStatus();
}

absl::Status unsupported_resource_type(int8_t type) {
  return protocol::kafka_error(ErrorCode::kInvalidRequest,
                               "unsupported resource type " + std::to_string(type) +
                                   " (Keel has configs for topics (2) and brokers (4))");
}

absl::Status broker_configs_read_only(const std::string& first_key) {
  return protocol::kafka_error(ErrorCode::kInvalidConfig,
                               "Keel cannot change broker configs at run time (" + first_key +
                                   "): set them in the properties file and restart");
}

void check_config_alterations(const BrokerServices& broker, const controller::MetadataImage& image,
                              std::vector<ConfigAlteration>& alterations) {
  std::map<std::pair<int8_t, std::string>, int> resources;
  for (const ConfigAlteration& a : alterations) ++resources[{a.resource_type, a.resource_name}];
  for (ConfigAlteration& a : alterations) {
    if (!a.status.ok()) continue;  // already answered
    if (resources[{a.resource_type, a.resource_name}] > 1) {
      a.status = protocol::kafka_error(ErrorCode::kInvalidRequest,
                                       "resource " + a.resource_name + " is listed more than once");
      continue;
    }
    std::set<std::string> keys;
    for (const controller::ConfigChange& c : a.changes) {
      if (!keys.insert(c.name).second) {
        a.status = protocol::kafka_error(ErrorCode::kInvalidRequest,
                                         "config " + c.name + " is given more than once");
        break;
      }
    }
    if (!a.status.ok()) continue;
    switch (a.resource_type) {
      case kTopicResource:
        if (image.topic(a.resource_name) == nullptr) {
          a.status = controller::validate_topic_name(a.resource_name);
          if (a.status.ok()) {
            a.status = protocol::kafka_error(ErrorCode::kUnknownTopicOrPartition,
                                             "unknown topic " + a.resource_name);
          }
        }
        break;
      case kBrokerResource:
        a.status = check_broker_resource(broker, a.resource_name);
        if (a.status.ok() && !a.changes.empty()) {
          a.status = broker_configs_read_only(a.changes.front().name);
        }
        break;
      default:
        a.status = unsupported_resource_type(a.resource_type);
        break;
    }
  }
}

boost::asio::awaitable<void> run_config_alterations(const BrokerServices& broker,
                                                    std::vector<ConfigAlteration>& alterations,
                                                    bool replace_all, bool validate_only) {
  bool any = false;
  for (const ConfigAlteration& a : alterations) {
    any = any || (a.status.ok() && a.resource_type == kTopicResource);
  }
  if (!any) co_return;
  controller::ControllerClient* c = broker.controller;
  std::vector<absl::Status> outcome;
  for (const ConfigAlteration& a : alterations) {
    if (!a.status.ok() || a.resource_type != kTopicResource) {
      outcome.push_back(a.status);
      continue;
    }
    controller::ConfigResource resource;
    resource.type = metadata::CONFIG_RESOURCE_TOPIC;
    resource.name = a.resource_name;
    auto call =
        await_controller<absl::Status>([c, &resource, &a, replace_all, validate_only](auto done) {
          c->alter_configs(resource, a.changes, replace_all, validate_only, std::move(done));
        });
    absl::Status status = co_await std::move(call);
    outcome.push_back(std::move(status));
  }
  for (size_t i = 0; i < alterations.size() && i < outcome.size(); ++i) {
    alterations[i].status = outcome[i];
  }
}

}  // namespace keel::broker::handlers
