// File: broker/group/group_coordinator.h
// Routes groups to their coordinator and runs group work there.
//
// The coordinator of a group is the leader of the `__consumer_offsets` partition its id
// hashes to (Java's String.hashCode, made non-negative, modulo the partition count, as in
// Kafka), so coordination spreads with partition leadership once there is a cluster. On this
// node each led partition has a GroupShard owned by the partition's owner shard: group
// state and the appends of its records happen in the same executor step, without locks.
//
// Leadership: this node keeps a shard only for the offsets partitions it leads in its image.
// start() subscribes to the metadata publisher; every change to `__consumer_offsets` posts a
// reconcile to the control thread, which sets up and loads a shard for each partition this
// node now leads (COORDINATOR_LOAD_IN_PROGRESS until it is read back, also for a new leader
// epoch) and resigns the shards of partitions it no longer leads (their waiting
// JoinGroup/SyncGroup and later requests answer NOT_COORDINATOR; their tick loop ends). The
// topic is created on first use (route() answers COORDINATOR_NOT_AVAILABLE meanwhile, which
// clients retry).
//
// Threading: publisher callbacks run on the publishing thread and only post; reconciling runs
// on the control thread, after the PartitionManager applied the same change (it subscribed
// first), so the partitions it needs are hosted and know their role.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/group/group_shard.h"
#include "broker/net/asio.h"
#include "broker/net/timers.h"
#include "broker/partition/partition_manager.h"
#include "controller/controller_client.h"
#include "controller/metadata_publisher.h"

namespace keel::broker::group {

inline constexpr std::string_view kOffsetsTopic = "__consumer_offsets";

// Kafka's partitionFor: abs(javaHashCode(group_id)) % partitions (UTF-16 code units).
int32_t partition_for_group(std::string_view group_id, int32_t num_partitions);

struct CoordinatorOptions {
  int32_t node_id = 0;
  const BrokerConfig* config = nullptr;
  controller::ControllerClient* controller = nullptr;  // creates __consumer_offsets
  controller::MetadataPublisher* metadata = nullptr;   // where the coordinator reads metadata
  PartitionManager* partitions = nullptr;
  boost::asio::any_io_executor control;
  net::TimerService* timers = nullptr;        // the tick loop's timers and the groups' clock
  storage::Random* random = nullptr;          // member ids
  std::function<void(std::string_view)> log;  // may be empty
};

class GroupCoordinator {
 public:
  explicit GroupCoordinator(CoordinatorOptions options);
  ~GroupCoordinator();

  // Control thread, after the partitions were opened and the PartitionManager subscribed.
  void start();
  // Stops the timers and answers every waiting JoinGroup/SyncGroup (any thread but the
  // shards'; waits for them, bounded). Idempotent.
  void stop();

  struct Route {
    // NOT_COORDINATOR: another node leads the group's partition (`coordinator`).
    // COORDINATOR_NOT_AVAILABLE: no leader, a fenced or unknown one, or this node's shard is
    // not set up yet (coordinator -1 unless it is this node).
    int16_t error = 0;
    int32_t coordinator = -1;
    std::shared_ptr<GroupShard> shard;  // set when error == 0
  };
  // Any thread. Starts creating the topic if it does not exist yet.
  Route route(std::string_view group_id);
  // Every shard of this node (ListGroups).
  std::vector<std::shared_ptr<GroupShard>> shards() const;

  // Runs `work(GroupShard&)` on the shard's owner; the caller resumes on its executor.
  template <typename Work>
  static boost::asio::awaitable<std::invoke_result_t<Work&, GroupShard&>> on_shard(
      std::shared_ptr<GroupShard> shard, Work work) {
    boost::asio::any_io_executor ex = shard->executor();
    return boost::asio::co_spawn(ex, invoke(std::move(shard), std::move(work)),
                                 boost::asio::use_awaitable);
  }
  static boost::asio::awaitable<JoinResult> join(std::shared_ptr<GroupShard> shard,
                                                 JoinRequest request);
  static boost::asio::awaitable<SyncResult> sync(std::shared_ptr<GroupShard> shard,
                                                 SyncRequest request);

 private:
  template <typename Work>
  static boost::asio::awaitable<std::invoke_result_t<Work&, GroupShard&>> invoke(
      std::shared_ptr<GroupShard> shard, Work work) {
    co_return work(*shard);
  }
  static boost::asio::awaitable<JoinResult> run_join(std::shared_ptr<GroupShard> shard,
                                                     JoinRequest request);
  static boost::asio::awaitable<SyncResult> run_sync(std::shared_ptr<GroupShard> shard,
                                                     SyncRequest request);

  // One slot per offsets partition; a shard only where this node leads.
  struct Slot {
    std::shared_ptr<GroupShard> shard;
    int32_t leader_epoch = -1;  // the leadership the shard was loaded for
  };
  struct Table {
    protocol::Uuid topic_id;
    std::vector<Slot> slots;
  };
  // Publisher callbacks cannot be removed and may run after this object is gone: they reach
  // it through this, cleared (under the lock) by stop().
  struct Lifeline {
    std::mutex mu;
    GroupCoordinator* coordinator = nullptr;
  };
  void ensure_topic();
  boost::asio::awaitable<void> create_topic();
  void schedule_reconcile();  // any thread; coalesces
  void reconcile();           // control thread, holding lifeline_->mu, not stopped
  std::shared_ptr<GroupShard> make_shard(const std::shared_ptr<Partition>& partition);
  static boost::asio::awaitable<void> load_and_tick(std::shared_ptr<GroupShard> shard,
                                                    std::shared_ptr<Partition> partition,
                                                    std::shared_ptr<std::atomic<bool>> stopping,
                                                    net::TimerService* timers,
                                                    std::function<void(std::string_view)> log);
  void info(const std::string& message) const;

  CoordinatorOptions options_;
  GroupConfig group_config_;
  std::atomic<std::shared_ptr<const Table>> table_;
  std::atomic<bool> creating_{false};
  std::atomic<bool> reconcile_pending_{false};
  std::shared_ptr<Lifeline> lifeline_ = std::make_shared<Lifeline>();
  bool subscribed_ = false;  // control thread
  std::shared_ptr<std::atomic<bool>> stopping_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace keel::broker::group
