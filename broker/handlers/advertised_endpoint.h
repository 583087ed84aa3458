// File: broker/handlers/advertised_endpoint.h
// Which of a broker's advertised addresses a client gets. Kafka answers per listener: a client
// that connected through the INTERNAL listener is told every broker's INTERNAL address, so
// clients inside and outside a network each get addresses they can reach.
#pragma once

#include <string_view>

#include "controller/metadata_image.h"

namespace keel::broker::handlers {

// The broker's endpoint on `listener`; its first one when the listener is unnamed (tests) or
// the broker advertises no endpoint of that name. Null when it advertises none at all.
inline const metadata::Endpoint* advertised_endpoint(const controller::BrokerImage& b,
                                                     std::string_view listener) {
  if (b.endpoints.empty()) return nullptr;
  for (const metadata::Endpoint& e : b.endpoints) {
    if (!listener.empty() && e.listener_name() == listener) return &e;
  }
  return &b.endpoints.front();
}

}  // namespace keel::broker::handlers
