// File: broker/handlers/partition_leadership.cc
#include "broker/handlers/partition_leadership.h"

#include <algorithm>

namespace keel::broker::handlers {

PartitionLeadership partition_leadership(const controller::MetadataImage& image,
                                         const controller::PartitionImage& partition,
                                         int32_t node_id) {
  PartitionLeadership out;
  out.leader_epoch = partition.leader_epoch;
  if (partition.leader == node_id) return out;
  if (partition.leader < 0) {
    out.error = protocol::ErrorCode::kLeaderNotAvailable;
    return out;
  }
  out.error = protocol::ErrorCode::kNotLeaderOrFollower;
  const controller::BrokerImage* b = image.broker(partition.leader);
  if (b != nullptr && !b->fenced) out.current_leader = b;
  return out;
}

int32_t reported_controller_id(const controller::MetadataImage& image,
                               const std::vector<int32_t>& listed, int32_t node_id) {
  auto has = [&listed](int32_t id) {
    return id >= 0 && std::find(listed.begin(), listed.end(), id) != listed.end();
  };
  if (has(image.controller_id())) return image.controller_id();
  if (has(node_id)) return node_id;
  if (listed.empty()) return -1;
  return *std::min_element(listed.begin(), listed.end());
}

}  // namespace keel::broker::handlers
