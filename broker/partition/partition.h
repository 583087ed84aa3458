// File: broker/partition/partition.h
// One partition replica hosted by this node, and its owner.
//
// Ownership (design brief §2): every Partition is owned by exactly one shard, whose executor
// is owner(). Its Log and every mutable field below are touched only on that executor; code
// elsewhere reaches them with PartitionManager::on_owner(), which hops there and back. The
// identity fields (tp, topic id, owner) are immutable and readable from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/net/asio.h"
#include "broker/partition/fetch_waiter.h"
#include "protocol/wire/types.h"
#include "storage/compaction/cleaner_schedule.h"
#include "storage/log.h"
#include "storage/topic_partition.h"

namespace keel::broker {

class Partition {
 public:
  Partition(storage::TopicPartition tp, protocol::Uuid topic_id, storage::Log* log,
            boost::asio::any_io_executor owner)
      : tp_(std::move(tp)), topic_id_(topic_id), owner_(std::move(owner)), log_(log) {}

  const storage::TopicPartition& tp() const { return tp_; }
  const protocol::Uuid& topic_id() const { return topic_id_; }
  const boost::asio::any_io_executor& owner() const { return owner_; }
  // True on the owner's thread, where owner work may run inline without a hand-off.
  bool running_on_owner() const {
    const auto* io = owner_.target<boost::asio::io_context::executor_type>();
    return io != nullptr && io->running_in_this_thread();
  }

  // ---- owner only ----------------------------------------------------------------------
  // Null once the partition was deleted (requests then answer UNKNOWN_TOPIC_OR_PARTITION).
  storage::Log* log() const { return log_; }
  int32_t leader_epoch() const { return leader_epoch_; }
  void set_leader_epoch(int32_t epoch) { leader_epoch_ = epoch; }
  // Replicas in sync with the leader (this node included); acks=all and min.insync.replicas.
  size_t isr_size() const { return isr_size_; }
  void set_isr_size(size_t n) { isr_size_ = n; }
  // This node's role in the image: a follower hosts the log (replication fills it) but takes
  // no produce and serves no client reads. Becoming a follower wakes waiting fetches, which
  // then answer NOT_LEADER_OR_FOLLOWER instead of waiting out their max wait.
  bool is_leader() const { return leader_; }
  void set_leader(bool leader);

  // Appends a Produce request's batches as leader and, while this node is the only
  // replica in sync, advances the high watermark to the log end offset at once. Wakes
  // waiting fetches. NOT_LEADER_OR_FOLLOWER on a follower.
  absl::StatusOr<storage::AppendResult> append_as_leader(protocol::RecordsView records);

  // Registers a long-polling fetch to be woken by the next append.
  void add_fetch_waiter(std::weak_ptr<FetchWaiter> waiter);
  void notify_fetch_waiters();

  // The cleaner's progress on this log (compacted topics).
  storage::compaction::CleanerState& cleaner_state() { return cleaner_state_; }

  // Detaches the log (the LogManager deletes it afterwards) and wakes waiters.
  void mark_deleted();

 private:
  const storage::TopicPartition tp_;
  const protocol::Uuid topic_id_;
  const boost::asio::any_io_executor owner_;
  storage::Log* log_;
  int32_t leader_epoch_ = 0;
  size_t isr_size_ = 1;
  bool leader_ = false;
  std::vector<std::weak_ptr<FetchWaiter>> waiters_;
  size_t prune_at_ = 16;
  storage::compaction::CleanerState cleaner_state_;
};

}  // namespace keel::broker
