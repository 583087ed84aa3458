#include "controller/metadata_image.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "protocol/status.h"

namespace keel::controller {
namespace {

absl::Status corrupt(std::string_view message) {
  return absl::FailedPreconditionError(std::string(message));
}

bool has_duplicates(const google::protobuf::RepeatedField<int32_t>& ids) {
  std::set<int32_t> seen;
  for (int32_t id : ids) {
    if (!seen.insert(id).second) return true;
  }
  return false;
}

bool contains(const std::vector<int32_t>& ids, int32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool parse_node_id(const std::string& s, int32_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && *out >= 0;
}

std::string partition_name(const TopicImage& topic, int32_t partition) {
  return absl::StrCat(topic.name, "-", partition);
}

}  // namespace

std::optional<Uuid> uuid_from_bytes(std::string_view bytes) {
  if (bytes.size() != 16) return std::nullopt;
  Uuid id;
  std::copy(bytes.begin(), bytes.end(), id.bytes.begin());
  return id;
}

std::string uuid_to_bytes(const Uuid& id) {
  return std::string(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
}

std::string uuid_to_string(const Uuid& id) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int nbits = 0;
  for (uint8_t b : id.bytes) {
    bits = (bits << 8) | b;
    nbits += 8;
    while (nbits >= 6) {
      nbits -= 6;
      out += kAlphabet[(bits >> nbits) & 63];
    }
  }
  if (nbits > 0) out += kAlphabet[(bits << (6 - nbits)) & 63];
  return out;
}

// ---- MetadataImage ----------------------------------------------------------------------

const TopicImage* MetadataImage::topic(const std::string& name) const {
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : it->second.get();
}

const TopicImage* MetadataImage::topic(const Uuid& id) const {
  auto it = topic_names_by_id_.find(id);
  return it == topic_names_by_id_.end() ? nullptr : topic(it->second);
}

const PartitionImage* MetadataImage::partition(const std::string& topic_name,
                                               int32_t partition) const {
  const TopicImage* t = topic(topic_name);
  if (t == nullptr) return nullptr;
  auto it = t->partitions.find(partition);
  return it == t->partitions.end() ? nullptr : &it->second;
}

const BrokerImage* MetadataImage::broker(int32_t node_id) const {
  auto it = brokers_.find(node_id);
  return it == brokers_.end() ? nullptr : &it->second;
}

// ---- MetadataDelta ----------------------------------------------------------------------

// The delta's working copy of the whole image (topics by shared pointer, so it costs a map
// copy, not a deep copy), plus what changed relative to the base.
struct MetadataDelta::State {
  std::shared_ptr<const MetadataImage> base;
  int64_t offset = -1;
  std::string cluster_id;
  int32_t controller_id = -1;
  std::map<std::string, std::shared_ptr<const TopicImage>> topics;
  std::map<Uuid, std::string, UuidLess> names_by_id;
  std::map<int32_t, BrokerImage> brokers;
  std::map<std::string, std::map<std::string, std::string>> broker_configs;

  // Topics added or modified since the base (their new images), and base topics removed.
  std::map<std::string, std::shared_ptr<const TopicImage>> changed;
  std::map<Uuid, std::string, UuidLess> removed;
  // Topic images created by this delta and not yet handed out by apply(): only these may be
  // modified in place; any other is copied first (copy-on-write).
  std::map<std::string, std::shared_ptr<TopicImage>> owned;

  explicit State(std::shared_ptr<const MetadataImage> b) : base(std::move(b)) {
    offset = base->offset();
    cluster_id = base->cluster_id();
    controller_id = base->controller_id();
    topics = base->topics();
    for (const auto& [name, topic] : topics) names_by_id[topic->id] = name;
    brokers = base->brokers();
    broker_configs = base->broker_configs();
  }

  const TopicImage* find(const Uuid& id) const {
    auto it = names_by_id.find(id);
    return it == names_by_id.end() ? nullptr : topics.at(it->second).get();
  }

  // `name` by value: replacing the map entry may free the TopicImage a reference points into.
  TopicImage* mutable_topic(std::string name) {
    auto it = owned.find(name);
    if (it != owned.end()) return it->second.get();
    auto copy = std::make_shared<TopicImage>(*topics.at(name));
    topics[name] = copy;
    changed[name] = copy;
    owned[name] = copy;
    return copy.get();
  }

  absl::Status replay_broker(const metadata::BrokerRegistrationRecord& r) {
    if (r.node_id() < 0) return corrupt(absl::StrCat("broker registration of node ", r.node_id()));
    auto it = brokers.find(r.node_id());
    if (it != brokers.end() && r.broker_epoch() <= it->second.broker_epoch) {
      return corrupt(absl::StrCat("broker ", r.node_id(), " registered with epoch ",
                                  r.broker_epoch(), ", not above its current epoch ",
                                  it->second.broker_epoch));
    }
    BrokerImage broker;
    broker.node_id = r.node_id();
    broker.broker_epoch = r.broker_epoch();
    broker.endpoints.assign(r.endpoints().begin(), r.endpoints().end());
    broker.rack = r.rack();
    broker.fenced = r.fenced();
    brokers[r.node_id()] = std::move(broker);
    return absl::OkStatus();
  }

  absl::Status replay_broker_change(const metadata::BrokerRegistrationChangeRecord& r) {
    auto it = brokers.find(r.node_id());
    if (it == brokers.end()) {
      return corrupt(absl::StrCat("registration change of unknown broker ", r.node_id()));
    }
    if (it->second.broker_epoch != r.broker_epoch()) {
      return corrupt(absl::StrCat("registration change of broker ", r.node_id(), " with epoch ",
                                  r.broker_epoch(), ", but its epoch is ",
                                  it->second.broker_epoch));
    }
    if (r.has_fenced()) it->second.fenced = r.fenced();
    if (r.has_in_controlled_shutdown()) {
      it->second.in_controlled_shutdown = r.in_controlled_shutdown();
    }
    return absl::OkStatus();
  }

  absl::Status replay_unregister(const metadata::UnregisterBrokerRecord& r) {
    auto it = brokers.find(r.node_id());
    if (it == brokers.end()) {
      return corrupt(absl::StrCat("unregistration of unknown broker ", r.node_id()));
    }
    if (it->second.broker_epoch != r.broker_epoch()) {
      return corrupt(absl::StrCat("unregistration of broker ", r.node_id(), " with epoch ",
                                  r.broker_epoch(), ", but its epoch is ",
                                  it->second.broker_epoch));
    }
    brokers.erase(it);
    return absl::OkStatus();
  }

  absl::Status replay_topic(const metadata::TopicRecord& r) {
    std::optional<Uuid> id = uuid_from_bytes(r.topic_id());
    if (!id || id->is_zero()) return corrupt(absl::StrCat("topic ", r.name(), " has a bad id"));
    if (r.name().empty()) return corrupt("topic with an empty name");
    if (topics.count(r.name())) return corrupt(absl::StrCat("topic ", r.name(), " already exists"));
    if (names_by_id.count(*id)) {
      return corrupt(absl::StrCat("topic ", r.name(), " reuses the id ", uuid_to_string(*id),
                                  " of topic ", names_by_id[*id]));
    }
    auto topic = std::make_shared<TopicImage>();
    topic->name = r.name();
    topic->id = *id;
    topics[r.name()] = topic;
    names_by_id[*id] = r.name();
    changed[r.name()] = topic;
    owned[r.name()] = topic;
    return absl::OkStatus();
  }

  absl::Status replay_partition(const metadata::PartitionRecord& r) {
    std::optional<Uuid> id = uuid_from_bytes(r.topic_id());
    const TopicImage* topic = id ? find(*id) : nullptr;
    if (topic == nullptr) {
      return corrupt(absl::StrCat("partition ", r.partition_id(), " of an unknown topic id"));
    }
    const std::string name = partition_name(*topic, r.partition_id());
    if (r.partition_id() < 0 || static_cast<size_t>(r.partition_id()) != topic->partitions.size()) {
      return corrupt(absl::StrCat("partition ", name, " is not the next partition (",
                                  topic->partitions.size(), ")"));
    }
    if (r.replicas().empty() || has_duplicates(r.replicas()) || has_duplicates(r.isr())) {
      return corrupt(absl::StrCat("partition ", name, " has empty or duplicate replicas"));
    }
    PartitionImage partition;
    partition.partition_id = r.partition_id();
    partition.replicas.assign(r.replicas().begin(), r.replicas().end());
    partition.isr.assign(r.isr().begin(), r.isr().end());
    partition.leader = r.leader();
    partition.leader_epoch = r.leader_epoch();
    partition.partition_epoch = r.partition_epoch();
    KEEL_RETURN_IF_ERROR(check_partition(name, partition));
    mutable_topic(topic->name)->partitions[r.partition_id()] = std::move(partition);
    return absl::OkStatus();
  }

  static absl::Status check_partition(const std::string& name, const PartitionImage& p) {
    for (int32_t id : p.isr) {
      if (!contains(p.replicas, id)) {
        return corrupt(
            absl::StrCat("partition ", name, " has ISR member ", id, " that is not a replica"));
      }
    }
    if (p.leader != -1 && !contains(p.replicas, p.leader)) {
      return corrupt(
          absl::StrCat("partition ", name, " has leader ", p.leader, " that is not a replica"));
    }
    if (p.leader_epoch < 0 || p.partition_epoch < 0) {
      return corrupt(absl::StrCat("partition ", name, " has a negative epoch"));
    }
    return absl::OkStatus();
  }

  absl::Status replay_partition_change(const metadata::PartitionChangeRecord& r) {
    std::optional<Uuid> id = uuid_from_bytes(r.topic_id());
    const TopicImage* topic = id ? find(*id) : nullptr;
    if (topic == nullptr) {
      return corrupt(
          absl::StrCat("change of partition ", r.partition_id(), " of an unknown topic id"));
    }
    const std::string name = partition_name(*topic, r.partition_id());
    auto it = topic->partitions.find(r.partition_id());
    if (it == topic->partitions.end()) {
      return corrupt(absl::StrCat("change of unknown partition ", name));
    }
    PartitionImage next = it->second;
    if (r.replicas_set()) {
      if (r.replicas().empty() || has_duplicates(r.replicas())) {
        return corrupt(absl::StrCat("change of partition ", name, " to bad replicas"));
      }
      next.replicas.assign(r.replicas().begin(), r.replicas().end());
    }
    if (r.isr_set()) {
      if (has_duplicates(r.isr())) {
        return corrupt(absl::StrCat("change of partition ", name, " to a bad ISR"));
      }
      next.isr.assign(r.isr().begin(), r.isr().end());
    }
    if (r.has_leader()) {
      if (r.leader() != next.leader) ++next.leader_epoch;
      next.leader = r.leader();
    }
    ++next.partition_epoch;
    KEEL_RETURN_IF_ERROR(check_partition(name, next));
    mutable_topic(topic->name)->partitions[r.partition_id()] = std::move(next);
    return absl::OkStatus();
  }

  absl::Status replay_remove_topic(const metadata::RemoveTopicRecord& r) {
    std::optional<Uuid> id = uuid_from_bytes(r.topic_id());
    if (!id || !names_by_id.count(*id)) return corrupt("removal of an unknown topic id");
    const std::string name = names_by_id[*id];
    names_by_id.erase(*id);
    topics.erase(name);
    changed.erase(name);
    owned.erase(name);
    if (base->topic(*id) != nullptr) removed[*id] = name;
    return absl::OkStatus();
  }

  absl::Status replay_config(const metadata::ConfigRecord& r) {
    if (r.name().empty()) return corrupt("config record without a config name");
    switch (r.resource_type()) {
      case metadata::CONFIG_RESOURCE_TOPIC: {
        if (!topics.count(r.resource_name())) {
          return corrupt(
              absl::StrCat("config ", r.name(), " of unknown topic ", r.resource_name()));
        }
        const TopicImage& current = *topics.at(r.resource_name());
        auto it = current.configs.find(r.name());
        if (r.has_value()) {
          if (it != current.configs.end() && it->second == r.value()) return absl::OkStatus();
          mutable_topic(r.resource_name())->configs[r.name()] = r.value();
        } else {
          if (it == current.configs.end()) return absl::OkStatus();
          mutable_topic(r.resource_name())->configs.erase(r.name());
        }
        return absl::OkStatus();
      }
      case metadata::CONFIG_RESOURCE_BROKER: {
        int32_t node = 0;
        if (!r.resource_name().empty() && !parse_node_id(r.resource_name(), &node)) {
          return corrupt(
              absl::StrCat("config ", r.name(), " of bad broker \"", r.resource_name(), "\""));
        }
        if (r.has_value()) {
          broker_configs[r.resource_name()][r.name()] = r.value();
        } else {
          auto it = broker_configs.find(r.resource_name());
          if (it != broker_configs.end()) {
            it->second.erase(r.name());
            if (it->second.empty()) broker_configs.erase(it);
          }
        }
        return absl::OkStatus();
      }
      default:
        return corrupt(absl::StrCat("config record of unknown resource type ",
                                    static_cast<int>(r.resource_type())));
    }
  }
};

MetadataDelta::MetadataDelta(std::shared_ptr<const MetadataImage> base)
    : base_(base ? std::move(base) : std::make_shared<const MetadataImage>()),
      state_(std::make_shared<State>(base_)) {}

absl::Status MetadataDelta::replay(const metadata::MetadataRecord& record, int64_t offset) {
  State& s = *state_;
  if (offset <= s.offset) {
    return corrupt(absl::StrCat("record at offset ", offset, " does not follow offset ", s.offset));
  }
  absl::Status status;
  switch (record.record_case()) {
    case metadata::MetadataRecord::kBrokerRegistration:
      status = s.replay_broker(record.broker_registration());
      break;
    case metadata::MetadataRecord::kBrokerRegistrationChange:
      status = s.replay_broker_change(record.broker_registration_change());
      break;
    case metadata::MetadataRecord::kUnregisterBroker:
      status = s.replay_unregister(record.unregister_broker());
      break;
    case metadata::MetadataRecord::kTopic:
      status = s.replay_topic(record.topic());
      break;
    case metadata::MetadataRecord::kPartition:
      status = s.replay_partition(record.partition());
      break;
    case metadata::MetadataRecord::kPartitionChange:
      status = s.replay_partition_change(record.partition_change());
      break;
    case metadata::MetadataRecord::kRemoveTopic:
      status = s.replay_remove_topic(record.remove_topic());
      break;
    case metadata::MetadataRecord::kConfig:
      status = s.replay_config(record.config());
      break;
    default:
      status = corrupt("empty or unknown metadata record");
      break;
  }
  if (status.ok()) s.offset = offset;
  return status;
}

void MetadataDelta::set_cluster_id(std::string cluster_id) {
  state_->cluster_id = std::move(cluster_id);
}

void MetadataDelta::set_controller_id(int32_t node_id) { state_->controller_id = node_id; }

std::shared_ptr<const MetadataImage> MetadataDelta::apply() const {
  State& s = *state_;
  auto image = std::make_shared<MetadataImage>();
  image->offset_ = s.offset;
  image->cluster_id_ = s.cluster_id;
  image->controller_id_ = s.controller_id;
  image->topics_ = s.topics;
  image->topic_names_by_id_ = s.names_by_id;
  image->brokers_ = s.brokers;
  image->broker_configs_ = s.broker_configs;
  // The new image shares the delta's topic images: from now on they are frozen.
  s.owned.clear();
  return image;
}

const std::map<std::string, std::shared_ptr<const TopicImage>>& MetadataDelta::changed_topics()
    const {
  return state_->changed;
}

const std::map<Uuid, std::string, UuidLess>& MetadataDelta::removed_topics() const {
  return state_->removed;
}

}  // namespace keel::controller
