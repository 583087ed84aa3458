// File: controller/control/topic_control.cc
#include "controller/control/topic_control.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "controller/control/record_builders.h"
#include "controller/control/request_checks.h"
#include "controller/metadata_log.h"
#include "controller/replica_placement.h"
#include "controller/topic_name.h"
#include "protocol/error_code.h"
#include "protocol/status.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;
using protocol::kafka_error;

Uuid new_topic_id(const MetadataImage& image, const std::set<Uuid, UuidLess>& taken,
                  storage::Random& random) {
  while (true) {  // a collision is a 2^-128 event; the loop ends at the first fresh id
    Uuid id;
    for (size_t i = 0; i < id.bytes.size(); i += 8) {
      const uint64_t r = random.next_u64();
      for (size_t j = 0; j < 8; ++j) id.bytes[i + j] = static_cast<uint8_t>(r >> (8 * j));
    }
    if (!id.is_zero() && image.topic(id) == nullptr && !taken.count(id)) return id;
  }
}

// The replicas of each partition of a manual assignment, checked; fills the result's counts.
absl::StatusOr<std::vector<std::vector<int32_t>>> manual_assignment(const NewTopic& topic,
                                                                    const MetadataImage& image,
                                                                    CreateTopicResult* result) {
  if (topic.num_partitions != -1 || topic.replication_factor != -1) {
    return kafka_error(ErrorCode::kInvalidRequest,
                       "Both numPartitions or replicationFactor and replicasAssignments "
                       "were set; only one of them may be used.");
  }
  if (topic.assignments.size() > static_cast<size_t>(kMaxPartitionsPerTopic)) {
    return kafka_error(
        ErrorCode::kInvalidPartitions,
        absl::StrCat("A topic may have at most ", kMaxPartitionsPerTopic, " partitions."));
  }
  std::vector<std::vector<int32_t>> assignment;
  int32_t expected = 0;
  int32_t size = -1;
  for (const auto& [partition, replicas] : topic.assignments) {
    if (partition != expected) {
      return kafka_error(ErrorCode::kInvalidReplicaAssignment,
                         absl::StrCat("The manual partition assignment does not cover "
                                      "partition ",
                                      expected, ": partition ids must be consecutive from 0."));
    }
    KEEL_RETURN_IF_ERROR(check_replica_list(image, partition, replicas, size));
    if (initial_isr(image, replicas).empty()) {
      return kafka_error(ErrorCode::kInvalidReplicaAssignment,
                         absl::StrCat("All brokers of the manual partition assignment of "
                                      "partition ",
                                      partition, " are fenced."));
    }
    size = static_cast<int32_t>(replicas.size());
    assignment.push_back(replicas);
    ++expected;
  }
  result->num_partitions = static_cast<int32_t>(assignment.size());
  result->replication_factor = static_cast<int16_t>(size);
  return assignment;
}

// Partition count and replication factor from the request or the defaults, placed.
absl::StatusOr<std::vector<std::vector<int32_t>>> placed_assignment(
    const NewTopic& topic, const ControlSettings& settings, const std::vector<int32_t>& brokers,
    CreateTopicResult* result) {
  const int32_t partitions =
      topic.num_partitions == -1 ? settings.default_num_partitions : topic.num_partitions;
  if (partitions < 1) {
    return kafka_error(ErrorCode::kInvalidPartitions,
                       "Number of partitions must be larger than 0, or -1 to use the "
                       "default.");
  }
  if (partitions > kMaxPartitionsPerTopic) {
    return kafka_error(ErrorCode::kInvalidPartitions,
                       absl::StrCat("Number of partitions ", partitions, " is above the limit of ",
                                    kMaxPartitionsPerTopic, "."));
  }
  const int32_t rf = topic.replication_factor == -1 ? settings.default_replication_factor
                                                    : topic.replication_factor;
  if (rf < 1) {
    return kafka_error(ErrorCode::kInvalidReplicationFactor,
                       "Replication factor must be larger than 0, or -1 to use the "
                       "default.");
  }
  if (static_cast<size_t>(rf) > brokers.size()) {
    return replication_factor_unreachable(rf, brokers.size());
  }
  result->num_partitions = partitions;
  result->replication_factor = static_cast<int16_t>(rf);
  return place_replicas(brokers, partitions, rf, settings.random->next_u64());
}

absl::Status check_new_name(const std::string& name, const MetadataImage& image,
                            const std::map<std::string, std::string>& unified_names) {
  KEEL_RETURN_IF_ERROR(validate_topic_name(name));
  if (name == kMetadataTopicName) {
    return kafka_error(
        ErrorCode::kInvalidTopicException,
        absl::StrCat("Topic name ", name, " is reserved for the cluster metadata log."));
  }
  if (image.topic(name) != nullptr) {
    return kafka_error(ErrorCode::kTopicAlreadyExists,
                       absl::StrCat("Topic '", name, "' already exists."));
  }
  if (has_collision_chars(name)) {
    auto it = unified_names.find(unify_collision_chars(name));
    if (it != unified_names.end()) {
      return kafka_error(ErrorCode::kInvalidTopicException,
                         absl::StrCat("Topic '", name, "' collides with existing topic '",
                                      it->second, "': names may not differ only in '.' and '_'."));
    }
  }
  return absl::OkStatus();
}

// Checks one new topic and appends its records; fills `result` but its status.
absl::Status plan_topic(const NewTopic& topic, const MetadataImage& image,
                        const ControlSettings& settings, const std::vector<int32_t>& brokers,
                        const std::map<std::string, std::string>& unified_names,
                        const std::set<Uuid, UuidLess>& taken_ids,
                        std::vector<metadata::MetadataRecord>* records, CreateTopicResult* result) {
  KEEL_RETURN_IF_ERROR(check_new_name(topic.name, image, unified_names));
  KEEL_ASSIGN_OR_RETURN(std::vector<std::vector<int32_t>> assignment,
                        topic.assignments.empty()
                            ? placed_assignment(topic, settings, brokers, result)
                            : manual_assignment(topic, image, result));
  for (const auto& [name, value] : topic.configs) {
    if (name.empty()) return kafka_error(ErrorCode::kInvalidConfig, "Empty config name.");
  }
  if (settings.validate_topic_configs) {
    KEEL_RETURN_IF_ERROR(as_invalid_config(settings.validate_topic_configs(topic.configs)));
  }
  result->topic_id = new_topic_id(image, taken_ids, *settings.random);
  records->push_back(topic_record(topic.name, result->topic_id));
  for (size_t p = 0; p < assignment.size(); ++p) {
    records->push_back(partition_record(result->topic_id, static_cast<int32_t>(p), assignment[p],
                                        initial_isr(image, assignment[p])));
  }
  for (const auto& [name, value] : topic.configs) {
    records->push_back(config_record(metadata::CONFIG_RESOURCE_TOPIC, topic.name, name, value));
  }
  return absl::OkStatus();
}

ControllerResult<std::vector<absl::Status>> remove_found(
    const std::vector<const TopicImage*>& topics, std::vector<absl::Status> statuses) {
  ControllerResult<std::vector<absl::Status>> out;
  for (const TopicImage* topic : topics) {
    if (topic != nullptr) out.records.push_back(remove_topic_record(topic->id));
  }
  out.response = std::move(statuses);
  return out;
}

}  // namespace

ControllerResult<std::vector<CreateTopicResult>> create_topics(const MetadataImage& image,
                                                               const ControlSettings& settings,
                                                               const std::vector<NewTopic>& topics,
                                                               bool validate_only) {
  ControllerResult<std::vector<CreateTopicResult>> out;
  out.response.resize(topics.size());
  const std::vector<int32_t> brokers = usable_brokers(image);
  std::vector<std::string> names;
  names.reserve(topics.size());
  for (const NewTopic& topic : topics) names.push_back(topic.name);
  const std::set<std::string> duplicates = duplicates_of(names);

  // Existing names and the ones accepted so far in this request, by their collision form.
  std::map<std::string, std::string> unified_names;
  for (const auto& [name, topic] : image.topics()) {
    if (has_collision_chars(name)) unified_names.emplace(unify_collision_chars(name), name);
  }
  std::set<Uuid, UuidLess> taken_ids;
  for (size_t i = 0; i < topics.size(); ++i) {
    CreateTopicResult& result = out.response[i];
    if (duplicates.count(topics[i].name)) {
      result.status = duplicate_topic_error(topics[i].name);
      continue;
    }
    std::vector<metadata::MetadataRecord> topic_records;
    result.status = plan_topic(topics[i], image, settings, brokers, unified_names, taken_ids,
                               &topic_records, &result);
    if (!result.status.ok()) {
      result = CreateTopicResult{result.status, Uuid{}, -1, -1};
      continue;
    }
    if (has_collision_chars(topics[i].name)) {
      unified_names.emplace(unify_collision_chars(topics[i].name), topics[i].name);
    }
    taken_ids.insert(result.topic_id);
    for (auto& record : topic_records) out.records.push_back(std::move(record));
  }
  if (validate_only) out.records.clear();
  return out;
}

ControllerResult<std::vector<absl::Status>> delete_topics(const MetadataImage& image,
                                                          const std::vector<std::string>& names) {
  std::vector<absl::Status> statuses(names.size());
  const std::set<std::string> duplicates = duplicates_of(names);
  std::vector<const TopicImage*> topics(names.size(), nullptr);
  for (size_t i = 0; i < names.size(); ++i) {
    if (duplicates.count(names[i])) {
      statuses[i] = duplicate_topic_error(names[i]);
    } else if ((topics[i] = image.topic(names[i])) == nullptr) {
      statuses[i] = kafka_error(ErrorCode::kUnknownTopicOrPartition,
                                absl::StrCat("Topic '", names[i], "' does not exist."));
    }
  }
  return remove_found(topics, std::move(statuses));
}

ControllerResult<std::vector<absl::Status>> delete_topics_by_id(const MetadataImage& image,
                                                                const std::vector<Uuid>& ids) {
  std::vector<absl::Status> statuses(ids.size());
  const std::set<Uuid, UuidLess> duplicates = duplicates_of<Uuid, UuidLess>(ids);
  std::vector<const TopicImage*> topics(ids.size(), nullptr);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (duplicates.count(ids[i])) {
      statuses[i] = kafka_error(ErrorCode::kInvalidRequest,
                                absl::StrCat("Topic id ", uuid_to_string(ids[i]),
                                             " appears more than once in the request."));
    } else if (ids[i].is_zero() || (topics[i] = image.topic(ids[i])) == nullptr) {
      statuses[i] =
          kafka_error(ErrorCode::kUnknownTopicId,
                      absl::StrCat("Topic id ", uuid_to_string(ids[i]), " does not exist."));
    }
  }
  return remove_found(topics, std::move(statuses));
}

}  // namespace keel::controller
