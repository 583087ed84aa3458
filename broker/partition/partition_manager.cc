// File: broker/partition/partition_manager.cc
#include "broker/partition/partition_manager.h"

#include <algorithm>
#include <future>
#include <set>
#include <utility>

#include "protocol/status.h"

namespace keel::broker {

PartitionManager::PartitionManager(PartitionManagerOptions options)
    : options_(std::move(options)), table_(std::make_shared<const Table>()) {}

std::shared_ptr<const PartitionManager::Table> PartitionManager::snapshot() const {
  return table_.load(std::memory_order_acquire);
}

void PartitionManager::publish(std::shared_ptr<const Table> table) {
  table_.store(std::move(table), std::memory_order_release);
}

std::shared_ptr<Partition> PartitionManager::get(const std::string& topic,
                                                 int32_t partition) const {
  auto table = snapshot();
  auto it = table->by_topic.find(topic);
  if (it == table->by_topic.end() || partition < 0 ||
      static_cast<size_t>(partition) >= it->second.size()) {
    return nullptr;
  }
  return it->second[static_cast<size_t>(partition)];
}

std::vector<std::shared_ptr<Partition>> PartitionManager::all() const {
  std::vector<std::shared_ptr<Partition>> out;
  auto table = snapshot();
  for (const auto& [name, partitions] : table->by_topic) {
    for (const auto& p : partitions) {
      if (p != nullptr) out.push_back(p);
    }
  }
  return out;
}

boost::asio::any_io_executor PartitionManager::owner_for(const storage::TopicPartition& tp) const {
  size_t h = std::hash<std::string>{}(tp.topic) * 31 + static_cast<size_t>(tp.partition);
  return options_.shards[h % options_.shards.size()];
}

void PartitionManager::info(const std::string& message) const {
  if (options_.log) options_.log(message);
}

namespace {

bool hosts(const controller::PartitionImage& p, int32_t node_id) {
  return std::find(p.replicas.begin(), p.replicas.end(), node_id) != p.replicas.end();
}

// Runs `work` on `owner` and blocks the (control) thread until it has run.
template <typename Work>
void run_and_wait(const boost::asio::any_io_executor& owner, Work work) {
  std::promise<void> done;
  boost::asio::post(owner, [&] {
    work();
    done.set_value();
  });
  done.get_future().wait();
}

}  // namespace

absl::Status PartitionManager::apply(const controller::MetadataDelta* delta,
                                     const controller::MetadataImage& image) {
  auto next = std::make_shared<Table>(*snapshot());
  std::vector<std::shared_ptr<Partition>> deleted;

  // Removed topics (and, at startup, logs on disk the image does not know: strays of a
  // deletion that happened while this node was down).
  auto drop_topic = [&](const std::string& name) {
    auto it = next->by_topic.find(name);
    if (it == next->by_topic.end()) return;
    for (auto& p : it->second) {
      if (p != nullptr) deleted.push_back(p);
    }
    next->by_topic.erase(it);
  };
  std::map<std::string, std::shared_ptr<const controller::TopicImage>> changed;
  if (delta != nullptr) {
    for (const auto& [id, name] : delta->removed_topics()) drop_topic(name);
    changed = delta->changed_topics();
  } else {
    changed = image.topics();
  }

  absl::Status first_error;
  for (const auto& [name, topic] : changed) {
    if (topic == nullptr) continue;
    // A topic re-created under the same name has a new id: drop the old partitions first.
    auto existing = next->by_topic.find(name);
    if (existing != next->by_topic.end() && !existing->second.empty() &&
        existing->second.front() != nullptr &&
        !(existing->second.front()->topic_id() == topic->id)) {
      drop_topic(name);
    }
    absl::StatusOr<storage::LogConfig> config = options_.log_config(*topic);
    if (!config.ok()) {
      info("topic " + name +
           ": bad config, using defaults: " + std::string(config.status().message()));
      config = options_.log_config(controller::TopicImage{});
      if (!config.ok()) return config.status();
    }
    auto& slots = next->by_topic[name];
    if (slots.size() < topic->partitions.size()) slots.resize(topic->partitions.size());
    for (const auto& [id, image_partition] : topic->partitions) {
      if (id < 0 || static_cast<size_t>(id) >= slots.size()) continue;
      auto& slot = slots[static_cast<size_t>(id)];
      if (!hosts(image_partition, options_.node_id)) {
        if (slot != nullptr) deleted.push_back(slot);
        slot = nullptr;
        continue;
      }
      const int32_t epoch = image_partition.leader_epoch;
      const size_t isr = image_partition.isr.size();
      if (slot != nullptr) {
        // Existing partition: new config, leader epoch or ISR apply on its owner.
        boost::asio::post(slot->owner(), [p = slot, c = *config, epoch, isr] {
          if (p->log() == nullptr) return;
          p->log()->set_config(c);
          p->set_leader_epoch(epoch);
          p->set_isr_size(isr);
        });
        continue;
      }
      storage::TopicPartition tp{name, id};
      absl::StatusOr<storage::Log*> log = options_.logs->create_log(tp, *config);
      if (!log.ok()) {
        info("cannot open the log of " + name + "-" + std::to_string(id) + ": " +
             std::string(log.status().message()));
        if (first_error.ok()) first_error = log.status();
        continue;
      }
      (*log)->set_config(*config);
      // Not yet shared with any owner: safe to set up here.
      if (isr <= 1) (*log)->set_high_watermark((*log)->log_end_offset());
      slot = std::make_shared<Partition>(tp, topic->id, *log, owner_for(tp));
      slot->set_leader_epoch(epoch);
      slot->set_isr_size(isr);
    }
    while (!slots.empty() && slots.back() == nullptr) slots.pop_back();
    if (slots.empty()) next->by_topic.erase(name);
  }

  publish(next);

  for (auto& p : deleted) {
    run_and_wait(p->owner(), [p] { p->mark_deleted(); });
    absl::Status s = options_.logs->delete_log(p->tp());
    if (!s.ok())
      info("deleting " + storage::partition_dir_name(p->tp()) + ": " + std::string(s.message()));
  }

  if (delta == nullptr) {
    for (const storage::TopicPartition& tp : options_.logs->partitions()) {
      if (get(tp.topic, tp.partition) != nullptr) continue;
      info("deleting stray log " + storage::partition_dir_name(tp) + " (not in the metadata)");
      absl::Status s = options_.logs->delete_log(tp);
      if (!s.ok()) info("deleting stray log failed: " + std::string(s.message()));
    }
  }
  return first_error;
}

void PartitionManager::clear() { publish(std::make_shared<const Table>()); }

}  // namespace keel::broker
