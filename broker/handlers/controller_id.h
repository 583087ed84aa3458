// File: broker/handlers/controller_id.h
// The controller id clients are told (Metadata, DescribeCluster). Clients send their admin
// requests there and every broker forwards them to the active controller, so it must be a
// live broker of the same response: the active controller while it is unfenced and this node
// reaches it, else this node (it is answering, so it lives), else the lowest unfenced broker.
// A client told a dead controller waits its whole request timeout (librdkafka does).
#pragma once

#include <cstdint>

#include "controller/metadata_image.h"

namespace keel::broker {
struct BrokerServices;
}

namespace keel::broker::handlers {

int32_t advertised_controller_id(const BrokerServices& broker,
                                 const controller::MetadataImage& image);

}  // namespace keel::broker::handlers
