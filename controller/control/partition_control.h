// File: controller/control/partition_control.h
// CreatePartitions as a pure function: the committed image and the request in, the records
// and one answer per entry (in request order) out.
#pragma once

#include <vector>

#include "controller/control/control_types.h"
#include "controller/control/controller_result.h"
#include "controller/metadata_image.h"

namespace keel::controller {

// INVALID_PARTITIONS when new_total <= the current count or above the limit,
// INVALID_REPLICA_ASSIGNMENT for a bad assignment, UNKNOWN_TOPIC_OR_PARTITION for an unknown
// topic, INVALID_REQUEST for a topic named twice. Added partitions keep the topic's
// replication factor and continue partition 0's round-robin over the usable brokers.
ControllerResult<std::vector<absl::Status>> create_partitions(
    const MetadataImage& image, const std::vector<NewPartitions>& requests, bool validate_only);

}  // namespace keel::controller
