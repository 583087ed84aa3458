// File: controller/local_changes.cc
#include "controller/local_changes.h"

#include <algorithm>

namespace keel::controller {
namespace {

bool is_replica(const PartitionImage& p, int32_t node_id) {
  return std::find(p.replicas.begin(), p.replicas.end(), node_id) != p.replicas.end();
}

void add_hosted(const std::shared_ptr<const TopicImage>& topic, int32_t node_id,
                LocalChanges* out) {
  for (const auto& [id, p] : topic->partitions) {
    if (!is_replica(p, node_id)) continue;
    (p.leader == node_id ? out->leaders : out->followers).push_back({topic, &p});
  }
}

void delete_hosted(const TopicImage& topic, int32_t node_id, LocalChanges* out) {
  for (const auto& [id, p] : topic.partitions) {
    if (is_replica(p, node_id)) out->deletes.push_back({topic.name, topic.id, id});
  }
}

}  // namespace

LocalChanges local_changes(const MetadataDelta& delta, const MetadataImage& image,
                           int32_t node_id) {
  LocalChanges out;
  const MetadataImage& base = delta.base();
  for (const auto& [id, name] : delta.removed_topics()) {
    if (const TopicImage* old = base.topic(id)) delete_hosted(*old, node_id, &out);
  }
  for (const auto& [name, changed] : delta.changed_topics()) {
    std::shared_ptr<const TopicImage> topic = changed;
    auto now = image.topics().find(name);
    if (now != image.topics().end()) topic = now->second;
    if (topic == nullptr) continue;
    // Replicas moved off this node (a topic re-created under a new id was handled above).
    if (const TopicImage* old = base.topic(name); old != nullptr && old->id == topic->id) {
      for (const auto& [id, p] : old->partitions) {
        auto it = topic->partitions.find(id);
        if (is_replica(p, node_id) &&
            (it == topic->partitions.end() || !is_replica(it->second, node_id))) {
          out.deletes.push_back({old->name, old->id, id});
        }
      }
    }
    add_hosted(topic, node_id, &out);
  }
  return out;
}

LocalChanges local_changes(const MetadataImage& image, int32_t node_id) {
  LocalChanges out;
  for (const auto& [name, topic] : image.topics()) add_hosted(topic, node_id, &out);
  return out;
}

}  // namespace keel::controller
