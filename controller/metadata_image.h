// File: controller/metadata_image.h
// The cluster's metadata as an immutable value, built by applying metadata records
// (metadata_records.proto) in log order, in the style of Kafka's MetadataImage/MetadataDelta:
// a MetadataDelta collects the records applied on top of a base image and apply() builds the
// next image, sharing every unchanged topic with the base.
//
// Thread-safety: a MetadataImage is immutable once built; readers on any thread hold a
// shared_ptr<const MetadataImage> for as long as they need a consistent view.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "controller/metadata_records.pb.h"
#include "protocol/wire/types.h"

namespace keel::controller {

using protocol::Uuid;

struct UuidLess {
  bool operator()(const Uuid& a, const Uuid& b) const { return a.bytes < b.bytes; }
};

// Topic ids travel in records as 16-byte strings. nullopt unless `bytes` has 16 bytes.
std::optional<Uuid> uuid_from_bytes(std::string_view bytes);
std::string uuid_to_bytes(const Uuid& id);
// Kafka's text form of a Uuid (URL-safe base64, no padding, 22 characters), for messages.
std::string uuid_to_string(const Uuid& id);

struct PartitionImage {
  int32_t partition_id = 0;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  int32_t leader = -1;
  int32_t leader_epoch = 0;
  int32_t partition_epoch = 0;
  bool operator==(const PartitionImage&) const = default;
};

struct TopicImage {
  std::string name;
  Uuid id;
  std::map<int32_t, PartitionImage> partitions;  // by partition id, dense from 0
  // Dynamic topic configs (set by CreateTopics / AlterConfigs), name → value. Defaults are
  // not stored: the broker resolves them (DescribeConfigs reports the source).
  std::map<std::string, std::string> configs;
};

struct BrokerImage {
  int32_t node_id = -1;
  int64_t broker_epoch = 0;
  std::vector<metadata::Endpoint> endpoints;
  std::string rack;
  bool fenced = false;
  bool in_controlled_shutdown = false;  // leaving: no new leaderships or replicas
};

class MetadataImage {
 public:
  // Offset of the last record applied (-1 for the empty image).
  int64_t offset() const { return offset_; }
  const std::string& cluster_id() const { return cluster_id_; }
  // The active controller's node id, -1 when unknown.
  int32_t controller_id() const { return controller_id_; }

  // Topics by name. TopicImages are shared between images: compare pointers to see change.
  const std::map<std::string, std::shared_ptr<const TopicImage>>& topics() const { return topics_; }
  const TopicImage* topic(const std::string& name) const;
  const TopicImage* topic(const Uuid& id) const;
  const PartitionImage* partition(const std::string& topic, int32_t partition) const;

  const std::map<int32_t, BrokerImage>& brokers() const { return brokers_; }
  const BrokerImage* broker(int32_t node_id) const;

  // Dynamic broker configs: key "" = cluster-wide default, else the node id as text.
  const std::map<std::string, std::map<std::string, std::string>>& broker_configs() const {
    return broker_configs_;
  }

 private:
  friend class MetadataDelta;
  int64_t offset_ = -1;
  std::string cluster_id_;
  int32_t controller_id_ = -1;
  std::map<std::string, std::shared_ptr<const TopicImage>> topics_;
  std::map<Uuid, std::string, UuidLess> topic_names_by_id_;
  std::map<int32_t, BrokerImage> brokers_;
  std::map<std::string, std::map<std::string, std::string>> broker_configs_;
};

// Records applied on top of a base image. replay() checks each record against the state so
// far (a record naming an unknown topic id, a duplicate topic name, ... is an error: the log
// is corrupt or the controller has a bug) and leaves the delta unchanged on error.
class MetadataDelta {
 public:
  explicit MetadataDelta(std::shared_ptr<const MetadataImage> base);

  absl::Status replay(const metadata::MetadataRecord& record, int64_t offset);
  void set_cluster_id(std::string cluster_id);
  void set_controller_id(int32_t node_id);

  // The next image. The delta may keep being used (further replays build on it).
  std::shared_ptr<const MetadataImage> apply() const;

  // What changed relative to the base, for publishers (the broker creates/deletes logs).
  // changed_topics: topics added or modified (partitions, configs), with their latest image.
  // removed_topics: topics of the base that are gone. A topic deleted and re-created under the
  // same name appears in both (old id removed, new id changed): handle removals first. A topic
  // created and deleted within the delta appears in neither.
  const std::map<std::string, std::shared_ptr<const TopicImage>>& changed_topics() const;
  const std::map<Uuid, std::string, UuidLess>& removed_topics() const;  // id → old name
  // The image the delta started from.
  const MetadataImage& base() const { return *base_; }

 private:
  std::shared_ptr<const MetadataImage> base_;
  // Private working state; see metadata_image.cc.
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace keel::controller
