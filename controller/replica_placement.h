// File: controller/replica_placement.h
// Where the replicas of new partitions go, and checks of manual assignments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "controller/metadata_image.h"

namespace keel::controller {

// Round-robin placement over `brokers` (distinct ids, as usable_brokers orders them): replica j of
// the i-th new partition goes to brokers[(start + i + j) % n]. The first replica is the preferred
// leader, so consecutive partitions have consecutive leaders and a per-topic `start` spreads
// the leaders of many small topics. Requires 1 <= replication_factor <= brokers.size().
std::vector<std::vector<int32_t>> place_replicas(const std::vector<int32_t>& brokers,
                                                 int32_t num_partitions, int32_t replication_factor,
                                                 uint64_t start);

// Registered brokers that are neither fenced nor in controlled shutdown: by id, interleaved by
// rack when brokers have one (broker.rack), so consecutive ids are in different racks.
std::vector<int32_t> usable_brokers(const MetadataImage& image);

// The INVALID_REPLICATION_FACTOR error for asking more replicas than `available` brokers.
absl::Status replication_factor_unreachable(int32_t replication_factor, size_t available);

// Checks one manually assigned replica list (partition `partition`): non-empty, no duplicate,
// every id a registered broker, and, when `expected_size` >= 0, of that length. Errors are
// INVALID_REPLICA_ASSIGNMENT.
absl::Status check_replica_list(const MetadataImage& image, int32_t partition,
                                const std::vector<int32_t>& replicas, int32_t expected_size);

// The initial ISR of a new partition: its replicas on unfenced brokers, in replica order.
std::vector<int32_t> initial_isr(const MetadataImage& image, const std::vector<int32_t>& replicas);

}  // namespace keel::controller
