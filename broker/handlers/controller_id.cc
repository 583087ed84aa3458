// File: broker/handlers/controller_id.cc
#include "broker/handlers/controller_id.h"

#include "broker/broker_services.h"

namespace keel::broker::handlers {
namespace {

bool unfenced(const controller::MetadataImage& image, int32_t id) {
  const controller::BrokerImage* b = image.broker(id);
  return b != nullptr && !b->fenced;
}

}  // namespace

int32_t advertised_controller_id(const BrokerServices& broker,
                                 const controller::MetadataImage& image) {
  // One node: the image's controller (itself); a quorum: the leader only when reachable.
  const std::optional<int32_t> leader = broker.reachable_controller
                                            ? broker.reachable_controller()
                                            : std::optional<int32_t>(image.controller_id());
  if (leader && unfenced(image, *leader)) return *leader;
  const int32_t self = broker.config != nullptr ? broker.config->node_id : -1;
  if (unfenced(image, self)) return self;
  for (const auto& [id, b] : image.brokers()) {
    if (!b.fenced) return id;
  }
  return -1;
}

}  // namespace keel::broker::handlers
