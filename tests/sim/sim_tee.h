// File: tests/sim/sim_tee.h
// Feeds one RaftNode's committed records to two state machines: the Raft checkers'
// SimStateMachine and an app's (sim_app.h). A snapshot holds both, length-prefixed.
#pragma once

#include <string>
#include <string_view>

#include "controller/raft/raft_config.h"

namespace keel::sim {

class TeeStateMachine final : public controller::raft::StateMachine {
 public:
  TeeStateMachine(controller::raft::StateMachine* first, controller::raft::StateMachine* second)
      : first_(first), second_(second) {}
  void on_committed(int64_t offset, int32_t epoch, std::string_view payload) override;
  void on_applied_through(int64_t end_offset) override;
  void on_leader_change(int32_t leader_id, int32_t epoch) override;
  absl::StatusOr<std::string> take_snapshot(int64_t end_offset) override;
  absl::Status load_snapshot(int64_t end_offset, std::string_view bytes) override;

 private:
  controller::raft::StateMachine* first_;
  controller::raft::StateMachine* second_;
};

}  // namespace keel::sim
