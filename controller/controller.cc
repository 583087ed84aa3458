#include "controller/controller.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controller/meta_properties.h"
#include "controller/metadata_log.h"
#include "controller/replica_placement.h"
#include "controller/topic_name.h"
#include "protocol/error_code.h"
#include "protocol/status.h"
#include "storage/log.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;
using protocol::kafka_error;

// The leader epoch stamped into metadata batches. A quorum of one never changes leader; Raft
// will stamp its term here.
constexpr int32_t kMetadataLeaderEpoch = 0;

// More partitions than this in one topic (or one CreatePartitions) is refused: the records
// would not fit in one metadata batch, and nobody means it.
constexpr int32_t kMaxPartitionsPerTopic = 100'000;

// `status` with `prefix` before its message, keeping its code and Kafka error.
absl::Status with_prefix(const absl::Status& status, std::string_view prefix) {
  absl::Status out(status.code(), absl::StrCat(std::string(prefix), std::string(status.message())));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

// A validator's error as INVALID_CONFIG unless it already names a Kafka error.
absl::Status as_invalid_config(const absl::Status& status) {
  if (status.ok() || protocol::kafka_error_of(status).has_value()) return status;
  return kafka_error(ErrorCode::kInvalidConfig, std::string(status.message()));
}

std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> items;
  while (true) {
    const size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return items;
}

bool parse_broker_resource(const std::string& name) {
  if (name.empty()) return true;  // the cluster-wide default
  int32_t id = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  return ec == std::errc() && end == name.data() + name.size() && id >= 0;
}

metadata::MetadataRecord topic_record(const std::string& name, const Uuid& id) {
  metadata::MetadataRecord record;
  record.mutable_topic()->set_name(name);
  record.mutable_topic()->set_topic_id(uuid_to_bytes(id));
  return record;
}

metadata::MetadataRecord partition_record(const Uuid& id, int32_t partition,
                                          const std::vector<int32_t>& replicas,
                                          const std::vector<int32_t>& isr) {
  metadata::MetadataRecord record;
  metadata::PartitionRecord* p = record.mutable_partition();
  p->set_topic_id(uuid_to_bytes(id));
  p->set_partition_id(partition);
  for (int32_t r : replicas) p->add_replicas(r);
  for (int32_t r : isr) p->add_isr(r);
  p->set_leader(isr.empty() ? -1 : isr.front());
  p->set_leader_epoch(0);
  p->set_partition_epoch(0);
  return record;
}

metadata::MetadataRecord config_record(metadata::ConfigResourceType type,
                                       const std::string& resource, const std::string& name,
                                       const std::optional<std::string>& value) {
  metadata::MetadataRecord record;
  metadata::ConfigRecord* c = record.mutable_config();
  c->set_resource_type(type);
  c->set_resource_name(resource);
  c->set_name(name);
  if (value) c->set_value(*value);
  return record;
}

// The records turning `from` into `to` for one resource.
void config_diff(metadata::ConfigResourceType type, const std::string& resource,
                 const std::map<std::string, std::string>& from,
                 const std::map<std::string, std::string>& to,
                 std::vector<metadata::MetadataRecord>* records) {
  for (const auto& [name, value] : from) {
    if (!to.count(name)) records->push_back(config_record(type, resource, name, std::nullopt));
  }
  for (const auto& [name, value] : to) {
    auto it = from.find(name);
    if (it == from.end() || it->second != value) {
      records->push_back(config_record(type, resource, name, value));
    }
  }
}

// Names (or ids) that appear more than once in a request.
template <typename T, typename Less = std::less<T>>
std::set<T, Less> duplicates_of(const std::vector<T>& items) {
  std::set<T, Less> seen;
  std::set<T, Less> dups;
  for (const T& item : items) {
    if (!seen.insert(item).second) dups.insert(item);
  }
  return dups;
}

}  // namespace

struct Controller::Impl {
  storage::Env* env = nullptr;
  storage::Clock* clock = nullptr;
  ControllerOptions options;

  // Serializes operations; guards everything below up to image_mu.
  std::mutex mu;
  std::unique_ptr<storage::Log> log;
  bool closed = false;
  // Set when the metadata log no longer matches the image (a failed fsync whose records could
  // not be taken back out): every operation is refused until the node restarts.
  absl::Status failed;

  mutable std::mutex image_mu;
  std::shared_ptr<const MetadataImage> image;

  std::mutex subscribers_mu;
  std::vector<Subscriber> subscribers;

  ~Impl() {
    if (log && !closed) (void)log->close();
  }

  void log_line(std::string_view line) const {
    if (options.log) options.log(line);
  }

  std::shared_ptr<const MetadataImage> current() const {
    std::lock_guard<std::mutex> lock(image_mu);
    return image;
  }

  absl::Status check_usable() const {
    if (closed) {
      return kafka_error(ErrorCode::kNotController, "the controller is closed",
                         absl::StatusCode::kFailedPrecondition);
    }
    return failed;
  }

  Uuid new_topic_id(const MetadataImage& image, const std::set<Uuid, UuidLess>& taken) {
    while (true) {  // a collision is a 2^-128 event; the loop ends at the first fresh id
      Uuid id;
      for (size_t i = 0; i < id.bytes.size(); i += 8) {
        const uint64_t r = options.random->next_u64();
        for (size_t j = 0; j < 8; ++j) id.bytes[i + j] = static_cast<uint8_t>(r >> (8 * j));
      }
      if (!id.is_zero() && image.topic(id) == nullptr && !taken.count(id)) return id;
    }
  }

  // Appends `records` as one batch, makes it durable, then publishes the new image and tells
  // the subscribers. Caller holds mu. On error nothing is committed and the image is unchanged.
  absl::Status commit(const std::vector<metadata::MetadataRecord>& records) {
    if (records.empty()) return absl::OkStatus();
    KEEL_RETURN_IF_ERROR(check_usable());
    MetadataDelta delta(current());
    const int64_t first = log->log_end_offset();
    for (size_t i = 0; i < records.size(); ++i) {
      absl::Status s = delta.replay(records[i], first + static_cast<int64_t>(i));
      if (!s.ok()) {
        return absl::InternalError(absl::StrCat(
            "controller produced a record that does not apply: ", std::string(s.message())));
      }
    }
    KEEL_ASSIGN_OR_RETURN(protocol::Bytes batch, encode_metadata_batch(records, clock->now_ms()));
    KEEL_ASSIGN_OR_RETURN(
        storage::AppendResult appended,
        log->append(protocol::RecordsView(batch.data(), batch.size()), kMetadataLeaderEpoch));
    if (appended.base_offset != first) {
      failed = absl::InternalError(absl::StrCat("metadata batch appended at offset ",
                                                appended.base_offset, ", expected ", first));
      return failed;
    }
    absl::StatusOr<int64_t> flushed = log->flush();
    if (!flushed.ok()) {
      // Not durable, so not committed: take the batch back out so the log matches the image.
      absl::Status cut = log->truncate_to(first);
      if (!cut.ok()) {
        failed = with_prefix(cut,
                             "the metadata log could not be cut back after a failed fsync "
                             "and is unusable until restart: ");
        log_line(std::string(failed.message()));
      }
      return flushed.status();
    }
    log->set_high_watermark(log->log_end_offset());
    std::shared_ptr<const MetadataImage> next = delta.apply();
    {
      std::lock_guard<std::mutex> lock(image_mu);
      image = next;
    }
    std::vector<Subscriber> to_call;
    {
      std::lock_guard<std::mutex> lock(subscribers_mu);
      to_call = subscribers;
    }
    for (const Subscriber& subscriber : to_call) subscriber(delta, next);
    return absl::OkStatus();
  }

  // Removes the topics whose entry in `topics` is set (the others already have an error in
  // `results`), all in one batch.
  void remove_topics(const std::vector<const TopicImage*>& topics,
                     std::vector<absl::Status>* results) {
    std::vector<metadata::MetadataRecord> records;
    for (const TopicImage* topic : topics) {
      if (topic == nullptr) continue;
      metadata::MetadataRecord record;
      record.mutable_remove_topic()->set_topic_id(uuid_to_bytes(topic->id));
      records.push_back(std::move(record));
    }
    if (records.empty()) return;
    absl::Status committed = commit(records);
    for (size_t i = 0; i < topics.size(); ++i) {
      if (topics[i] == nullptr) continue;
      if (!committed.ok()) {
        (*results)[i] = committed;
      } else {
        log_line(absl::StrCat("deleted topic ", topics[i]->name, " (id ",
                              uuid_to_string(topics[i]->id), ")"));
      }
    }
  }

  // Checks one new topic and appends its records to `records`; fills `result` but its status.
  absl::Status plan_topic(const NewTopic& topic, const MetadataImage& image,
                          const std::vector<int32_t>& brokers,
                          const std::map<std::string, std::string>& unified_names,
                          const std::set<Uuid, UuidLess>& taken_ids,
                          std::vector<metadata::MetadataRecord>* records,
                          CreateTopicResult* result) {
    KEEL_RETURN_IF_ERROR(validate_topic_name(topic.name));
    if (topic.name == kMetadataTopicName) {
      return kafka_error(
          ErrorCode::kInvalidTopicException,
          absl::StrCat("Topic name ", topic.name, " is reserved for the cluster metadata log."));
    }
    if (image.topic(topic.name) != nullptr) {
      return kafka_error(ErrorCode::kTopicAlreadyExists,
                         absl::StrCat("Topic '", topic.name, "' already exists."));
    }
    if (has_collision_chars(topic.name)) {
      auto it = unified_names.find(unify_collision_chars(topic.name));
      if (it != unified_names.end()) {
        return kafka_error(
            ErrorCode::kInvalidTopicException,
            absl::StrCat("Topic '", topic.name, "' collides with existing topic '", it->second,
                         "': names may not differ only in '.' and '_'."));
      }
    }

    std::vector<std::vector<int32_t>> assignment;
    if (!topic.assignments.empty()) {
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
    } else {
      const int32_t partitions =
          topic.num_partitions == -1 ? options.default_num_partitions : topic.num_partitions;
      if (partitions < 1) {
        return kafka_error(ErrorCode::kInvalidPartitions,
                           "Number of partitions must be larger than 0, or -1 to use the "
                           "default.");
      }
      if (partitions > kMaxPartitionsPerTopic) {
        return kafka_error(ErrorCode::kInvalidPartitions,
                           absl::StrCat("Number of partitions ", partitions,
                                        " is above the limit of ", kMaxPartitionsPerTopic, "."));
      }
      const int32_t rf = topic.replication_factor == -1 ? options.default_replication_factor
                                                        : topic.replication_factor;
      if (rf < 1) {
        return kafka_error(ErrorCode::kInvalidReplicationFactor,
                           "Replication factor must be larger than 0, or -1 to use the "
                           "default.");
      }
      if (static_cast<size_t>(rf) > brokers.size()) {
        return replication_factor_unreachable(rf, brokers.size());
      }
      assignment = place_replicas(brokers, partitions, rf, options.random->next_u64());
      result->num_partitions = partitions;
      result->replication_factor = static_cast<int16_t>(rf);
    }

    for (const auto& [name, value] : topic.configs) {
      if (name.empty()) return kafka_error(ErrorCode::kInvalidConfig, "Empty config name.");
    }
    if (options.validate_topic_configs) {
      KEEL_RETURN_IF_ERROR(as_invalid_config(options.validate_topic_configs(topic.configs)));
    }

    result->topic_id = new_topic_id(image, taken_ids);
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

  // Checks one CreatePartitions entry and appends its records.
  absl::Status plan_partitions(const NewPartitions& request, const MetadataImage& image,
                               const std::vector<int32_t>& brokers,
                               std::vector<metadata::MetadataRecord>* records) {
    const TopicImage* topic = image.topic(request.topic);
    if (topic == nullptr) {
      return kafka_error(ErrorCode::kUnknownTopicOrPartition,
                         absl::StrCat("Topic '", request.topic, "' does not exist."));
    }
    const int32_t current = static_cast<int32_t>(topic->partitions.size());
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
    const int32_t added = request.new_total - current;
    const int32_t rf =
        topic->partitions.empty()
            ? 1
            : static_cast<int32_t>(topic->partitions.begin()->second.replicas.size());
    std::vector<std::vector<int32_t>> assignment;
    if (!request.assignments.empty()) {
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
};

Controller::Controller(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Controller::~Controller() {
  if (impl_) (void)close();
}

absl::StatusOr<std::unique_ptr<Controller>> Controller::open(storage::Env* env,
                                                             storage::Clock* clock,
                                                             ControllerOptions options) {
  if (options.log_dirs.empty()) {
    return kafka_error(ErrorCode::kInvalidConfig, "the controller needs at least one log dir",
                       absl::StatusCode::kInvalidArgument);
  }
  if (options.node_id < 0) {
    return kafka_error(ErrorCode::kInvalidConfig,
                       absl::StrCat("node.id ", options.node_id, " is negative"),
                       absl::StatusCode::kInvalidArgument);
  }
  auto impl = std::make_unique<Impl>();
  impl->env = env;
  impl->clock = clock;
  impl->options = std::move(options);
  const ControllerOptions& opts = impl->options;

  KEEL_ASSIGN_OR_RETURN(
      std::string cluster_id,
      ensure_meta_properties(env, opts.log_dirs, opts.node_id, opts.cluster_id, *opts.random));

  storage::RecoveryOptions recovery;
  recovery.log = opts.log;
  const std::string dir = storage::join_path(opts.log_dirs.front(), kMetadataLogDirName);
  KEEL_ASSIGN_OR_RETURN(impl->log,
                        storage::Log::open(env, clock, dir, metadata_log_config(), recovery));
  storage::Log& log = *impl->log;

  MetadataDelta delta(std::make_shared<const MetadataImage>());
  int64_t replayed = 0;
  KEEL_RETURN_IF_ERROR(read_metadata_log(
      log, log.log_start_offset(), log.log_end_offset(),
      [&delta, &replayed](const metadata::MetadataRecord& record, int64_t offset) {
        ++replayed;
        return delta.replay(record, offset);
      }));
  // Everything that survived recovery was fsynced before it was acknowledged: committed.
  log.set_high_watermark(log.log_end_offset());
  delta.set_cluster_id(cluster_id);
  delta.set_controller_id(opts.node_id);
  impl->image = delta.apply();
  impl->log_line(absl::StrCat("metadata log ", dir, ": replayed ", replayed,
                              " record(s), log end offset ", log.log_end_offset(), ", cluster id ",
                              cluster_id));

  // Register this node. Its epoch is the offset of its registration record, so it grows with
  // every restart.
  const int64_t epoch = log.log_end_offset();
  metadata::MetadataRecord registration;
  metadata::BrokerRegistrationRecord* r = registration.mutable_broker_registration();
  r->set_node_id(opts.node_id);
  r->set_broker_epoch(epoch);
  for (const metadata::Endpoint& endpoint : opts.advertised_endpoints) {
    *r->add_endpoints() = endpoint;
  }
  r->set_rack(opts.rack);
  r->set_fenced(false);
  {
    std::lock_guard<std::mutex> lock(impl->mu);
    KEEL_RETURN_IF_ERROR(impl->commit({registration}));
  }
  impl->log_line(absl::StrCat("registered node ", opts.node_id, " with broker epoch ", epoch));
  return std::unique_ptr<Controller>(new Controller(std::move(impl)));
}

std::shared_ptr<const MetadataImage> Controller::image() const { return impl_->current(); }

void Controller::subscribe(Subscriber subscriber) {
  std::lock_guard<std::mutex> lock(impl_->subscribers_mu);
  impl_->subscribers.push_back(std::move(subscriber));
}

int32_t Controller::node_id() const { return impl_->options.node_id; }

std::vector<CreateTopicResult> Controller::create_topics(const std::vector<NewTopic>& topics,
                                                         bool validate_only) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<CreateTopicResult> results(topics.size());
  if (absl::Status s = impl_->check_usable(); !s.ok()) {
    for (CreateTopicResult& result : results) result.status = s;
    return results;
  }
  std::shared_ptr<const MetadataImage> image = impl_->current();
  const std::vector<int32_t> brokers = usable_brokers(*image);

  std::vector<std::string> names;
  names.reserve(topics.size());
  for (const NewTopic& topic : topics) names.push_back(topic.name);
  const std::set<std::string> duplicates = duplicates_of(names);

  // Existing names and the ones accepted so far in this request, by their collision form.
  std::map<std::string, std::string> unified_names;
  for (const auto& [name, topic] : image->topics()) {
    if (has_collision_chars(name)) unified_names.emplace(unify_collision_chars(name), name);
  }
  std::set<Uuid, UuidLess> taken_ids;
  std::vector<metadata::MetadataRecord> records;
  std::vector<size_t> accepted;
  for (size_t i = 0; i < topics.size(); ++i) {
    CreateTopicResult& result = results[i];
    if (duplicates.count(topics[i].name)) {
      result.status = kafka_error(
          ErrorCode::kInvalidRequest,
          absl::StrCat("Topic '", topics[i].name, "' appears more than once in the request."));
      continue;
    }
    std::vector<metadata::MetadataRecord> topic_records;
    result.status = impl_->plan_topic(topics[i], *image, brokers, unified_names, taken_ids,
                                      &topic_records, &result);
    if (!result.status.ok()) {
      result.topic_id = Uuid{};
      result.num_partitions = -1;
      result.replication_factor = -1;
      continue;
    }
    if (has_collision_chars(topics[i].name)) {
      unified_names.emplace(unify_collision_chars(topics[i].name), topics[i].name);
    }
    taken_ids.insert(result.topic_id);
    accepted.push_back(i);
    for (auto& record : topic_records) records.push_back(std::move(record));
  }
  if (validate_only || records.empty()) return results;
  absl::Status committed = impl_->commit(records);
  if (!committed.ok()) {
    for (size_t i : accepted) results[i].status = committed;
    return results;
  }
  for (size_t i : accepted) {
    impl_->log_line(absl::StrCat("created topic ", topics[i].name, " (id ",
                                 uuid_to_string(results[i].topic_id), ", ",
                                 results[i].num_partitions, " partition(s), replication factor ",
                                 results[i].replication_factor, ")"));
  }
  return results;
}

std::vector<absl::Status> Controller::delete_topics(const std::vector<std::string>& names) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<absl::Status> results(names.size());
  if (absl::Status s = impl_->check_usable(); !s.ok()) {
    std::fill(results.begin(), results.end(), s);
    return results;
  }
  std::shared_ptr<const MetadataImage> image = impl_->current();
  const std::set<std::string> duplicates = duplicates_of(names);
  std::vector<const TopicImage*> topics(names.size(), nullptr);
  for (size_t i = 0; i < names.size(); ++i) {
    if (duplicates.count(names[i])) {
      results[i] = kafka_error(
          ErrorCode::kInvalidRequest,
          absl::StrCat("Topic '", names[i], "' appears more than once in the request."));
    } else if ((topics[i] = image->topic(names[i])) == nullptr) {
      results[i] = kafka_error(ErrorCode::kUnknownTopicOrPartition,
                               absl::StrCat("Topic '", names[i], "' does not exist."));
    }
  }
  impl_->remove_topics(topics, &results);
  return results;
}

std::vector<absl::Status> Controller::delete_topics_by_id(const std::vector<Uuid>& ids) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<absl::Status> results(ids.size());
  if (absl::Status s = impl_->check_usable(); !s.ok()) {
    std::fill(results.begin(), results.end(), s);
    return results;
  }
  std::shared_ptr<const MetadataImage> image = impl_->current();
  const std::set<Uuid, UuidLess> duplicates = duplicates_of<Uuid, UuidLess>(ids);
  std::vector<const TopicImage*> topics(ids.size(), nullptr);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (duplicates.count(ids[i])) {
      results[i] = kafka_error(ErrorCode::kInvalidRequest,
                               absl::StrCat("Topic id ", uuid_to_string(ids[i]),
                                            " appears more than once in the request."));
    } else if (ids[i].is_zero() || (topics[i] = image->topic(ids[i])) == nullptr) {
      results[i] =
          kafka_error(ErrorCode::kUnknownTopicId,
                      absl::StrCat("Topic id ", uuid_to_string(ids[i]), " does not exist."));
    }
  }
  impl_->remove_topics(topics, &results);
  return results;
}

std::vector<absl::Status> Controller::create_partitions(const std::vector<NewPartitions>& requests,
                                                        bool validate_only) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<absl::Status> results(requests.size());
  if (absl::Status s = impl_->check_usable(); !s.ok()) {
    std::fill(results.begin(), results.end(), s);
    return results;
  }
  std::shared_ptr<const MetadataImage> image = impl_->current();
  const std::vector<int32_t> brokers = usable_brokers(*image);
  std::vector<std::string> names;
  names.reserve(requests.size());
  for (const NewPartitions& request : requests) names.push_back(request.topic);
  const std::set<std::string> duplicates = duplicates_of(names);
  std::vector<metadata::MetadataRecord> records;
  std::vector<size_t> accepted;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (duplicates.count(requests[i].topic)) {
      results[i] = kafka_error(
          ErrorCode::kInvalidRequest,
          absl::StrCat("Topic '", requests[i].topic, "' appears more than once in the request."));
      continue;
    }
    std::vector<metadata::MetadataRecord> topic_records;
    results[i] = impl_->plan_partitions(requests[i], *image, brokers, &topic_records);
    if (!results[i].ok()) continue;
    accepted.push_back(i);
    for (auto& record : topic_records) records.push_back(std::move(record));
  }
  if (validate_only || records.empty()) return results;
  absl::Status committed = impl_->commit(records);
  for (size_t i : accepted) {
    if (!committed.ok()) {
      results[i] = committed;
    } else {
      impl_->log_line(absl::StrCat("topic ", requests[i].topic, " now has ", requests[i].new_total,
                                   " partition(s)"));
    }
  }
  return results;
}

absl::Status Controller::alter_configs(const ConfigResource& resource,
                                       const std::vector<ConfigChange>& changes, bool replace_all,
                                       bool validate_only) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  KEEL_RETURN_IF_ERROR(impl_->check_usable());
  std::shared_ptr<const MetadataImage> image = impl_->current();
  const bool is_topic = resource.type == metadata::CONFIG_RESOURCE_TOPIC;
  std::map<std::string, std::string> current;
  if (is_topic) {
    const TopicImage* topic = image->topic(resource.name);
    if (topic == nullptr) {
      return kafka_error(ErrorCode::kUnknownTopicOrPartition,
                         absl::StrCat("Topic '", resource.name, "' does not exist."));
    }
    current = topic->configs;
  } else if (resource.type == metadata::CONFIG_RESOURCE_BROKER) {
    if (!parse_broker_resource(resource.name)) {
      return kafka_error(ErrorCode::kInvalidRequest,
                         absl::StrCat("Illegal broker resource name '", resource.name,
                                      "': expected a node id, or empty for the cluster default."));
    }
    auto it = image->broker_configs().find(resource.name);
    if (it != image->broker_configs().end()) current = it->second;
  } else {
    return kafka_error(
        ErrorCode::kInvalidRequest,
        absl::StrCat("Unsupported config resource type ", static_cast<int>(resource.type), "."));
  }

  std::map<std::string, std::string> next =
      replace_all ? std::map<std::string, std::string>() : current;
  std::set<std::string> seen;
  for (const ConfigChange& change : changes) {
    if (change.name.empty()) return kafka_error(ErrorCode::kInvalidConfig, "Empty config name.");
    if (!seen.insert(change.name).second) {
      return kafka_error(
          ErrorCode::kInvalidRequest,
          absl::StrCat("Config '", change.name, "' appears more than once in the request."));
    }
    switch (change.op) {
      case ConfigOp::kSet:
        if (!change.value) {
          if (replace_all) continue;  // legacy AlterConfigs: a null value leaves it unset
          return kafka_error(ErrorCode::kInvalidRequest,
                             absl::StrCat("Null value for config '", change.name, "'."));
        }
        next[change.name] = *change.value;
        break;
      case ConfigOp::kDelete:
        next.erase(change.name);
        break;
      case ConfigOp::kAppend:
      case ConfigOp::kSubtract: {
        if (replace_all || !change.value) {
          return kafka_error(ErrorCode::kInvalidRequest,
                             absl::StrCat("Config '", change.name,
                                          "': APPEND and SUBTRACT need "
                                          "a value and incremental semantics."));
        }
        std::optional<std::string> base;
        if (auto it = next.find(change.name); it != next.end()) {
          base = it->second;
        } else if (is_topic && impl_->options.topic_config_default) {
          base = impl_->options.topic_config_default(change.name);
        }
        std::vector<std::string> items = base ? split_list(*base) : std::vector<std::string>();
        for (const std::string& item : split_list(*change.value)) {
          if (change.op == ConfigOp::kAppend) {
            if (std::find(items.begin(), items.end(), item) == items.end()) items.push_back(item);
          } else {
            items.erase(std::remove(items.begin(), items.end(), item), items.end());
          }
        }
        next[change.name] = absl::StrJoin(items, ",");
        break;
      }
      default:
        return kafka_error(ErrorCode::kInvalidRequest,
                           absl::StrCat("Unknown config operation ", static_cast<int>(change.op),
                                        " for config '", change.name, "'."));
    }
  }
  if (is_topic && impl_->options.validate_topic_configs) {
    KEEL_RETURN_IF_ERROR(as_invalid_config(impl_->options.validate_topic_configs(next)));
  }
  std::vector<metadata::MetadataRecord> records;
  config_diff(resource.type, resource.name, current, next, &records);
  if (validate_only || records.empty()) return absl::OkStatus();
  KEEL_RETURN_IF_ERROR(impl_->commit(records));
  impl_->log_line(absl::StrCat("altered ", records.size(), " config(s) of ",
                               is_topic ? "topic " : "broker resource '", resource.name,
                               is_topic ? "" : "'"));
  return absl::OkStatus();
}

absl::Status Controller::close() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->closed) return absl::OkStatus();
  impl_->closed = true;
  return impl_->log->close();
}

}  // namespace keel::controller
