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

}  // namespace keel::broker::handlers
