// File: tests/sim/sim_app.h
// An application run over every simulated RaftNode (the controller simulation puts the real
// metadata state machine and QuorumController here). The cluster calls these hooks where a
// node's owner would: the app's state machine is fed through a tee behind the Raft checkers'
// SimStateMachine, after_event() follows every handle/poll/resign of the node, and client
// events replace the Raft-only run's raw appends.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "controller/raft/raft_config.h"
#include "controller/raft/raft_node.h"
#include "tests/sim/sim_checker.h"

namespace keel::sim {

class SimApp {
 public:
  virtual ~SimApp() = default;
  // Once per run, before any node opens: where violations go, the simulated clock, and the
  // --verbose trace.
  virtual void bind(Checker* checker, std::function<int64_t()> now_ms,
                    std::function<void(const std::string&)> trace) = 0;
  // A fresh, empty state machine for a new lifetime of `node` (owned by the app, valid until
  // stopped(node)).
  virtual controller::raft::StateMachine* open(int32_t node) = 0;
  // The RaftNode opened over open()'s state machine.
  virtual void started(int32_t node, controller::raft::RaftNode* raft) = 0;
  // The lifetime ends (crash, failed open): drop everything that points at the RaftNode.
  virtual void stopped(int32_t node) = 0;
  // After every handle/poll/resign of the node, before its outbox is sent.
  virtual void after_event(int32_t node) = 0;
  // A client request at a random step; appends the nodes whose outbox must be sent.
  virtual void client_event(std::mt19937_64& rng, std::vector<int32_t>* touched) = 0;
  // A valid record for the liveness probe (appended straight to the leader's log).
  virtual std::string probe_payload() = 0;
  // After the faults stop, until it returns true (else the run fails app-liveness): the app
  // drives a request of its own through (appends the nodes whose outbox must be sent).
  virtual bool liveness_step(std::vector<int32_t>* touched) = 0;
  // After every step (`final`: once more at the end of the run), with disk faults off.
  virtual void check(int64_t step, bool final) = 0;
};

}  // namespace keel::sim
