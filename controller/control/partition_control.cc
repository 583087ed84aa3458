// File: controller/control/partition_control.cc
#include "controller/control/partition_control.h"

#include <algorithm>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "controller/control/record_builders.h"
#include "controller/control/request_checks.h"
#include "controller/replica_placement.h"
#include "protocol/error_code.h"
#include "protocol/status.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;
using protocol::kafka_error;

absl::Status check_new_total(const NewPartitions& request, int32_t current) {
  if (request.new_total < current) {
    return kafka_error(
        ErrorCode::kInvalidPartitions,
        absl::StrCat("Topic currently has ", current,
                     " partitions, which is higher than the requested ", request.new_total, "."));
  }
  if (request.new_total == current) {
    return kafka_error(ErrorCode::kInvalidPartitions,
                       absl::StrCat("Topic already has ", current, " partitions."));
  }
  if (request.new_total > kMaxPartitionsPerTopic) {
    return kafka_error(ErrorCode::kInvalidPartitions,
                       absl::StrCat("Number of partitions ", request.new_total,
                                    " is above the limit of ", kMaxPartitionsPerTopic, "."));
  }
  return absl::OkStatus();
}

absl::Status check_manual(const NewPartitions& request, const MetadataImage& image, int32_t current,
                          int32_t added, int32_t rf) {
  if (request.assignments.size() != static_cast<size_t>(added)) {
    return kafka_error(ErrorCode::kInvalidReplicaAssignment,
                       absl::StrCat("Attempted to add ", added, " partition(s), but ",
                                    request.assignments.size(), " assignment(s) were given."));
  }
  for (int32_t i = 0; i < added; ++i) {
    const std::vector<int32_t>& replicas = request.assignments[static_cast<size_t>(i)];
    KEEL_RETURN_IF_ERROR(check_replica_list(image, current + i, replicas, rf));
    if (initial_isr(image, replicas).empty()) {
      return kafka_error(ErrorCode::kInvalidReplicaAssignment,
                         absl::StrCat("All brokers of the manual partition assignment of "
                                      "partition ",
                                      current + i, " are fenced."));
    }
  }
  return absl::OkStatus();
}

// Checks one entry and appends its records.
absl::Status plan_partitions(const NewPartitions& request, const MetadataImage& image,
                             const std::vector<int32_t>& brokers,
                             std::vector<metadata::MetadataRecord>* records) {
  const TopicImage* topic = image.topic(request.topic);
  if (topic == nullptr) {
    return kafka_error(ErrorCode::kUnknownTopicOrPartition,
                       absl::StrCat("Topic '", request.topic, "' does not exist."));
  }
  const int32_t current = static_cast<int32_t>(topic->partitions.size());
  KEEL_RETURN_IF_ERROR(check_new_total(request, current));
  const int32_t added = request.new_total - current;
  const int32_t rf = topic->partitions.empty()
                         ? 1
                         : static_cast<int32_t>(topic->partitions.begin()->second.replicas.size());
  std::vector<std::vector<int32_t>> assignment;
  if (!request.assignments.empty()) {
    KEEL_RETURN_IF_ERROR(check_manual(request, image, current, added, rf));
    assignment = request.assignments;
  } else {
    if (static_cast<size_t>(rf) > brokers.size()) {
      return replication_factor_unreachable(rf, brokers.size());
    }
    // Continue partition 0's round-robin: its leader's position plus the partition id.
    uint64_t start = 0;
    if (!topic->partitions.empty() && !topic->partitions.begin()->second.replicas.empty()) {
      auto it = std::find(brokers.begin(), brokers.end(),
                          topic->partitions.begin()->second.replicas.front());
      if (it != brokers.end()) start = static_cast<uint64_t>(it - brokers.begin());
    }
    assignment = place_replicas(brokers, added, rf, start + static_cast<uint64_t>(current));
  }
  for (int32_t i = 0; i < added; ++i) {
    const std::vector<int32_t>& replicas = assignment[static_cast<size_t>(i)];
    records->push_back(
        partition_record(topic->id, current + i, replicas, initial_isr(image, replicas)));
  }
  return absl::OkStatus();
}

}  // namespace

ControllerResult<std::vector<absl::Status>> create_partitions(
    const MetadataImage& image, const std::vector<NewPartitions>& requests, bool validate_only) {
  ControllerResult<std::vector<absl::Status>> out;
  out.response.resize(requests.size());
  const std::vector<int32_t> brokers = usable_brokers(image);
  std::vector<std::string> names;
  names.reserve(requests.size());
  for (const NewPartitions& request : requests) names.push_back(request.topic);
  const std::set<std::string> duplicates = duplicates_of(names);
  for (size_t i = 0; i < requests.size(); ++i) {
    if (duplicates.count(requests[i].topic)) {
      out.response[i] = duplicate_topic_error(requests[i].topic);
      continue;
    }
    std::vector<metadata::MetadataRecord> topic_records;
    out.response[i] = plan_partitions(requests[i], image, brokers, &topic_records);
    if (!out.response[i].ok()) continue;
    for (auto& record : topic_records) out.records.push_back(std::move(record));
  }
  if (validate_only) out.records.clear();
  return out;
}

}  // namespace keel::controller
