// File: controller/control/leader_election.cc
#include "controller/control/leader_election.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"

namespace keel::controller {
namespace {

bool contains(const std::vector<int32_t>& v, int32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// The first replica (in replica order) that is in `isr`, eligible and not `excluded` (the
// broker leaving, whose own records are not in the image yet); -1 when none.
// `returning` counts as eligible (a broker being unfenced by the same batch).
int32_t choose_leader(const MetadataImage& image, const PartitionImage& p,
                      const std::vector<int32_t>& isr, int32_t excluded = -1,
                      int32_t returning = -1) {
  for (int32_t r : p.replicas) {
    if (r == excluded || !contains(isr, r)) continue;
    if (r == returning || eligible_leader(image, r)) return r;
  }
  return -1;
}

metadata::MetadataRecord change(const TopicImage& topic, const PartitionImage& p,
                                std::optional<int32_t> leader,
                                const std::optional<std::vector<int32_t>>& isr) {
  metadata::MetadataRecord record;
  metadata::PartitionChangeRecord* c = record.mutable_partition_change();
  c->set_topic_id(uuid_to_bytes(topic.id));
  c->set_partition_id(p.partition_id);
  if (leader) c->set_leader(*leader);
  if (isr) {
    for (int32_t r : *isr) c->add_isr(r);
    c->set_isr_set(true);
  }
  return record;
}

}  // namespace

bool eligible_leader(const MetadataImage& image, int32_t node_id) {
  const BrokerImage* b = image.broker(node_id);
  return b != nullptr && !b->fenced && !b->in_controlled_shutdown;
}

std::vector<metadata::MetadataRecord> remove_from_isrs(const MetadataImage& image,
                                                       int32_t node_id) {
  std::vector<metadata::MetadataRecord> out;
  for (const auto& [name, topic] : image.topics()) {
    for (const auto& [id, p] : topic->partitions) {
      if (!contains(p.isr, node_id) && p.leader != node_id) continue;
      std::vector<int32_t> isr = p.isr;
      if (isr.size() > 1) isr.erase(std::remove(isr.begin(), isr.end(), node_id), isr.end());
      int32_t leader = p.leader;
      if (leader == node_id || leader == -1) leader = choose_leader(image, p, isr, node_id);
      const bool isr_changed = isr != p.isr;
      if (!isr_changed && leader == p.leader) continue;
      out.push_back(change(*topic, p, leader, isr_changed ? std::optional(isr) : std::nullopt));
    }
  }
  return out;
}

std::vector<metadata::MetadataRecord> elect_offline_leaders(const MetadataImage& image,
                                                            int32_t returning) {
  std::vector<metadata::MetadataRecord> out;
  for (const auto& [name, topic] : image.topics()) {
    for (const auto& [id, p] : topic->partitions) {
      if (p.leader != -1) continue;
      const int32_t leader = choose_leader(image, p, p.isr, -1, returning);
      if (leader != -1) out.push_back(change(*topic, p, leader, std::nullopt));
    }
  }
  return out;
}

std::vector<metadata::MetadataRecord> rejoin_isrs(const MetadataImage& image, int32_t returning) {
  std::vector<metadata::MetadataRecord> out;
  for (const auto& [name, topic] : image.topics()) {
    for (const auto& [id, p] : topic->partitions) {
      if (!contains(p.replicas, returning)) continue;
      std::vector<int32_t> isr = p.isr;
      if (!contains(isr, returning)) isr.push_back(returning);
      int32_t leader = p.leader;
      if (leader == -1) leader = choose_leader(image, p, isr, -1, returning);
      const bool isr_changed = isr != p.isr;
      if (!isr_changed && leader == p.leader) continue;
      out.push_back(change(*topic, p, leader == p.leader ? std::nullopt : std::optional(leader),
                           isr_changed ? std::optional(isr) : std::nullopt));
    }
  }
  return out;
}

std::vector<metadata::MetadataRecord> elect_preferred_leaders(const MetadataImage& image) {
  return elect_leaders(image, ElectionType::kPreferred, std::nullopt).records;
}

namespace {

using protocol::ErrorCode;
using protocol::kafka_error;

// One partition's election: the answer, and the record when a leader is elected.
absl::Status elect_one(const MetadataImage& image, const TopicImage& topic, const PartitionImage& p,
                       ElectionType type, std::vector<metadata::MetadataRecord>* records) {
  const std::string name = absl::StrCat(topic.name, "-", p.partition_id);
  if (type == ElectionType::kUnclean) {
    if (p.leader != -1) {
      return kafka_error(ErrorCode::kElectionNotNeeded, name + " has a leader");
    }
    const int32_t leader = choose_leader(image, p, p.isr);
    if (leader == -1) {
      return kafka_error(ErrorCode::kEligibleLeadersNotAvailable,
                         name +
                             ": no in-sync replica can lead, and Keel never elects an "
                             "out-of-sync one (unclean leader election is disabled)");
    }
    records->push_back(change(topic, p, leader, std::nullopt));
    return absl::OkStatus();
  }
  if (p.replicas.empty()) {
    return kafka_error(ErrorCode::kPreferredLeaderNotAvailable, name + " has no replicas");
  }
  const int32_t preferred = p.replicas.front();
  if (p.leader == preferred) {
    return kafka_error(ErrorCode::kElectionNotNeeded,
                       absl::StrCat(name, " is already led by its preferred replica ", preferred));
  }
  if (!contains(p.isr, preferred)) {
    return kafka_error(ErrorCode::kPreferredLeaderNotAvailable,
                       absl::StrCat(name, ": preferred replica ", preferred, " is not in the ISR"));
  }
  if (!eligible_leader(image, preferred)) {
    return kafka_error(ErrorCode::kPreferredLeaderNotAvailable,
                       absl::StrCat(name, ": preferred replica ", preferred,
                                    " is not registered, fenced or shutting down"));
  }
  records->push_back(change(topic, p, preferred, std::nullopt));
  return absl::OkStatus();
}

absl::Status unknown(const std::string& topic, int32_t partition, bool topic_known) {
  return kafka_error(ErrorCode::kUnknownTopicOrPartition,
                     topic_known ? absl::StrCat("topic ", topic, " has no partition ", partition)
                                 : absl::StrCat("no topic named ", topic));
}

}  // namespace

ControllerResult<std::vector<TopicElections>> elect_leaders(
    const MetadataImage& image, ElectionType type,
    const std::optional<std::vector<ElectionTarget>>& targets) {
  ControllerResult<std::vector<TopicElections>> out;
  if (!targets) {
    for (const auto& [name, topic] : image.topics()) {
      TopicElections& t = out.response.emplace_back();
      t.topic = name;
      for (const auto& [id, p] : topic->partitions) {
        absl::Status s = elect_one(image, *topic, p, type, &out.records);
        if (protocol::kafka_error_of(s) == ErrorCode::kElectionNotNeeded) continue;
        t.partitions.push_back({id, std::move(s)});
      }
    }
    return out;
  }
  // A partition named twice is elected once; its later mentions get the first answer.
  std::map<std::pair<std::string, int32_t>, absl::Status> decided;
  for (const ElectionTarget& target : *targets) {
    TopicElections& t = out.response.emplace_back();
    t.topic = target.topic;
    const TopicImage* topic = image.topic(target.topic);
    for (int32_t id : target.partitions) {
      auto [it, fresh] = decided.try_emplace({target.topic, id});
      if (fresh && topic == nullptr) {
        it->second = unknown(target.topic, id, false);
      } else if (fresh) {
        const auto p = topic->partitions.find(id);
        it->second = p == topic->partitions.end()
                         ? unknown(target.topic, id, true)
                         : elect_one(image, *topic, p->second, type, &out.records);
      }
      t.partitions.push_back({id, it->second});
    }
  }
  return out;
}

}  // namespace keel::controller
