// File: broker/quorum/controller_runtime.h
// The controller side of a voter, on the raft thread: the QuorumController over the node's
// RaftNode and MetadataStateMachine, plus what the active controller does by itself —
// broker sessions (a broker that misses broker.session.timeout.ms is fenced, Kafka's
// BrokerHeartbeatManager) and the periodic preferred-leader election
// (auto.leader.rebalance.enable every leader.imbalance.check.interval.seconds).
//
// A controller that becomes active gives every registered broker a full session (sessions are
// in memory only, as in Kafka), so a failover never fences a live broker — except the brokers
// that share a process with another voter (combined mode): their Raft fetches prove them
// alive, so they start with only `voter_grace_ms` left and every fetch extends it. The old
// active controller, dead with its broker, is fenced that soon instead of a session later, and
// partitions it led get new leaders within about the election time plus the grace.
//
// Threading: raft thread only; step() is the RaftDriver's on_step hook.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string_view>

#include "controller/control/broker_heartbeats.h"
#include "controller/metadata_state_machine.h"
#include "controller/quorum_controller.h"
#include "controller/raft/raft_node.h"

namespace keel::broker::quorum {

namespace raft = controller::raft;

struct ControllerRuntimeOptions {
  controller::MetadataStateMachine* state = nullptr;  // outlives the runtime
  controller::ControlSettings settings;
  std::function<int64_t()> now_ms;    // the raft node's clock
  int64_t session_timeout_ms = 9000;  // broker.session.timeout.ms
  int64_t voter_grace_ms = 1000;      // see above
  bool auto_leader_rebalance = true;  // auto.leader.rebalance.enable
  int64_t leader_imbalance_check_interval_ms = 300'000;
  std::function<void(std::string_view)> log;  // may be empty
};

class ControllerRuntime {
 public:
  explicit ControllerRuntime(ControllerRuntimeOptions options);

  // After every Raft step: finishes and starts controller operations, fences expired
  // sessions, runs the preferred-leader election when due. Returns when it must run next.
  int64_t step(raft::RaftNode& node, int64_t now_ms);

  // Null until the first step.
  controller::QuorumController* controller() { return controller_.get(); }
  bool active() const { return controller_ != nullptr && controller_->active(); }
  // A registration or heartbeat of `node_id` reached this (active) controller.
  void heard_from(int32_t node_id, int64_t now_ms);

 private:
  void became_active(const raft::RaftNode& node, int64_t now_ms);
  // The voters' last Raft fetches extend their brokers' sessions.
  void note_voter_fetches(const raft::RaftNode& node);
  void fence_expired(int64_t now_ms);
  void info(const std::string& message) const;

  ControllerRuntimeOptions options_;
  std::unique_ptr<controller::QuorumController> controller_;
  controller::BrokerHeartbeats sessions_;
  bool was_active_ = false;
  int64_t next_rebalance_ms_ = INT64_MAX;
  bool rebalancing_ = false;
};

}  // namespace keel::broker::quorum
