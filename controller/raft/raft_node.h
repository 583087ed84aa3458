// File: controller/raft/raft_node.h
// One member of the KRaft metadata quorum, as an event-driven state machine with no threads,
// no clock and no network of its own: the owner feeds it messages (handle), wakes it at
// next_deadline_ms() (poll), and sends what take_outbox() returns. The broker drives it over
// its Kafka connections; tests/sim drives the same code over a simulated network and disk.
//
// Semantics are KRaft's (KafkaRaftClient): pull replication (followers Fetch from the leader,
// DivergingEpoch tells them where their log diverges, a snapshot id when they are below the
// leader's log start), pre-vote (KIP-996) before every election, one vote per epoch persisted
// before it is sent, a LeaderChange control record opening every leader epoch, the high
// watermark at the offset a majority of voters stored durably (only once it covers the
// current epoch's LeaderChange), check-quorum resignation, BeginQuorumEpoch after winning and
// EndQuorumEpoch on resigning.
//
// Roles: Unattached (no leader known in the epoch), Prospective (collecting pre-votes),
// Candidate, Leader, Follower, Resigned (a leader stepping down). Nodes not in the voter set
// are observers: they follow the leader (Unattached or Follower) and never stand.
//
// Driving it (one strand):
//   auto node = RaftNode::open(env, clock, log_dir, config, &sm, seed, now());
//   on a decoded request/response:  node->handle(Envelope{from, self, correlation, msg}, now());
//   on a timer at node->next_deadline_ms():  node->poll(now());
//   after either:  for (Envelope& e : node->take_outbox()) send(e);  // raft_wire.h encodes
//   a request's answer carries the request's correlation_id; match it to the Kafka header.
//
// Not thread-safe: one owner calls everything. Errors of the disk are fatal for the node: it
// stops acting (failed() returns the error) and must be reopened.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "controller/raft/quorum_state.h"
#include "controller/raft/raft_config.h"
#include "controller/raft/raft_log.h"
#include "controller/raft/raft_messages.h"
#include "storage/env.h"

namespace keel::controller::raft {

// Counters for tests and metrics.
struct RaftStats {
  int64_t elections_started = 0;  // became Candidate
  int64_t elections_won = 0;
  int64_t pre_votes_started = 0;
  int64_t divergence_truncations = 0;
  int64_t snapshots_taken = 0;
  int64_t snapshots_installed = 0;
  int64_t resignations = 0;
  int64_t dropped_messages = 0;  // malformed, stale or unsolicited
};

class RaftNode {
 public:
  // Opens the node's state in `dir` (the metadata log dir: `<dir>/__cluster_metadata-0` holds
  // the log, snapshots and `quorum-state`). `sm` must be empty (it is rebuilt from the newest
  // snapshot and the log) and, like env and clock, outlive the node. `seed` feeds the
  // randomized timeouts.
  static absl::StatusOr<std::unique_ptr<RaftNode>> open(storage::Env* env, storage::Clock* clock,
                                                        std::string dir, RaftConfig config,
                                                        StateMachine* sm, uint64_t seed,
                                                        int64_t now_ms);
  ~RaftNode();
  RaftNode(const RaftNode&) = delete;
  RaftNode& operator=(const RaftNode&) = delete;

  // Any incoming request or response addressed to this node.
  void handle(const Envelope& in, int64_t now_ms);
  // Timers: elections, fetch timeouts, append linger, check-quorum, retries, snapshots.
  void poll(int64_t now_ms);
  // When poll must run next (absolute ms).
  int64_t next_deadline_ms() const;
  std::vector<Envelope> take_outbox();

  // Leader only: appends the payloads as one batch; returns the offset of the last. It is
  // committed once high_watermark() passes it. NOT_CONTROLLER when not the leader.
  absl::StatusOr<int64_t> append(std::vector<std::string> payloads, int64_t now_ms);
  // Leader: steps down gracefully (EndQuorumEpoch to the other voters).
  void resign(int64_t now_ms);

  // ---- introspection ----
  Role role() const { return role_; }
  bool is_voter() const { return is_voter_; }
  int32_t node_id() const { return config_.node_id; }
  const RaftConfig& config() const { return config_; }
  int32_t epoch() const { return quorum_.epoch; }
  int32_t leader_id() const { return quorum_.leader_id; }
  int32_t voted_for() const { return quorum_.voted_for; }
  int64_t high_watermark() const { return high_watermark_; }
  int64_t log_end_offset() const { return log_->end_offset(); }
  int64_t log_start_offset() const { return log_->start_offset(); }
  int64_t applied_offset() const { return applied_; }
  // Leader: the offset of this epoch's LeaderChange record (-1 otherwise). Once applied_offset()
  // passes it, the state machine holds everything earlier leaders committed.
  int64_t epoch_start_offset() const { return epoch_start_offset_; }
  const RaftLog& log() const { return *log_; }
  QuorumDescription describe_quorum() const;
  const RaftStats& stats() const { return stats_; }
  const absl::Status& failed() const { return failed_; }

 private:
  struct Pending {  // a request awaiting its response
    int32_t to = -1;
    int64_t deadline_ms = 0;
  };
  struct ReplicaProgress {  // leader's view of one replica
    int64_t end_offset = -1;
    int64_t last_fetch_ms = -1;
    int64_t last_caught_up_ms = -1;
    bool begin_acked = false;
  };
  struct HeldFetch {  // a Fetch the leader answers once data arrives or max wait passes
    Envelope request;
    int64_t deadline_ms = 0;
  };
  struct SnapshotDownload {
    SnapshotId id;
    std::string bytes;
  };

  RaftNode(storage::Env* env, RaftConfig config, StateMachine* sm, uint64_t seed);

  // raft_node.cc: plumbing
  bool active() const { return failed_.ok(); }
  void fail(absl::Status status);
  bool persist(const QuorumStateData& data);
  int64_t send(int32_t to, Message message, int64_t now_ms);
  void reply(const Envelope& request, Message message);
  bool is_voter_id(int32_t id) const;
  int64_t randomized_election_timeout();
  void clear_role_state();
  // The leader as this node vouches for it in answers: itself when leading, the leader it
  // fetched from within fetch_timeout_ms when following, else none (a stale name would send
  // other nodes chasing a dead leader instead of electing a new one).
  LeaderAndEpoch current_leader() const;
  // Steps down when a message names a newer epoch; false when the message is stale.
  bool observe_epoch(int32_t epoch, int32_t leader_id, int64_t now_ms);

  // raft_election.cc
  void become_unattached(int32_t epoch, int64_t now_ms);
  void become_prospective(int64_t now_ms);
  void become_candidate(int64_t now_ms);
  void become_leader(int64_t now_ms);
  void become_follower(int32_t epoch, int32_t leader_id, int64_t now_ms);
  void become_resigned(int64_t now_ms);
  bool candidate_log_ok(int32_t last_epoch, int64_t last_offset) const;
  void send_vote_requests(bool pre_vote, int64_t now_ms);
  void on_vote_request(const Envelope& in, const VoteRequest& req, int64_t now_ms);
  void on_vote_response(const Envelope& in, const VoteResponse& resp, int64_t now_ms);
  void on_begin_quorum(const Envelope& in, const BeginQuorumEpochRequest& req, int64_t now_ms);
  void on_begin_quorum_response(const Envelope& in, const BeginQuorumEpochResponse& resp,
                                int64_t now_ms);
  void on_end_quorum(const Envelope& in, const EndQuorumEpochRequest& req, int64_t now_ms);
  void on_end_quorum_response(const Envelope& in, const EndQuorumEpochResponse& resp,
                              int64_t now_ms);
  void send_begin_quorum(int32_t voter, int64_t now_ms);
  void send_end_quorum(int32_t voter, int64_t now_ms);
  void poll_election(int64_t now_ms);

  // raft_replication.cc
  void on_fetch_request(const Envelope& in, const FetchRequest& req, int64_t now_ms);
  bool answer_fetch(const Envelope& in, const FetchRequest& req, bool may_hold, int64_t now_ms);
  void on_fetch_response(const Envelope& in, const FetchResponse& resp, int64_t now_ms);
  void send_fetch(int64_t now_ms);
  void truncate_on_divergence(const DivergingEpoch& diverging);
  void leader_flush(int64_t now_ms);
  void maybe_advance_leader_hw(int64_t now_ms);
  void advance_hw(int64_t hw, int64_t now_ms);
  void apply_committed(int64_t now_ms);
  void release_held_fetches(bool all, int64_t now_ms);
  void poll_replication(int64_t now_ms);

  // raft_snapshot.cc
  void on_fetch_snapshot_request(const Envelope& in, const FetchSnapshotRequest& req);
  void on_fetch_snapshot_response(const Envelope& in, const FetchSnapshotResponse& resp,
                                  int64_t now_ms);
  void send_fetch_snapshot(int64_t now_ms);
  void maybe_take_snapshot(int64_t now_ms);

  storage::Env* env_;
  RaftConfig config_;
  StateMachine* sm_;
  std::mt19937_64 rng_;
  bool is_voter_ = false;
  std::unique_ptr<RaftLog> log_;
  std::unique_ptr<QuorumStateStore> store_;
  QuorumStateData quorum_;
  Role role_ = Role::kUnattached;
  absl::Status failed_;
  RaftStats stats_;

  std::vector<Envelope> outbox_;
  int64_t next_correlation_ = 1;
  std::map<int64_t, Pending> pending_;

  int64_t high_watermark_ = 0;
  int64_t applied_ = 0;                  // next offset to hand to the state machine
  int64_t last_leader_contact_ms_ = -1;  // last successful fetch or BeginQuorumEpoch
  int64_t now_ms_ = 0;                   // time of the event being handled
  bool deferred_persist_ = false;        // mutant unsynced_quorum_state only

  // Unattached / Prospective / Candidate / Resigned: when to stand (next election step).
  int64_t election_deadline_ms_ = 0;
  std::set<int32_t> granted_;
  std::set<int32_t> rejected_;
  // Follower
  int64_t fetch_deadline_ms_ = 0;  // no successful fetch by then: stand for election
  int64_t next_fetch_ms_ = 0;      // when to send the next Fetch (backoff after errors)
  int64_t fetch_in_flight_ = 0;    // correlation of the outstanding Fetch / FetchSnapshot
  std::optional<SnapshotDownload> download_;
  // Leader
  std::map<int32_t, ReplicaProgress> replicas_;  // voters and observers that fetched
  int64_t epoch_start_offset_ = -1;              // offset of this epoch's LeaderChange
  int64_t flush_deadline_ms_ = -1;               // pending appends to fsync by then
  int64_t check_quorum_deadline_ms_ = 0;
  std::vector<HeldFetch> held_fetches_;
  // Resigned: voters that have not acknowledged EndQuorumEpoch.
  std::vector<int32_t> preferred_successors_;
  std::set<int32_t> end_quorum_acked_;
  // Snapshots
  int64_t bytes_since_snapshot_ = 0;
  int64_t last_snapshot_ms_ = 0;
};

}  // namespace keel::controller::raft
