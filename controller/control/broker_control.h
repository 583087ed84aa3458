// File: controller/control/broker_control.h
// Broker registration as a pure function (Kafka's ClusterControlManager). Grows into
// heartbeats, fencing and controlled shutdown with the cluster.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "controller/control/controller_result.h"
#include "controller/metadata_image.h"

namespace keel::controller {

struct BrokerRegistration {
  int32_t node_id = -1;
  std::vector<metadata::Endpoint> endpoints;
  std::string rack;
};

// A (re-)registration of the broker, unfenced. Its epoch is `next_offset`, the offset its
// record will get: broker epochs grow with every registration in the log. The answer is the
// epoch.
ControllerResult<int64_t> register_broker(const MetadataImage& image,
                                          const BrokerRegistration& registration,
                                          int64_t next_offset);

}  // namespace keel::controller
