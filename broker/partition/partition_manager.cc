// File: broker/partition/partition_manager.cc
#include "broker/partition/partition_manager.h"

#include <algorithm>
#include <future>
#include <map>
#include <set>
#include <utility>

#include "controller/local_changes.h"
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
  const controller::LocalChanges changes =
      delta != nullptr ? controller::local_changes(*delta, image, options_.node_id)
                       : controller::local_changes(image, options_.node_id);
  auto next = std::make_shared<Table>(*snapshot());
  std::vector<std::shared_ptr<Partition>> deleted;
  std::set<std::string> touched;

  // Deletions first: a topic re-created under its old name must lose its old partitions
  // before the new ones take their slots.
  auto drop = [&](const std::string& topic, int32_t id) {
    auto it = next->by_topic.find(topic);
    if (it == next->by_topic.end() || id < 0 || static_cast<size_t>(id) >= it->second.size()) {
      return;
    }
    auto& slot = it->second[static_cast<size_t>(id)];
    if (slot != nullptr) deleted.push_back(slot);
    slot = nullptr;
    touched.insert(topic);
  };
  for (const controller::DeletedPartition& d : changes.deletes) drop(d.topic, d.partition);

  absl::Status first_error;
  std::map<std::string, storage::LogConfig> configs;  // per topic, resolved once
  auto host = [&](const controller::LocalPartition& lp, bool leader) -> absl::Status {
    const controller::TopicImage& topic = *lp.topic;
    auto config_it = configs.find(topic.name);
    if (config_it == configs.end()) {
      absl::StatusOr<storage::LogConfig> config = options_.log_config(topic);
      if (!config.ok()) {
        info("topic " + topic.name +
             ": bad config, using defaults: " + std::string(config.status().message()));
        config = options_.log_config(controller::TopicImage{});
        if (!config.ok()) return config.status();
      }
      config_it = configs.emplace(topic.name, *config).first;
    }
    const storage::LogConfig& config = config_it->second;
    const int32_t id = lp.partition->partition_id;
    auto& slots = next->by_topic[topic.name];
    touched.insert(topic.name);
    if (slots.size() <= static_cast<size_t>(id)) slots.resize(static_cast<size_t>(id) + 1);
    auto& slot = slots[static_cast<size_t>(id)];
    if (slot != nullptr && !(slot->topic_id() == topic.id)) {  // an old incarnation
      deleted.push_back(slot);
      slot = nullptr;
    }
    const int32_t epoch = lp.partition->leader_epoch;
    const size_t isr = lp.partition->isr.size();
    if (slot != nullptr) {
      // Existing partition: new config, leader epoch or ISR apply on its owner.
      boost::asio::post(slot->owner(), [p = slot, c = config, epoch, isr, leader] {
        if (p->log() == nullptr) return;
        p->log()->set_config(c);
        p->set_leader_epoch(epoch);
        p->set_isr_size(isr);
        p->set_leader(leader);
      });
      return absl::OkStatus();
    }
    storage::TopicPartition tp{topic.name, id};
    absl::StatusOr<storage::Log*> log = options_.logs->create_log(tp, config);
    if (!log.ok()) {
      info("cannot open the log of " + topic.name + "-" + std::to_string(id) + ": " +
           std::string(log.status().message()));
      if (first_error.ok()) first_error = log.status();
      return absl::OkStatus();
    }
    (*log)->set_config(config);
    // Not yet shared with any owner: safe to set up here.
    // Everything in the log is committed until replication (Partition::append_as_leader).
    (*log)->set_high_watermark((*log)->log_end_offset());
    slot = std::make_shared<Partition>(tp, topic.id, *log, owner_for(tp));
    slot->set_leader_epoch(epoch);
    slot->set_isr_size(isr);
    slot->set_leader(leader);
    return absl::OkStatus();
  };
  // Until replication a follower's log is opened as a leader's is, but it takes no produce
  // and serves no client reads (Partition::is_leader).
  for (const controller::LocalPartition& lp : changes.leaders) KEEL_RETURN_IF_ERROR(host(lp, true));
  for (const controller::LocalPartition& lp : changes.followers) {
    KEEL_RETURN_IF_ERROR(host(lp, false));
  }
  for (const std::string& name : touched) {
    auto it = next->by_topic.find(name);
    if (it == next->by_topic.end()) continue;
    auto& slots = it->second;
    while (!slots.empty() && slots.back() == nullptr) slots.pop_back();
    if (slots.empty()) next->by_topic.erase(it);
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
