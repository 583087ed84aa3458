// RaftNode replication: the leader's side of Fetch (divergence, snapshot redirection, held
// fetches, the high watermark) and the follower's (appending, truncating, advancing).
#include <algorithm>

#include "controller/raft/raft_node.h"

namespace keel::controller::raft {
namespace {

// Retry delay after a failed or refused fetch.
constexpr int64_t kFetchRetryBackoffMs = 50;

}  // namespace

void RaftNode::on_fetch_request(const Envelope& in, const FetchRequest& req, int64_t now_ms) {
  if (req.current_leader_epoch > quorum_.epoch) {
    observe_epoch(req.current_leader_epoch, -1, now_ms);
    if (!active()) return;
  }
  answer_fetch(in, req, /*may_hold=*/true, now_ms);
}

bool RaftNode::answer_fetch(const Envelope& in, const FetchRequest& req, bool may_hold,
                            int64_t now_ms) {
  FetchResponse response;
  response.current_leader = current_leader();
  auto fail_with = [&](ErrorCode error) {
    response.error = error;
    reply(in, std::move(response));
    return true;
  };
  if (req.replica_id != in.from || req.replica_id == config_.node_id || req.fetch_offset < 0 ||
      req.last_fetched_epoch < 0 || req.max_bytes <= 0 || req.max_wait_ms < 0) {
    return fail_with(ErrorCode::kInvalidRequest);
  }
  if (req.current_leader_epoch < quorum_.epoch) return fail_with(ErrorCode::kFencedLeaderEpoch);
  if (role_ != Role::kLeader || req.current_leader_epoch != quorum_.epoch) {
    return fail_with(ErrorCode::kNotLeaderOrFollower);
  }
  response.high_watermark = high_watermark_;
  response.log_start_offset = log_->start_offset();
  ReplicaProgress& progress = replicas_[req.replica_id];
  progress.last_fetch_ms = now_ms;

  const std::optional<SnapshotId>& snapshot = log_->latest_snapshot();
  const bool at_snapshot = snapshot && req.fetch_offset == snapshot->end_offset &&
                           req.last_fetched_epoch == snapshot->epoch;
  if (req.fetch_offset < log_->start_offset() && !at_snapshot) {
    response.snapshot_id = snapshot;
    if (!snapshot) return fail_with(ErrorCode::kOffsetOutOfRange);
    reply(in, std::move(response));
    return true;
  }
  // Our epoch cache starts at our log start: an older epoch ended somewhere inside the
  // snapshot, which only the snapshot can settle.
  if (snapshot && !at_snapshot && req.fetch_offset > 0) {
    const std::optional<int32_t> first_epoch = log_->epoch_at(log_->start_offset());
    if (req.last_fetched_epoch < first_epoch.value_or(snapshot->epoch)) {
      response.snapshot_id = snapshot;
      reply(in, std::move(response));
      return true;
    }
  }
  if (req.fetch_offset > 0 && !at_snapshot) {
    const DivergingEpoch end = log_->end_offset_for_epoch(req.last_fetched_epoch);
    if (end.epoch < 0 || end.end_offset < 0) {
      if (snapshot) {
        response.snapshot_id = snapshot;
        reply(in, std::move(response));
        return true;
      }
      return fail_with(ErrorCode::kInvalidRequest);
    }
    if (end.epoch != req.last_fetched_epoch || end.end_offset < req.fetch_offset) {
      if (end.end_offset < log_->start_offset() && snapshot) {
        response.snapshot_id = snapshot;  // the divergence lies inside our snapshot
      } else {
        response.diverging_epoch = end;
      }
      reply(in, std::move(response));
      return true;
    }
  }
  // The fetch offset is valid: the replica stored everything below it durably.
  // The latest report counts, even a lower one (a replica that lost data must not be counted
  // for what it had).
  progress.end_offset = req.fetch_offset;
  if (req.fetch_offset >= log_->end_offset()) progress.last_caught_up_ms = now_ms;
  const int64_t hw_before = high_watermark_;
  maybe_advance_leader_hw(now_ms);
  if (!active()) return true;
  response.high_watermark = high_watermark_;
  if (req.fetch_offset < log_->end_offset()) {
    absl::StatusOr<protocol::Bytes> records =
        log_->read(req.fetch_offset, std::min(req.max_bytes, config_.fetch_max_bytes));
    if (!records.ok()) {
      fail(records.status());
      return true;
    }
    response.records = std::move(*records);
  }
  const bool nothing_new = response.records.empty() && high_watermark_ == hw_before &&
                           req.fetch_offset >= high_watermark_;
  if (may_hold && nothing_new && req.max_wait_ms > 0) {
    held_fetches_.push_back(
        HeldFetch{in, now_ms + std::min<int64_t>(req.max_wait_ms, config_.fetch_max_wait_ms)});
    return false;
  }
  reply(in, std::move(response));
  return true;
}

void RaftNode::release_held_fetches(bool all, int64_t now_ms) {
  std::vector<HeldFetch> held;
  held.swap(held_fetches_);
  for (HeldFetch& h : held) {
    if (all || h.deadline_ms <= now_ms) {
      answer_fetch(h.request, std::get<FetchRequest>(h.request.message), /*may_hold=*/false,
                   now_ms);
    } else {
      held_fetches_.push_back(std::move(h));
    }
  }
}

void RaftNode::leader_flush(int64_t now_ms) {
  flush_deadline_ms_ = -1;
  absl::StatusOr<int64_t> durable = log_->flush();
  if (!durable.ok()) {
    fail(durable.status());
    return;
  }
  maybe_advance_leader_hw(now_ms);
}

void RaftNode::maybe_advance_leader_hw(int64_t now_ms) {
  if (role_ != Role::kLeader) return;
  std::vector<int64_t> ends;
  for (int32_t voter : config_.voters) {
    if (voter == config_.node_id) {
      ends.push_back(log_->durable_offset());  // only what is on our disk counts
    } else {
      auto it = replicas_.find(voter);
      ends.push_back(it == replicas_.end() ? -1 : it->second.end_offset);
    }
  }
  std::sort(ends.begin(), ends.end(), std::greater<>());
  const int64_t majority_end = ends[ends.size() / 2];
  // Only an offset past this epoch's LeaderChange commits: earlier-epoch entries commit
  // through it, never by being counted (Raft's figure 8).
  if (majority_end > high_watermark_ &&
      (majority_end > epoch_start_offset_ || config_.mutations.commit_old_epoch)) {
    advance_hw(majority_end, now_ms);
  }
}

void RaftNode::advance_hw(int64_t hw, int64_t now_ms) {
  if (hw <= high_watermark_) return;
  high_watermark_ = hw;
  log_->set_high_watermark(hw);
  apply_committed(now_ms);
  if (role_ == Role::kLeader && !held_fetches_.empty()) release_held_fetches(true, now_ms);
}

void RaftNode::apply_committed(int64_t now_ms) {
  if (applied_ >= high_watermark_) return;
  absl::Status status =
      log_->visit(applied_, high_watermark_,
                  [&](int64_t offset, int32_t epoch, bool is_control, std::string_view payload) {
                    if (!is_control) {
                      sm_->on_committed(offset, epoch, payload);
                      bytes_since_snapshot_ += static_cast<int64_t>(payload.size());
                    }
                    applied_ = offset + 1;
                  });
  if (!status.ok()) {
    fail(status);
    return;
  }
  sm_->on_applied_through(applied_);
  maybe_take_snapshot(now_ms);
}

void RaftNode::send_fetch(int64_t now_ms) {
  if (fetch_in_flight_ != 0) return;
  if (download_) {
    send_fetch_snapshot(now_ms);
    return;
  }
  int32_t target = quorum_.leader_id;
  if (role_ == Role::kUnattached && !is_voter_) {
    target = config_.voters[rng_() % config_.voters.size()];  // an observer asks around
  }
  if (target < 0 || target == config_.node_id) return;
  FetchRequest request;
  request.replica_id = config_.node_id;
  request.current_leader_epoch = quorum_.epoch;
  request.fetch_offset = log_->end_offset();
  request.last_fetched_epoch = log_->last_epoch();
  request.max_bytes = config_.fetch_max_bytes;
  request.max_wait_ms = static_cast<int32_t>(config_.fetch_max_wait_ms);
  fetch_in_flight_ = send(target, request, now_ms);
}

void RaftNode::truncate_on_divergence(const DivergingEpoch& diverging) {
  int64_t target;
  if (config_.mutations.truncate_to_high_watermark) {
    target = high_watermark_;  // mutant: ignores where the logs actually diverge
  } else {
    const DivergingEpoch mine = log_->end_offset_for_epoch(diverging.epoch);
    target = mine.epoch == diverging.epoch ? std::min(diverging.end_offset, mine.end_offset)
                                           : mine.end_offset;
    if (mine.end_offset < 0) target = diverging.end_offset;
  }
  // Committed records are never removed; a leader asking for it is answered by refetching.
  target = std::max({target, high_watermark_, log_->start_offset()});
  if (target >= log_->end_offset()) return;
  ++stats_.divergence_truncations;
  absl::Status status = log_->truncate_to(target);
  if (!status.ok()) fail(status);
}

void RaftNode::on_fetch_response(const Envelope& in, const FetchResponse& resp, int64_t now_ms) {
  const LeaderAndEpoch leader = resp.current_leader;
  if (leader.epoch > quorum_.epoch ||
      (leader.epoch == quorum_.epoch && leader.leader_id >= 0 && role_ == Role::kUnattached)) {
    observe_epoch(leader.epoch, leader.leader_id, now_ms);
    return;
  }
  if (role_ != Role::kFollower || in.from != quorum_.leader_id) return;
  if (resp.error != ErrorCode::kNone) {
    next_fetch_ms_ = now_ms + kFetchRetryBackoffMs;
    return;
  }
  if (leader.epoch != quorum_.epoch || resp.high_watermark < 0 || resp.log_start_offset < 0) {
    ++stats_.dropped_messages;
    next_fetch_ms_ = now_ms + kFetchRetryBackoffMs;
    return;
  }
  // Only a fetch the leader accepted proves our log matches its log up to the fetch offset,
  // and so lets its high watermark apply to us.
  bool matched = false;
  if (resp.diverging_epoch) {
    if (resp.diverging_epoch->end_offset < 0 || resp.diverging_epoch->epoch < 0) {
      ++stats_.dropped_messages;
      next_fetch_ms_ = now_ms + kFetchRetryBackoffMs;
      return;
    }
    truncate_on_divergence(*resp.diverging_epoch);
  } else if (resp.snapshot_id) {
    const SnapshotId id = *resp.snapshot_id;
    if (id.end_offset <= log_->end_offset() && id.end_offset <= high_watermark_) {
      ++stats_.dropped_messages;  // nothing to gain from it
      next_fetch_ms_ = now_ms + kFetchRetryBackoffMs;
      return;
    }
    download_ = SnapshotDownload{id, {}};
  } else if (!resp.records.empty()) {
    absl::StatusOr<int64_t> end = log_->append_fetched(resp.records, quorum_.epoch);
    if (!end.ok() && protocol::to_error_code(end.status()) == ErrorCode::kKafkaStorageError) {
      // Our disk, not the leader's bytes: the log (and its epoch cache) may be half-updated.
      fail(end.status());
      return;
    }
    if (!end.ok()) {
      ++stats_.dropped_messages;  // garbage from the wire: never into the log
      next_fetch_ms_ = now_ms + kFetchRetryBackoffMs;
      return;
    }
    absl::StatusOr<int64_t> durable = log_->flush();  // reported by the next fetch offset
    if (!durable.ok()) {
      fail(durable.status());
      return;
    }
    matched = true;
  } else {
    matched = true;
  }
  if (!active()) return;
  last_leader_contact_ms_ = now_ms;
  fetch_deadline_ms_ = now_ms + config_.fetch_timeout_ms;
  if (matched) advance_hw(std::min(log_->end_offset(), resp.high_watermark), now_ms);
  if (!active()) return;
  next_fetch_ms_ = now_ms;
  send_fetch(now_ms);
}

void RaftNode::poll_replication(int64_t now_ms) {
  if (role_ == Role::kLeader) {
    if (flush_deadline_ms_ >= 0 && now_ms >= flush_deadline_ms_) leader_flush(now_ms);
    if (!active()) return;
    release_held_fetches(/*all=*/false, now_ms);
    return;
  }
  const bool fetching = role_ == Role::kFollower || (role_ == Role::kUnattached && !is_voter_);
  if (fetching && fetch_in_flight_ == 0 && now_ms >= next_fetch_ms_) {
    next_fetch_ms_ = now_ms + kFetchRetryBackoffMs;
    send_fetch(now_ms);
  }
}

}  // namespace keel::controller::raft
