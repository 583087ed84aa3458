// File: broker/quorum/controller_runtime.cc
#include "broker/quorum/controller_runtime.h"

#include <algorithm>
#include <string>
#include <utility>

namespace keel::broker::quorum {

ControllerRuntime::ControllerRuntime(ControllerRuntimeOptions options)
    : options_(std::move(options)), sessions_(options_.session_timeout_ms) {}

int64_t ControllerRuntime::step(raft::RaftNode& node, int64_t now_ms) {
  if (controller_ == nullptr) {
    controller_ = std::make_unique<controller::QuorumController>(
        &node, options_.state, options_.settings, options_.now_ms);
  }
  controller_->step();
  const bool active = controller_->active();
  if (active && !was_active_) became_active(node, now_ms);
  was_active_ = active;
  if (!active) return INT64_MAX;
  note_voter_fetches(node);
  fence_expired(now_ms);
  if (options_.auto_leader_rebalance && now_ms >= next_rebalance_ms_ && !rebalancing_) {
    rebalancing_ = true;
    next_rebalance_ms_ = now_ms + options_.leader_imbalance_check_interval_ms;
    controller_->elect_preferred_leaders([this](int32_t moved) {
      rebalancing_ = false;
      if (moved > 0)
        info("preferred replicas lead again in " + std::to_string(moved) + " partitions");
    });
  }
  int64_t next = sessions_.next_expiry_ms();
  if (options_.auto_leader_rebalance) next = std::min(next, next_rebalance_ms_);
  return next;
}

void ControllerRuntime::heard_from(int32_t node_id, int64_t now_ms) {
  if (active()) sessions_.touch(node_id, now_ms);
}

void ControllerRuntime::became_active(const raft::RaftNode& node, int64_t now_ms) {
  sessions_ = controller::BrokerHeartbeats(options_.session_timeout_ms);
  auto image = options_.state->image();
  const std::vector<int32_t>& voters = node.config().voters;
  for (const auto& [id, broker] : image->brokers()) {
    if (broker.fenced) continue;
    const bool other_voter =
        id != node.node_id() && std::find(voters.begin(), voters.end(), id) != voters.end();
    const int64_t grace = std::min(options_.voter_grace_ms, options_.session_timeout_ms);
    sessions_.touch(id, other_voter ? now_ms - options_.session_timeout_ms + grace : now_ms);
  }
  next_rebalance_ms_ = now_ms + options_.leader_imbalance_check_interval_ms;
  info("active controller with " + std::to_string(image->brokers().size()) + " registered brokers");
}

void ControllerRuntime::note_voter_fetches(const raft::RaftNode& node) {
  for (const raft::ReplicaDescription& v : node.describe_quorum().voters) {
    if (v.replica_id != node.node_id() && v.last_fetch_ms >= 0) {
      sessions_.extend(v.replica_id, v.last_fetch_ms);
    }
  }
}

void ControllerRuntime::fence_expired(int64_t now_ms) {
  auto image = options_.state->image();
  for (int32_t id : sessions_.expired(now_ms)) {
    // Forgotten at once: the next registration or heartbeat starts a new session.
    sessions_.forget(id);
    const controller::BrokerImage* b = image->broker(id);
    if (b == nullptr || b->fenced) continue;
    info("broker " + std::to_string(id) + " missed its session of " +
         std::to_string(options_.session_timeout_ms) + " ms: fencing it");
    controller_->fence_broker(id, [this, id](absl::Status s) {
      if (!s.ok()) info("fencing broker " + std::to_string(id) + ": " + std::string(s.message()));
    });
  }
}

void ControllerRuntime::info(const std::string& message) const {
  if (options_.log) options_.log(message);
}

}  // namespace keel::broker::quorum
