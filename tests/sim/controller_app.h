// File: tests/sim/controller_app.h
// The controller simulation's app (sim_app.h): on every node the real MetadataStateMachine
// (sim_metadata_machine.h) and a real QuorumController over the node's RaftNode, stepped after
// every event as the node's owner does; a simulated admin client (controller_client.h); and
// the image invariants (controller_checker.h) checked after every step.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "controller/quorum_controller.h"
#include "storage/random.h"
#include "tests/sim/controller_checker.h"
#include "tests/sim/controller_coverage.h"
#include "tests/sim/sim_app.h"
#include "tests/sim/sim_metadata_machine.h"

namespace keel::sim {

// One node's lifetime as the client and the checks see it.
struct ControllerNode {
  int32_t id = 0;
  std::unique_ptr<SimMetadataMachine> sm;
  controller::raft::RaftNode* raft = nullptr;  // null until started
  std::unique_ptr<controller::QuorumController> controller;
  int32_t led_epoch = -1;           // the last epoch it was seen leading, and the offset of that
  int64_t epoch_start = -1;         // epoch's LeaderChange record
  int64_t checked_applied = -1;     // image checked at this applied offset ...
  uint64_t checked_generation = 0;  // ... against the acknowledgements of this generation
};

class ControllerClient;

class ControllerApp final : public SimApp {
 public:
  ControllerApp(uint64_t seed, ControllerMutant mutant);
  ~ControllerApp() override;

  void bind(Checker* checker, std::function<int64_t()> now_ms,
            std::function<void(const std::string&)> trace) override;
  controller::raft::StateMachine* open(int32_t node) override;
  void started(int32_t node, controller::raft::RaftNode* raft) override;
  void stopped(int32_t node) override;
  void after_event(int32_t node) override;
  void client_event(std::mt19937_64& rng, std::vector<int32_t>* touched) override;
  std::string probe_payload() override;
  bool liveness_step(std::vector<int32_t>* touched) override;
  void check(int64_t step, bool final) override;

  const ControllerCoverage& coverage() const { return coverage_; }

 private:
  void check_node(ControllerNode& n, bool replay);
  std::vector<std::pair<int64_t, std::string>> committed_below(const ControllerNode& n,
                                                               int64_t applied);

  ControllerMutant mutant_;
  storage::SeededRandom seeded_;
  std::unique_ptr<storage::Random> cycling_;  // kReusedTopicIds only
  storage::Random* random_;    // topic ids and placement, for every node's controller
  std::mt19937_64 check_rng_;  // when to run the expensive replay check
  Checker* checker_ = nullptr;
  std::function<int64_t()> now_ms_;
  ControllerCoverage coverage_;
  CommittedRecords committed_;
  std::optional<ControllerChecker> images_;
  std::map<int32_t, ControllerNode> nodes_;
  std::unique_ptr<ControllerClient> client_;
  // Liveness: an alter_configs acknowledged OK after the faults stopped.
  bool live_pending_ = false;
  bool live_done_ = false;
};

}  // namespace keel::sim
