// File: broker/quorum/raft_driver.h
// Runs one RaftNode (controller/raft) over the network between Keel nodes. The driver owns
// the node on its own io_context and thread (the "raft thread": the node's fsyncs never stall
// the control thread, and stopping it is independent of the controller), wakes it at
// next_deadline_ms() on a net::Timer, and after every handle/poll sends take_outbox():
// requests to other voters through a RaftPeer each, responses to the inbound request they
// answer (matched by sender and a correlation id the driver assigns; the handler answers with
// the Kafka header's own).
//
// Inbound requests come from the controller listener's handlers (quorum_handlers.h) on shard
// threads through deliver(); the callback gets the node's answer, or nullopt when the node
// gives none within the request timeout or the driver stops.
//
// The owner gives the state machine (the node's MetadataStateMachine) and an on_step hook that
// runs on the raft thread after every step, before the outbox is sent: the controller that
// lives on the raft thread (controller_runtime.h) completes and starts operations there, and
// returns when it next needs to be woken.
//
// Threading: the public members are thread-safe; callbacks run on the raft thread and must
// not block.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/config/endpoint.h"
#include "broker/net/asio.h"
#include "broker/net/timers.h"
#include "controller/raft/raft_node.h"
#include "storage/env.h"

namespace keel::broker::quorum {

namespace raft = controller::raft;
class RaftPeer;

struct RaftDriverOptions {
  raft::RaftConfig config;             // node_id and voters set
  std::map<int32_t, HostPort> voters;  // controller listener of every voter (self included)
  std::string dir;                     // the node's state: <dir>/__cluster_metadata-0
  std::string cluster_id;              // sent in the RPCs
  storage::Env* env = nullptr;
  net::TimerService* timers = nullptr;
  uint64_t seed = 0;                            // randomized election timeouts
  raft::StateMachine* state_machine = nullptr;  // required; outlives the driver
  // Raft thread, after every step; returns the hook's next deadline (INT64_MAX: none).
  std::function<int64_t(raft::RaftNode& node, int64_t now_ms)> on_step;
  std::function<void(std::string_view)> log;  // may be empty
};

// What tests and metrics see of the node; a copy taken after the last step.
struct RaftStatus {
  raft::Role role = raft::Role::kUnattached;
  int32_t epoch = -1;
  int32_t leader_id = -1;
  int64_t high_watermark = 0;
  int64_t log_end_offset = 0;
  int64_t applied_offset = 0;  // the end of what the state machine has applied
  bool failed = false;
};

class RaftDriver {
 public:
  using Answer = std::function<void(std::optional<raft::Envelope>)>;

  // Opens the node and starts the raft thread and the peers' connections.
  static absl::StatusOr<std::unique_ptr<RaftDriver>> start(RaftDriverOptions options);
  ~RaftDriver();  // stop()
  RaftDriver(const RaftDriver&) = delete;
  RaftDriver& operator=(const RaftDriver&) = delete;

  // A leader resigns first (EndQuorumEpoch, given up to kResignFlushMs to reach the others,
  // so they elect at once instead of after a fetch timeout). Then ends the coroutines and the
  // thread (bounded: abandons the loop after `grace`); pending inbound requests get nullopt.
  // Idempotent; not from the raft thread. `resign` false: go silent as a crash would (tests).
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5), bool resign = true);

  // An inbound request; `done` runs exactly once, on the raft thread (or at once if stopped).
  void deliver(raft::Envelope request, Answer done);
  // Leader only: appends one batch; `done` gets the last offset or NOT_CONTROLLER's error.
  void append(std::vector<std::string> payloads, std::function<void(absl::StatusOr<int64_t>)> done);
  // Runs `work` on the raft thread with the node, then steps (on_step, outbox). False (and
  // `work` dropped) once stopped.
  bool post(std::function<void(raft::RaftNode&)> work);
  // The raft thread's executor (connections of components living on that thread).
  boost::asio::any_io_executor executor() { return io_.get_executor(); }
  // DescribeQuorum's answer (NOT_LEADER_OR_FOLLOWER's error code off the leader).
  void describe(std::function<void(raft::QuorumDescription)> done);

  int32_t node_id() const { return options_.config.node_id; }
  RaftStatus status() const;
  // The leader this node knows, if it is this node or its connection to it is up: a kill -9
  // of the leader shows here at once (the connection resets), an election later in status().
  std::optional<int32_t> reachable_leader() const;

 private:
  struct Inbound {
    Answer done;
    int64_t deadline_ms = 0;
    const char* what = "";  // the request's name, for the log
  };

  explicit RaftDriver(RaftDriverOptions options);
  static constexpr int64_t kResignFlushMs = 200;

  boost::asio::awaitable<void> tick_loop();
  boost::asio::awaitable<void> resign_and_shut_down(bool resign);
  // After handle/poll/append: sends the outbox, publishes the status, re-arms the timer.
  void after_step();
  void on_request(raft::Envelope request, Answer done);
  void on_response(raft::Envelope response);
  void expire_inbound(int64_t now_ms, bool all);
  void shutdown_here();
  int64_t now() const { return options_.timers->now_ms(); }
  void info(const std::string& message) const;

  RaftDriverOptions options_;
  std::unique_ptr<raft::RaftNode> node_;
  std::map<int32_t, std::shared_ptr<RaftPeer>> peers_;
  std::map<std::pair<int32_t, int64_t>, Inbound> inbound_;  // by (from, next_inbound_ id)
  int64_t next_inbound_ = 1;
  std::unique_ptr<net::Timer> timer_;
  int64_t waiting_until_ = 0;          // the tick loop's current deadline
  int64_t hook_deadline_ = INT64_MAX;  // on_step's last answer
  bool shut_down_ = false;             // raft thread only
  raft::Role last_role_ = raft::Role::kUnattached;
  int32_t last_epoch_ = -1;

  boost::asio::io_context io_{1};
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool thread_done_ = false;
  bool accepting_ = false;  // under mu_
  mutable std::mutex mu_;
  RaftStatus status_;  // under mu_
  // The peers, for reachable_leader() from other threads: fixed from start() until stop().
  std::map<int32_t, std::shared_ptr<RaftPeer>> peer_view_;  // under mu_
};

}  // namespace keel::broker::quorum
