// File: controller/local_changes.h
// What a metadata change means for one node (Kafka's TopicsDelta.localChanges): the
// partitions it must now lead, the ones it must now follow, and the ones it must delete. The
// broker applies exactly this view, so a node never looks at partitions it does not host.
//
// Roles come from the new image: a replica that is the leader leads, every other replica
// follows (an ISR member or not; followers catch up by fetching). A partition appears in
// `leaders` or `followers` whenever its topic changed in the delta (new partitions, leader,
// ISR, replicas or topic configs), so the broker re-applies config and epoch on each.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "controller/metadata_image.h"

namespace keel::controller {

struct LocalPartition {
  std::shared_ptr<const TopicImage> topic;    // the topic's new image (configs, id)
  const PartitionImage* partition = nullptr;  // points into *topic
};

struct DeletedPartition {
  std::string topic;
  Uuid topic_id;
  int32_t partition = 0;
};

struct LocalChanges {
  std::vector<LocalPartition> leaders;
  std::vector<LocalPartition> followers;
  // Partitions this node hosted before the change and must drop: their topic was removed
  // (or re-created under a new id), or this node is no longer a replica.
  std::vector<DeletedPartition> deletes;
};

// The change from delta.base() to `image` (the delta applied) as seen by `node_id`.
LocalChanges local_changes(const MetadataDelta& delta, const MetadataImage& image, int32_t node_id);
// Everything `image` asks of `node_id`, as if it changed from an empty image (start-up).
LocalChanges local_changes(const MetadataImage& image, int32_t node_id);

}  // namespace keel::controller
