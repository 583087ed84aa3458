// File: tests/sim/sim_cluster.h
// One seeded simulation run: real RaftNodes on simulated disks (a FaultEnv over a MemEnv per
// node; a crash loses what was not fsynced), a simulated network (loss, delay, duplication,
// reordering through random delays, partitions both ways and one-way, heal) and a simulated
// clock. Each step is one delivered message, one timer (poll at a node's deadline) or one
// injected event (crash, restart, partition, heal, client append, resignation). The checkers
// (sim_checker.h) run after every step; after the fault phase the network heals and a new
// append must commit within a bound (liveness). With SimOptions::app (sim_app.h) an
// application runs over every node and its client requests replace the raw appends.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "controller/raft/raft_node.h"
#include "storage/fault_env.h"
#include "storage/mem_env.h"
#include "tests/sim/sim_app.h"
#include "tests/sim/sim_checker.h"

namespace keel::sim {

struct SimOptions {
  uint64_t seed = 1;
  int64_t steps = 1000;
  controller::raft::RaftMutations mutations;
  bool verbose = false;
  // When set, the app runs over every node (its records replace the raw client appends).
  SimApp* app = nullptr;
};

// Totals over runs; a CI slice fails if any is zero.
struct Coverage {
  int64_t elections = 0;
  int64_t leader_changes = 0;
  int64_t divergence_truncations = 0;
  int64_t snapshot_installs = 0;
  int64_t snapshots_taken = 0;
  int64_t crashes_losing_unsynced = 0;
  int64_t partitions_healed = 0;
  int64_t commits = 0;
  int64_t messages = 0;
  int64_t malformed_messages = 0;  // corrupted copies injected
  int64_t disk_errors = 0;         // nodes stopped by an injected disk error
  void add(const Coverage& o);
};

struct SimResult {
  std::optional<Violation> violation;
  Coverage coverage;
  int64_t steps_run = 0;
};

SimResult run_simulation(const SimOptions& options);

}  // namespace keel::sim
