// File: tests/sim/sim_metadata_machine.h
// One simulated node's metadata state machine: the real MetadataStateMachine (with its own
// MetadataPublisher), behind a thin wrapper that records every committed record into the
// run's history (for fresh replays) and, for the mutant tests only, doctors what the real
// machine sees. Mutants live here, not in controller/: they break the state the checkers
// watch without touching production code.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "controller/metadata_publisher.h"
#include "controller/metadata_state_machine.h"
#include "tests/sim/controller_coverage.h"
#include "tests/sim/image_dump.h"

namespace keel::sim {

enum class ControllerMutant {
  kNone,
  kDropConfig,            // node 1 skips the first topic config record of each lifetime
  kSnapshotLosesTopic,    // every snapshot leaves out its last topic
  kPhantomReplica,        // every node rewrites partition 1's first replica to broker 9
  kForgetTopic,           // every node skips the records of topic t5
  kIgnoreRetention,       // every node skips topic configs retention.ms=5000
  kSnapshotResetsEpochs,  // snapshots write every leader epoch as 0
  kReusedTopicIds,        // the controllers' random numbers cycle (ids repeat)
};

// Committed metadata records as first applied anywhere: offset -> payload.
using CommittedRecords = std::map<int64_t, std::string>;

class SimMetadataMachine final : public controller::raft::StateMachine {
 public:
  SimMetadataMachine(int32_t node, ControllerMutant mutant, CommittedRecords* committed,
                     ControllerCoverage* coverage)
      : node_(node),
        mutant_(mutant),
        committed_(committed),
        coverage_(coverage),
        real_(&publisher_, kSimClusterId) {}

  void on_committed(int64_t offset, int32_t epoch, std::string_view payload) override;
  void on_applied_through(int64_t end_offset) override { real_.on_applied_through(end_offset); }
  void on_leader_change(int32_t leader_id, int32_t epoch) override {
    real_.on_leader_change(leader_id, epoch);
  }
  absl::StatusOr<std::string> take_snapshot(int64_t end_offset) override;
  absl::Status load_snapshot(int64_t end_offset, std::string_view bytes) override;

  controller::MetadataStateMachine& real() { return real_; }
  const controller::MetadataPublisher& publisher() const { return publisher_; }

 private:
  bool forgets(const keel::metadata::MetadataRecord& record);

  int32_t node_;
  ControllerMutant mutant_;
  CommittedRecords* committed_;
  ControllerCoverage* coverage_;
  bool dropped_ = false;
  std::set<std::string> forgotten_;  // kForgetTopic: ids of t5 it skipped
  controller::MetadataPublisher publisher_;
  controller::MetadataStateMachine real_;
};

}  // namespace keel::sim
