#include "controller/replica_placement.h"

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"

namespace keel::controller {

using protocol::ErrorCode;
using protocol::kafka_error;

std::vector<std::vector<int32_t>> place_replicas(const std::vector<int32_t>& brokers,
                                                 int32_t num_partitions, int32_t replication_factor,
                                                 uint64_t start) {
  std::vector<std::vector<int32_t>> out;
  const size_t n = brokers.size();
  if (n == 0 || replication_factor < 1 || static_cast<size_t>(replication_factor) > n ||
      num_partitions < 1) {
    return out;
  }
  out.reserve(static_cast<size_t>(num_partitions));
  const uint64_t first = start % n;
  for (int32_t i = 0; i < num_partitions; ++i) {
    std::vector<int32_t> replicas;
    replicas.reserve(static_cast<size_t>(replication_factor));
    for (int32_t j = 0; j < replication_factor; ++j) {
      replicas.push_back(
          brokers[(first + static_cast<uint64_t>(i) + static_cast<uint64_t>(j)) % n]);
    }
    out.push_back(std::move(replicas));
  }
  return out;
}

std::vector<int32_t> usable_brokers(const MetadataImage& image) {
  // By rack (std::map: racks and ids ascending); brokers without broker.rack share "".
  std::map<std::string, std::vector<int32_t>> by_rack;
  for (const auto& [id, broker] : image.brokers()) {
    if (!broker.fenced && !broker.in_controlled_shutdown) by_rack[broker.rack].push_back(id);
  }
  // Interleaved, one of each rack in turn: consecutive entries are in different racks, so the
  // round-robin placement puts a partition's replicas on as many racks as it can (Kafka's
  // rack-alternated list). Without racks this is every id in ascending order.
  std::vector<int32_t> out;
  for (size_t round = 0;; ++round) {
    bool any = false;
    for (const auto& [rack, ids] : by_rack) {
      if (round < ids.size()) {
        out.push_back(ids[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  return out;
}

absl::Status replication_factor_unreachable(int32_t replication_factor, size_t available) {
  return kafka_error(
      ErrorCode::kInvalidReplicationFactor,
      absl::StrCat("Unable to replicate the partition ", replication_factor,
                   " time(s): The target replication factor of ", replication_factor,
                   " cannot be reached because only ", available, " broker(s) are registered."));
}

absl::Status check_replica_list(const MetadataImage& image, int32_t partition,
                                const std::vector<int32_t>& replicas, int32_t expected_size) {
  if (replicas.empty()) {
    return kafka_error(
        ErrorCode::kInvalidReplicaAssignment,
        absl::StrCat("The manual partition assignment of partition ", partition, " is empty."));
  }
  if (expected_size >= 0 && replicas.size() != static_cast<size_t>(expected_size)) {
    return kafka_error(
        ErrorCode::kInvalidReplicaAssignment,
        absl::StrCat("The manual partition assignment of partition ", partition, " has ",
                     replicas.size(), " replica(s), but the other partitions have ", expected_size,
                     "."));
  }
  std::set<int32_t> seen;
  for (int32_t id : replicas) {
    if (!seen.insert(id).second) {
      return kafka_error(ErrorCode::kInvalidReplicaAssignment,
                         absl::StrCat("The manual partition assignment of partition ", partition,
                                      " names broker ", id, " more than once."));
    }
    if (image.broker(id) == nullptr) {
      return kafka_error(ErrorCode::kInvalidReplicaAssignment,
                         absl::StrCat("The manual partition assignment of partition ", partition,
                                      " names broker ", id, ", which is not registered."));
    }
  }
  return absl::OkStatus();
}

std::vector<int32_t> initial_isr(const MetadataImage& image, const std::vector<int32_t>& replicas) {
  std::vector<int32_t> isr;
  for (int32_t id : replicas) {
    const BrokerImage* broker = image.broker(id);
    if (broker != nullptr && !broker->fenced) isr.push_back(id);
  }
  return isr;
}

}  // namespace keel::controller
