// RaftNode plumbing: open, message dispatch, timers, the outbox, appends and introspection.
// Elections live in raft_election.cc, replication in raft_replication.cc, snapshots in
// raft_snapshot.cc.
#include "controller/raft/raft_node.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "protocol/status.h"
#include "storage/file_names.h"

namespace keel::controller::raft {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

std::vector<int32_t> sorted(std::vector<int32_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace

storage::LogConfig RaftConfig::default_log_config() {
  // As controller::metadata_log_config(): nothing deleted by retention (snapshots bound the
  // log), large batches allowed.
  storage::LogConfig config;
  config.retention_ms = -1;
  config.retention_bytes = -1;
  config.max_message_bytes = 64LL << 20;
  return config;
}

const char* role_name(Role role) {
  switch (role) {
    case Role::kUnattached:
      return "Unattached";
    case Role::kProspective:
      return "Prospective";
    case Role::kCandidate:
      return "Candidate";
    case Role::kLeader:
      return "Leader";
    case Role::kFollower:
      return "Follower";
    case Role::kResigned:
      return "Resigned";
  }
  return "?";
}

bool is_request(const Message& message) {
  return std::visit(Overloaded{[](const VoteRequest&) { return true; },
                               [](const BeginQuorumEpochRequest&) { return true; },
                               [](const EndQuorumEpochRequest&) { return true; },
                               [](const FetchRequest&) { return true; },
                               [](const FetchSnapshotRequest&) { return true; },
                               [](const auto&) { return false; }},
                    message);
}

const char* message_name(const Message& message) {
  static constexpr const char* kNames[] = {"VoteRequest",
                                           "VoteResponse",
                                           "BeginQuorumEpochRequest",
                                           "BeginQuorumEpochResponse",
                                           "EndQuorumEpochRequest",
                                           "EndQuorumEpochResponse",
                                           "FetchRequest",
                                           "FetchResponse",
                                           "FetchSnapshotRequest",
                                           "FetchSnapshotResponse"};
  return kNames[message.index()];
}

RaftNode::RaftNode(storage::Env* env, RaftConfig config, StateMachine* sm, uint64_t seed)
    : env_(env), config_(std::move(config)), sm_(sm), rng_(seed) {
  config_.voters = sorted(config_.voters);
  is_voter_ = is_voter_id(config_.node_id);
}

RaftNode::~RaftNode() = default;

absl::StatusOr<std::unique_ptr<RaftNode>> RaftNode::open(storage::Env* env, storage::Clock* clock,
                                                         std::string dir, RaftConfig config,
                                                         StateMachine* sm, uint64_t seed,
                                                         int64_t now_ms) {
  if (config.node_id < 0 || config.voters.empty()) {
    return protocol::kafka_error(ErrorCode::kInvalidRequest, "raft: node id and voters required");
  }
  std::unique_ptr<RaftNode> node(new RaftNode(env, std::move(config), sm, seed));
  const std::string partition_dir = storage::join_path(dir, storage::kMetadataLogDir);
  KEEL_ASSIGN_OR_RETURN(node->log_,
                        RaftLog::open(env, clock, partition_dir, node->config_.log_config));
  node->store_ = std::make_unique<QuorumStateStore>(env, partition_dir);
  KEEL_ASSIGN_OR_RETURN(std::optional<QuorumStateData> loaded, node->store_->load());
  if (!loaded) {
    const bool has_data = node->log_->end_offset() > 0 || node->log_->latest_snapshot();
    if (node->config_.require_existing_state && has_data) {
      return protocol::kafka_error(
          ErrorCode::kInconsistentVoterSet,
          "raft: quorum-state is missing but the metadata log holds data; refusing to vote "
          "with a forgotten election state");
    }
    node->quorum_.voters = node->config_.voters;
    KEEL_RETURN_IF_ERROR(node->store_->store(node->quorum_));
  } else {
    if (sorted(loaded->voters) != node->config_.voters) {
      return protocol::kafka_error(ErrorCode::kInconsistentVoterSet,
                                   "raft: the configured voters differ from quorum-state's");
    }
    node->quorum_ = *loaded;
  }
  RaftLog& log = *node->log_;
  // No record can carry an epoch above the one persisted before it was written, epochs never
  // go down along the log and offsets are dense. A corrupted epoch or base offset (outside the
  // batch CRC) could otherwise make this log look newer or longer than any other and win
  // elections it must lose.
  KEEL_RETURN_IF_ERROR(log.truncate_impossible_batches(node->quorum_.epoch));
  if (const std::optional<SnapshotId>& snapshot = log.latest_snapshot()) {
    KEEL_ASSIGN_OR_RETURN(std::string state, log.read_snapshot_state());
    KEEL_RETURN_IF_ERROR(sm->load_snapshot(snapshot->end_offset, state));
  } else if (log.start_offset() > 0) {
    return protocol::kafka_error(ErrorCode::kKafkaStorageError,
                                 "raft: the metadata log starts after 0 but has no snapshot");
  }
  node->applied_ = node->high_watermark_ = log.start_offset();
  log.set_high_watermark(node->high_watermark_);
  node->last_snapshot_ms_ = now_ms;
  node->now_ms_ = now_ms;
  // A restarted leader cannot lead its old epoch again (its appends since are unknown to the
  // quorum): it resigns; a known leader is followed; otherwise wait for an election.
  const QuorumStateData q = node->quorum_;
  if (q.leader_id == node->config_.node_id) {
    node->role_ = Role::kResigned;
    node->election_deadline_ms_ = now_ms + node->randomized_election_timeout();
  } else if (q.leader_id >= 0) {
    node->become_follower(q.epoch, q.leader_id, now_ms);
  } else {
    node->role_ = Role::kUnattached;
    node->election_deadline_ms_ = now_ms + node->randomized_election_timeout();
  }
  if (!node->failed_.ok()) return node->failed_;
  return node;
}

void RaftNode::fail(absl::Status status) {
  if (failed_.ok()) failed_ = std::move(status);
}

bool RaftNode::persist(const QuorumStateData& data) {
  QuorumStateData copy = data;
  copy.voters = config_.voters;
  absl::Status status = store_->store(copy);
  if (!status.ok()) {
    fail(status);
    return false;
  }
  quorum_ = copy;
  return true;
}

bool RaftNode::is_voter_id(int32_t id) const {
  return std::binary_search(config_.voters.begin(), config_.voters.end(), id);
}

int64_t RaftNode::randomized_election_timeout() {
  const int64_t t = std::max<int64_t>(1, config_.election_timeout_ms);
  return t + static_cast<int64_t>(rng_() % static_cast<uint64_t>(t));
}

int64_t RaftNode::send(int32_t to, Message message, int64_t now_ms) {
  const int64_t correlation = next_correlation_++;
  int64_t timeout = config_.request_timeout_ms;
  if (std::holds_alternative<FetchRequest>(message)) {
    timeout = std::max(timeout, config_.fetch_max_wait_ms + config_.request_timeout_ms / 2);
  }
  pending_[correlation] = Pending{to, now_ms + timeout};
  outbox_.push_back(Envelope{config_.node_id, to, correlation, std::move(message)});
  return correlation;
}

void RaftNode::reply(const Envelope& request, Message message) {
  outbox_.push_back(
      Envelope{config_.node_id, request.from, request.correlation_id, std::move(message)});
}

std::vector<Envelope> RaftNode::take_outbox() {
  std::vector<Envelope> out;
  out.swap(outbox_);
  return out;
}

void RaftNode::clear_role_state() {
  granted_.clear();
  rejected_.clear();
  download_.reset();
  fetch_in_flight_ = 0;
  replicas_.clear();
  epoch_start_offset_ = -1;
  preferred_successors_.clear();
  end_quorum_acked_.clear();
  // Held fetches belong to a leadership that is ending: their senders must look again.
  for (const HeldFetch& held : held_fetches_) {
    FetchResponse response;
    response.error = ErrorCode::kNotLeaderOrFollower;
    response.current_leader = current_leader();
    reply(held.request, std::move(response));
  }
  held_fetches_.clear();
}

LeaderAndEpoch RaftNode::current_leader() const {
  if (role_ == Role::kLeader) return {config_.node_id, quorum_.epoch};
  const bool fresh =
      last_leader_contact_ms_ >= 0 && now_ms_ - last_leader_contact_ms_ < config_.fetch_timeout_ms;
  if (role_ == Role::kFollower && fresh) return {quorum_.leader_id, quorum_.epoch};
  return {-1, quorum_.epoch};
}

bool RaftNode::observe_epoch(int32_t epoch, int32_t leader_id, int64_t now_ms) {
  if (epoch < quorum_.epoch) return false;
  const bool named_leader = leader_id >= 0 && leader_id != config_.node_id;
  if (epoch > quorum_.epoch) {
    if (named_leader) {
      become_follower(epoch, leader_id, now_ms);
    } else {
      become_unattached(epoch, now_ms);
    }
    return true;
  }
  // Same epoch: learning its leader ends an election or an observer's search.
  if (named_leader && role_ != Role::kLeader && role_ != Role::kResigned &&
      (role_ != Role::kFollower || quorum_.leader_id != leader_id)) {
    if (quorum_.leader_id < 0 || quorum_.leader_id == leader_id) {
      become_follower(epoch, leader_id, now_ms);
    }
  }
  return true;
}

void RaftNode::handle(const Envelope& in, int64_t now_ms) {
  now_ms_ = now_ms;
  if (!active() || in.to != config_.node_id || in.from == config_.node_id || in.from < 0) {
    ++stats_.dropped_messages;
    return;
  }
  if (!is_request(in.message)) {
    auto it = pending_.find(in.correlation_id);
    if (it == pending_.end() || it->second.to != in.from) {
      ++stats_.dropped_messages;  // stale, duplicated or unsolicited
      return;
    }
    pending_.erase(it);
    if (fetch_in_flight_ == in.correlation_id) fetch_in_flight_ = 0;
  }
  std::visit(
      Overloaded{
          [&](const VoteRequest& m) { on_vote_request(in, m, now_ms); },
          [&](const VoteResponse& m) { on_vote_response(in, m, now_ms); },
          [&](const BeginQuorumEpochRequest& m) { on_begin_quorum(in, m, now_ms); },
          [&](const BeginQuorumEpochResponse& m) { on_begin_quorum_response(in, m, now_ms); },
          [&](const EndQuorumEpochRequest& m) { on_end_quorum(in, m, now_ms); },
          [&](const EndQuorumEpochResponse& m) { on_end_quorum_response(in, m, now_ms); },
          [&](const FetchRequest& m) { on_fetch_request(in, m, now_ms); },
          [&](const FetchResponse& m) { on_fetch_response(in, m, now_ms); },
          [&](const FetchSnapshotRequest& m) { on_fetch_snapshot_request(in, m); },
          [&](const FetchSnapshotResponse& m) { on_fetch_snapshot_response(in, m, now_ms); },
      },
      in.message);
}

void RaftNode::poll(int64_t now_ms) {
  if (!active()) return;
  now_ms_ = now_ms;
  if (deferred_persist_) {
    deferred_persist_ = false;
    if (!persist(quorum_)) return;
  }
  // Timed-out requests are forgotten; the role logic below sends what is still needed.
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline_ms <= now_ms) {
      if (fetch_in_flight_ == it->first) fetch_in_flight_ = 0;
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  poll_election(now_ms);
  if (!active()) return;
  poll_replication(now_ms);
  if (!active()) return;
  maybe_take_snapshot(now_ms);
}

int64_t RaftNode::next_deadline_ms() const {
  int64_t next = std::numeric_limits<int64_t>::max();
  if (!active()) return next;
  auto at = [&](int64_t t) { next = std::min(next, t); };
  for (const auto& [correlation, pending] : pending_) at(pending.deadline_ms);
  switch (role_) {
    case Role::kUnattached:
      if (is_voter_) at(election_deadline_ms_);
      if (!is_voter_ && fetch_in_flight_ == 0) at(next_fetch_ms_);
      break;
    case Role::kProspective:
    case Role::kCandidate:
    case Role::kResigned:
      at(election_deadline_ms_);
      break;
    case Role::kFollower:
      at(fetch_deadline_ms_);
      if (fetch_in_flight_ == 0) at(next_fetch_ms_);
      break;
    case Role::kLeader:
      at(check_quorum_deadline_ms_);
      if (flush_deadline_ms_ >= 0) at(flush_deadline_ms_);
      for (const HeldFetch& held : held_fetches_) at(held.deadline_ms);
      break;
  }
  if (config_.snapshot_interval_ms > 0) at(last_snapshot_ms_ + config_.snapshot_interval_ms);
  return next;
}

absl::StatusOr<int64_t> RaftNode::append(std::vector<std::string> payloads, int64_t now_ms) {
  if (!active()) return failed_;
  if (role_ != Role::kLeader) {
    return protocol::kafka_error(ErrorCode::kNotController,
                                 absl::StrCat("not the metadata leader (leader ", quorum_.leader_id,
                                              ", epoch ", quorum_.epoch, ")"));
  }
  if (payloads.empty()) return protocol::kafka_error(ErrorCode::kInvalidRequest, "no records");
  absl::StatusOr<int64_t> last = log_->append_payloads(payloads, quorum_.epoch, now_ms);
  if (!last.ok()) {
    // A batch the log refuses (too large) is the caller's problem; an I/O error is fatal.
    if (absl::IsUnavailable(last.status()) || absl::IsResourceExhausted(last.status())) {
      fail(last.status());
    }
    return last.status();
  }
  if (flush_deadline_ms_ < 0) flush_deadline_ms_ = now_ms + config_.append_linger_ms;
  if (config_.append_linger_ms <= 0) leader_flush(now_ms);
  release_held_fetches(/*all=*/true, now_ms);
  return *last;
}

void RaftNode::resign(int64_t now_ms) {
  if (active() && role_ == Role::kLeader) become_resigned(now_ms);
}

QuorumDescription RaftNode::describe_quorum() const {
  QuorumDescription out;
  if (role_ != Role::kLeader) {
    out.error = ErrorCode::kNotLeaderOrFollower;
    out.leader_id = quorum_.leader_id;
    out.leader_epoch = quorum_.epoch;
    return out;
  }
  out.leader_id = config_.node_id;
  out.leader_epoch = quorum_.epoch;
  out.high_watermark = high_watermark_;
  for (int32_t voter : config_.voters) {
    ReplicaDescription d;
    d.replica_id = voter;
    if (voter == config_.node_id) {
      d.log_end_offset = log_->end_offset();
      d.last_fetch_ms = d.last_caught_up_ms = -1;
    } else if (auto it = replicas_.find(voter); it != replicas_.end()) {
      d.log_end_offset = it->second.end_offset;
      d.last_fetch_ms = it->second.last_fetch_ms;
      d.last_caught_up_ms = it->second.last_caught_up_ms;
    }
    out.voters.push_back(d);
  }
  for (const auto& [id, progress] : replicas_) {
    if (is_voter_id(id)) continue;
    out.observers.push_back(
        {id, progress.end_offset, progress.last_fetch_ms, progress.last_caught_up_ms});
  }
  return out;
}

}  // namespace keel::controller::raft
