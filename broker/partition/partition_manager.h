// File: broker/partition/partition_manager.h
// The partitions this node hosts: creates and deletes their logs as the metadata image
// changes, assigns each one an owner shard, and runs work on that owner.
//
// Threading:
// - lookups (get) are lock-free reads of an immutable table snapshot, from any thread;
// - apply() runs on the control thread (the one that runs the controller's subscribers and
//   owns the LogManager); it waits for owners to detach deleted partitions;
// - on_owner() is awaited from any coroutine: the work runs on the partition's owner shard
//   and the caller resumes on its own executor. Work must not block.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "broker/net/asio.h"
#include "broker/partition/partition.h"
#include "controller/metadata_image.h"
#include "storage/log_manager.h"

namespace keel::broker {

struct PartitionManagerOptions {
  int32_t node_id = 0;
  storage::LogManager* logs = nullptr;               // control thread only
  std::vector<boost::asio::any_io_executor> shards;  // owners, at least one
  // The effective log config of a topic (broker defaults + the topic's dynamic configs).
  std::function<absl::StatusOr<storage::LogConfig>(const controller::TopicImage&)> log_config;
  std::function<void(std::string_view)> log;  // may be empty
};

class PartitionManager {
 public:
  explicit PartitionManager(PartitionManagerOptions options);

  // Any thread. Null when this node hosts no such partition.
  std::shared_ptr<Partition> get(const std::string& topic, int32_t partition) const;
  // Every hosted partition (a snapshot).
  std::vector<std::shared_ptr<Partition>> all() const;

  // Control thread: brings the hosted partitions in line with `image` — opens or creates
  // the logs of partitions that name this node as a replica, applies changed topic configs,
  // leader epochs and each replica's role (leader or follower, Partition::is_leader), and
  // detaches and deletes the logs of removed ones. Called once at startup with the
  // whole image (delta == nullptr) and then from the controller's subscriber.
  absl::Status apply(const controller::MetadataDelta* delta,
                     const controller::MetadataImage& image);

  // Control thread, after the shards stopped: forgets every partition (LogManager::close_all
  // then closes the logs).
  void clear();

  // Runs `work(Partition&)` on the partition's owner and returns its result. Already on the
  // owner's thread it runs inline: a hand-off costs two cross-thread wake-ups.
  template <typename Work>
  static boost::asio::awaitable<std::invoke_result_t<Work&, Partition&>> on_owner(
      std::shared_ptr<Partition> partition, Work work) {
    if (partition->running_on_owner()) return invoke(std::move(partition), std::move(work));
    boost::asio::any_io_executor owner = partition->owner();
    return boost::asio::co_spawn(owner, invoke(std::move(partition), std::move(work)),
                                 boost::asio::use_awaitable);
  }

 private:
  // The work runs inside this coroutine, which owns its arguments. (A capturing coroutine
  // lambda instead trips GCC 12's coroutine codegen: its captures were destroyed twice.)
  template <typename Work>
  static boost::asio::awaitable<std::invoke_result_t<Work&, Partition&>> invoke(
      std::shared_ptr<Partition> partition, Work work) {
    co_return work(*partition);
  }

  struct Table {
    std::map<std::string, std::vector<std::shared_ptr<Partition>>, std::less<>> by_topic;
  };

  std::shared_ptr<const Table> snapshot() const;
  void publish(std::shared_ptr<const Table> table);
  boost::asio::any_io_executor owner_for(const storage::TopicPartition& tp) const;
  void info(const std::string& message) const;

  PartitionManagerOptions options_;
  std::atomic<std::shared_ptr<const Table>> table_;
};

}  // namespace keel::broker
