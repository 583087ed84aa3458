// File: broker/handlers/admin_util.h
// Checks shared by the config admin handlers (DescribeConfigs, AlterConfigs,
// IncrementalAlterConfigs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "broker/broker_services.h"
#include "broker/net/asio.h"
#include "controller/controller.h"
#include "protocol/error_code.h"

namespace keel::broker::handlers {

// Kafka's config resource types (DescribeConfigs / AlterConfigs resource_type).
inline constexpr int8_t kTopicResource = 2;
inline constexpr int8_t kBrokerResource = 4;

// OK when a BROKER resource names this node (its id, or "" for the cluster-wide entry);
// INVALID_REQUEST otherwise.
absl::Status check_broker_resource(const BrokerServices& broker, const std::string& name);

// INVALID_REQUEST for a resource type Keel does not handle.
absl::Status unsupported_resource_type(int8_t type);

// INVALID_CONFIG: broker properties cannot be changed while Keel runs.
absl::Status broker_configs_read_only(const std::string& first_key);

// One resource of an AlterConfigs / IncrementalAlterConfigs request.
struct ConfigAlteration {
  int8_t resource_type = 0;
  std::string resource_name;
  std::vector<controller::ConfigChange> changes;
  // Not OK: the answer, without asking the controller. Filled by run_config_alterations.
  absl::Status status;
};

// Checks every alteration not yet answered (status OK) before the controller sees it: a
// resource listed twice, a config
// key given twice (INVALID_REQUEST); a topic that does not exist (UNKNOWN_TOPIC_OR_PARTITION,
// INVALID_TOPIC_EXCEPTION for an illegal name); a broker other than this node
// (INVALID_REQUEST) or any change to a broker (read-only); other resource types.
void check_config_alterations(const BrokerServices& broker, const controller::MetadataImage& image,
                              std::vector<ConfigAlteration>& alterations);

// Runs the alterations still OK that change a topic on the control thread, one controller
// call each (validated as a whole, all or nothing), and stores each outcome in `status`.
// `alterations` must stay alive until the returned awaitable completes.
boost::asio::awaitable<void> run_config_alterations(const BrokerServices& broker,
                                                    std::vector<ConfigAlteration>& alterations,
                                                    bool replace_all, bool validate_only);

// One response entry per alteration (AlterConfigs and IncrementalAlterConfigs share the
// entry's shape but not its type).
template <typename Entry>
std::vector<Entry> alteration_responses(const std::vector<ConfigAlteration>& alterations) {
  std::vector<Entry> out;
  out.reserve(alterations.size());
  for (const ConfigAlteration& a : alterations) {
    Entry& r = out.emplace_back();
    r.error_code = static_cast<int16_t>(protocol::to_error_code(a.status));
    if (!a.status.ok()) r.error_message = std::string(a.status.message());
    r.resource_type = a.resource_type;
    r.resource_name = a.resource_name;
  }
  return out;
}

}  // namespace keel::broker::handlers
