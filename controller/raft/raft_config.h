// File: controller/raft/raft_config.h
// RaftNode's settings (KRaft's controller.quorum.* properties), the state machine it feeds, and
// the test-only mutants that break one safety rule each (so the simulation's checkers can be
// shown to catch them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/log_config.h"

namespace keel::controller::raft {

// Deliberate bugs, all off by default. Only the simulation's mutant tests set them.
struct RaftMutations {
  bool double_vote = false;                 // grant a second vote in the same epoch
  bool commit_old_epoch = false;            // commit earlier-epoch entries by count (Raft fig. 8)
  bool unsynced_quorum_state = false;       // persist the vote without fsync
  bool truncate_to_high_watermark = false;  // follower truncates to its HW, not by epoch
};

struct RaftConfig {
  int32_t node_id = -1;
  std::vector<int32_t> voters;  // controller.quorum.voters ids; a node not in it is an observer
  int64_t election_timeout_ms = 1000;
  int64_t fetch_timeout_ms = 2000;
  int64_t election_backoff_max_ms = 1000;
  int64_t request_timeout_ms = 2000;
  int64_t append_linger_ms = 25;  // leader: fsync appends at most this much later (group commit)
  int64_t fetch_max_wait_ms = 500;
  int32_t fetch_max_bytes = 8 << 20;
  int32_t fetch_snapshot_max_bytes = 1 << 20;
  int64_t snapshot_min_bytes_between = 20 << 20;
  int64_t snapshot_interval_ms = 3600000;
  // Refuse to open when the quorum-state file is missing but the log holds data: the node's
  // disk was replaced or wiped partly, and voting with forgotten votes could elect two leaders.
  // The broker sets it once the node was formatted; a fresh node leaves it false.
  bool require_existing_state = false;
  // The metadata log's storage settings (controller::metadata_log_config() by default).
  storage::LogConfig log_config = default_log_config();
  RaftMutations mutations;

  static storage::LogConfig default_log_config();
};

// What the metadata quorum replicates into. Called on the thread driving the RaftNode.
// A RaftNode is opened with a state machine holding nothing: on open it loads the newest
// snapshot (load_snapshot) and then replays committed records as it learns the high watermark,
// so every record reaches on_committed at most once per RaftNode lifetime, in offset order.
class StateMachine {
 public:
  virtual ~StateMachine() = default;
  // A committed record (control records are not passed on).
  virtual void on_committed(int64_t offset, int32_t epoch, std::string_view payload) = 0;
  // Every record below `end_offset` has been passed on. The high watermark only ever stands at
  // a batch boundary, so this is the moment to publish the records of whole batches (one
  // controller operation is one batch).
  virtual void on_applied_through(int64_t /*end_offset*/) {}
  virtual void on_leader_change(int32_t leader_id, int32_t epoch) = 0;
  // The state after applying every record below end_offset (the state machine's state now).
  virtual absl::StatusOr<std::string> take_snapshot(int64_t end_offset) = 0;
  // Replaces the whole state with a snapshot's.
  virtual absl::Status load_snapshot(int64_t end_offset, std::string_view bytes) = 0;
};

enum class Role { kUnattached, kProspective, kCandidate, kLeader, kFollower, kResigned };
const char* role_name(Role role);

}  // namespace keel::controller::raft
