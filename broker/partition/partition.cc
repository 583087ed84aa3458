// File: broker/partition/partition.cc
#include "broker/partition/partition.h"

#include <algorithm>
#include <string>

#include "protocol/error_code.h"

namespace keel::broker {

absl::StatusOr<storage::AppendResult> Partition::append_as_leader(protocol::RecordsView records) {
  if (log_ == nullptr) {
    return protocol::kafka_error(protocol::ErrorCode::kUnknownTopicOrPartition,
                                 "the partition was deleted");
  }
  if (!leader_) {
    return protocol::kafka_error(protocol::ErrorCode::kNotLeaderOrFollower,
                                 "this node follows " + tp_.topic + "-" +
                                     std::to_string(tp_.partition) + ", it does not lead it");
  }
  absl::StatusOr<storage::AppendResult> result = log_->append(records, leader_epoch_);
  if (!result.ok()) return result;
  // Until partition data is replicated the leader's log is the partition (a replication
  // factor above 1 is metadata only): a write is committed once it is written. Replication
  // replaces this with the ISR's smallest log end offset.
  log_->set_high_watermark(log_->log_end_offset());
  notify_fetch_waiters();
  return result;
}

void Partition::set_leader(bool leader) {
  const bool resigned = leader_ && !leader;
  leader_ = leader;
  if (resigned) notify_fetch_waiters();
}

void Partition::add_fetch_waiter(std::weak_ptr<FetchWaiter> waiter) {
  // Fetches that timed out leave expired entries behind on an idle partition: prune them
  // whenever the list doubles, so it stays proportional to the live waiters.
  if (waiters_.size() >= prune_at_) {
    std::erase_if(waiters_, [](const std::weak_ptr<FetchWaiter>& w) { return w.expired(); });
    prune_at_ = std::max<size_t>(16, 2 * waiters_.size());
  }
  waiters_.push_back(std::move(waiter));
}

void Partition::notify_fetch_waiters() {
  std::vector<std::weak_ptr<FetchWaiter>> waiters;
  waiters.swap(waiters_);
  for (auto& weak : waiters) {
    if (auto waiter = weak.lock()) waiter->notify();
  }
}

void Partition::mark_deleted() {
  log_ = nullptr;
  notify_fetch_waiters();
}

}  // namespace keel::broker
