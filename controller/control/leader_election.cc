// File: controller/control/leader_election.cc
#include "controller/control/leader_election.h"

#include <algorithm>
#include <optional>

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
  std::vector<metadata::MetadataRecord> out;
  for (const auto& [name, topic] : image.topics()) {
    for (const auto& [id, p] : topic->partitions) {
      if (p.replicas.empty()) continue;
      const int32_t preferred = p.replicas.front();
      if (p.leader == preferred || !contains(p.isr, preferred)) continue;
      if (!eligible_leader(image, preferred)) continue;
      out.push_back(change(*topic, p, preferred, std::nullopt));
    }
  }
  return out;
}

}  // namespace keel::controller
