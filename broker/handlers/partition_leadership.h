// File: broker/handlers/partition_leadership.h
// What handlers tell clients about who serves what, from this node's image: whether this node
// leads a partition (else the error to answer and, for KIP-951 responses, the current leader
// and its address, so a producer or consumer retries there without a metadata round trip),
// and which live broker to name as the controller.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "broker/handlers/advertised_endpoint.h"
#include "controller/metadata_image.h"
#include "protocol/error_code.h"

namespace keel::broker::handlers {

struct PartitionLeadership {
  // kNone: this node leads. kNotLeaderOrFollower: another node does. kLeaderNotAvailable:
  // nobody does (leader -1).
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
  // Another node that leads and is alive (registered, unfenced): where to retry. Null when
  // this node leads, nobody does, or the leader is fenced or unknown.
  const controller::BrokerImage* current_leader = nullptr;
  int32_t leader_epoch = -1;
};

// `partition` is a partition of this node's image.
PartitionLeadership partition_leadership(const controller::MetadataImage& image,
                                         const controller::PartitionImage& partition,
                                         int32_t node_id);

// Adds `broker`'s endpoint on `listener` to a response's NodeEndpoints (KIP-951), once per
// node. `Endpoint` is a generated NodeEndpoint (Produce and Fetch each have their own).
template <typename Endpoint>
void add_node_endpoint(std::vector<Endpoint>& out, const controller::BrokerImage& broker,
                       std::string_view listener) {
  for (const Endpoint& e : out) {
    if (e.node_id == broker.node_id) return;
  }
  const metadata::Endpoint* endpoint = advertised_endpoint(broker, listener);
  if (endpoint == nullptr) return;
  Endpoint e;
  e.node_id = broker.node_id;
  e.host = endpoint->host();
  e.port = endpoint->port();
  if (!broker.rack.empty()) e.rack = broker.rack;
  out.push_back(std::move(e));
}

}  // namespace keel::broker::handlers
