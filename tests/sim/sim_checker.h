// File: tests/sim/sim_checker.h
// The safety checkers of the Raft simulation, fed incrementally: every committed record a
// state machine applies, every snapshot it loads, and after every step each live node's role,
// epoch and high watermark. The first violation is kept (checker name + detail); later ones are
// ignored so the report names the root cause.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/raft/raft_node.h"

namespace keel::sim {

struct Violation {
  std::string checker;  // "leader-per-epoch", "log-matching", ...
  std::string detail;
};

class Checker {
 public:
  // A state machine applied `payload` at `offset` (state-machine safety + committed agreement).
  // `node_epoch` is the applying node's epoch: the smallest one seen for a record is the epoch
  // it was committed in (its leader applies it at once).
  void on_apply(int32_t node, int64_t offset, int32_t epoch, std::string_view payload,
                int32_t node_epoch);
  // A node loaded a snapshot holding these records (offset -> payload).
  void on_snapshot(int32_t node, const std::vector<std::pair<int64_t, std::string>>& records);
  // A node sent a granted (non-pre-)vote: one candidate per epoch, ever, across restarts.
  void on_vote_granted(int32_t voter, int32_t epoch, int32_t candidate);
  // After every step, for each live node.
  void observe(int32_t id, const controller::raft::RaftNode& node, int64_t step);
  // The node restarted: its high watermark may start lower again.
  void on_restart(int32_t id) {
    last_hw_.erase(id);
    last_applied_.erase(id);
    last_role_.erase(id);
  }
  // Expensive whole-log checks: log matching between every pair of live nodes.
  void check_logs(const std::vector<const controller::raft::RaftNode*>& nodes);
  // Every node's applied sequence is a prefix of the committed sequence.
  void check_applied(int32_t id, const std::vector<std::pair<int64_t, std::string>>& applied);
  void fail(std::string checker, std::string detail);

  const std::optional<Violation>& violation() const { return violation_; }
  int64_t committed_records() const { return static_cast<int64_t>(committed_.size()); }
  int64_t leader_changes() const { return leader_changes_; }

 private:
  struct Committed {
    int32_t epoch;
    std::string payload;
    int32_t commit_epoch;  // Raft promises the record to leaders of later epochs only
  };
  void check_leader_completeness(int32_t id, const controller::raft::RaftNode& node);

  std::optional<Violation> violation_;
  std::map<int64_t, Committed> committed_;      // offset -> record, as first applied anywhere
  std::map<int32_t, int32_t> leader_of_epoch_;  // ever, across restarts
  std::map<int32_t, int64_t> last_hw_;
  std::map<std::pair<int32_t, int32_t>, int32_t> vote_of_;  // (voter, epoch) -> candidate
  std::map<int32_t, int64_t> last_applied_;
  std::map<int32_t, std::pair<int32_t, int32_t>> last_role_;  // id -> (role, epoch)
  int64_t leader_changes_ = 0;
};

// The trivial replicated state machine: the list of (offset, payload) applied so far.
class SimStateMachine final : public controller::raft::StateMachine {
 public:
  // `raft` is where the node's RaftNode lives (for its epoch when it applies).
  SimStateMachine(int32_t node, Checker* checker,
                  const std::unique_ptr<controller::raft::RaftNode>* raft)
      : node_(node), checker_(checker), raft_(raft) {}
  void on_committed(int64_t offset, int32_t epoch, std::string_view payload) override;
  void on_leader_change(int32_t, int32_t) override {}
  absl::StatusOr<std::string> take_snapshot(int64_t end_offset) override;
  absl::Status load_snapshot(int64_t end_offset, std::string_view bytes) override;
  const std::vector<std::pair<int64_t, std::string>>& applied() const { return applied_; }

 private:
  int32_t node_;
  Checker* checker_;
  const std::unique_ptr<controller::raft::RaftNode>* raft_;
  std::vector<std::pair<int64_t, std::string>> applied_;
};

}  // namespace keel::sim
