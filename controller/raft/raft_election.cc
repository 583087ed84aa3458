// RaftNode elections: role transitions, pre-vote (KIP-996) and vote, BeginQuorumEpoch after
// winning, EndQuorumEpoch on resigning, and the election timers.
#include <algorithm>

#include "controller/raft/raft_node.h"

namespace keel::controller::raft {

void RaftNode::become_unattached(int32_t epoch, int64_t now_ms) {
  clear_role_state();
  if (epoch > quorum_.epoch) {
    if (!persist(QuorumStateData{epoch, -1, -1, {}})) return;
  }
  role_ = Role::kUnattached;
  election_deadline_ms_ = now_ms + randomized_election_timeout();
  next_fetch_ms_ = now_ms;
}

void RaftNode::become_prospective(int64_t now_ms) {
  if (!is_voter_) return;
  clear_role_state();
  role_ = Role::kProspective;
  ++stats_.pre_votes_started;
  granted_.insert(config_.node_id);
  election_deadline_ms_ = now_ms + randomized_election_timeout();
  if (granted_.size() * 2 > config_.voters.size()) {
    become_candidate(now_ms);
    return;
  }
  send_vote_requests(/*pre_vote=*/true, now_ms);
}

void RaftNode::become_candidate(int64_t now_ms) {
  clear_role_state();
  // The self-vote is durable before any Vote request asks others to join it.
  if (!persist(QuorumStateData{quorum_.epoch + 1, config_.node_id, -1, {}})) return;
  role_ = Role::kCandidate;
  ++stats_.elections_started;
  granted_.insert(config_.node_id);
  election_deadline_ms_ = now_ms + randomized_election_timeout();
  if (granted_.size() * 2 > config_.voters.size()) {
    become_leader(now_ms);
    return;
  }
  send_vote_requests(/*pre_vote=*/false, now_ms);
}

void RaftNode::become_leader(int64_t now_ms) {
  clear_role_state();
  if (!persist(QuorumStateData{quorum_.epoch, config_.node_id, config_.node_id, {}})) return;
  role_ = Role::kLeader;
  ++stats_.elections_won;
  epoch_start_offset_ = log_->end_offset();
  absl::StatusOr<int64_t> appended =
      log_->append_leader_change(quorum_.epoch, config_.node_id, config_.voters, now_ms);
  if (!appended.ok()) {
    fail(appended.status());
    return;
  }
  for (int32_t voter : config_.voters) replicas_[voter] = ReplicaProgress{};
  replicas_[config_.node_id].begin_acked = true;
  check_quorum_deadline_ms_ = now_ms + config_.fetch_timeout_ms * 3 / 2;
  sm_->on_leader_change(config_.node_id, quorum_.epoch);
  leader_flush(now_ms);
  for (int32_t voter : config_.voters) {
    if (voter != config_.node_id) send_begin_quorum(voter, now_ms);
  }
}

void RaftNode::become_follower(int32_t epoch, int32_t leader_id, int64_t now_ms) {
  clear_role_state();
  QuorumStateData next = quorum_;
  if (epoch > quorum_.epoch) next = QuorumStateData{epoch, -1, leader_id, {}};
  next.leader_id = leader_id;
  if (!(next == quorum_) || next.voters != config_.voters) {
    if (!persist(next)) return;
  }
  role_ = Role::kFollower;
  fetch_deadline_ms_ = now_ms + config_.fetch_timeout_ms;
  next_fetch_ms_ = now_ms;
  if (config_.mutations.truncate_to_high_watermark && high_watermark_ < log_->end_offset()) {
    // Mutant (pre-KIP-101 Kafka): a new follower drops everything above its high watermark.
    absl::Status status = log_->truncate_to(std::max(high_watermark_, log_->start_offset()));
    if (!status.ok()) {
      fail(status);
      return;
    }
  }
  sm_->on_leader_change(leader_id, epoch);
  send_fetch(now_ms);
}

void RaftNode::become_resigned(int64_t now_ms) {
  std::vector<std::pair<int64_t, int32_t>> by_end;
  for (int32_t voter : config_.voters) {
    if (voter == config_.node_id) continue;
    auto it = replicas_.find(voter);
    by_end.emplace_back(it == replicas_.end() ? -1 : it->second.end_offset, voter);
  }
  std::sort(by_end.begin(), by_end.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  clear_role_state();
  role_ = Role::kResigned;
  ++stats_.resignations;
  for (const auto& entry : by_end) preferred_successors_.push_back(entry.second);
  election_deadline_ms_ = now_ms + randomized_election_timeout();
  for (int32_t voter : preferred_successors_) send_end_quorum(voter, now_ms);
}

bool RaftNode::candidate_log_ok(int32_t last_epoch, int64_t last_offset) const {
  const int32_t my_epoch = log_->last_epoch();
  return last_epoch > my_epoch || (last_epoch == my_epoch && last_offset >= log_->end_offset());
}

void RaftNode::send_vote_requests(bool pre_vote, int64_t now_ms) {
  VoteRequest request;
  request.candidate_epoch = pre_vote ? quorum_.epoch + 1 : quorum_.epoch;
  request.candidate_id = config_.node_id;
  request.last_offset_epoch = log_->last_epoch();
  request.last_offset = log_->end_offset();
  request.pre_vote = pre_vote;
  for (int32_t voter : config_.voters) {
    if (voter == config_.node_id || granted_.count(voter) || rejected_.count(voter)) continue;
    bool outstanding = false;
    for (const auto& [correlation, pending] : pending_) outstanding |= pending.to == voter;
    if (!outstanding) send(voter, request, now_ms);
  }
}

void RaftNode::on_vote_request(const Envelope& in, const VoteRequest& req, int64_t now_ms) {
  VoteResponse response;
  response.pre_vote = req.pre_vote;
  auto answer = [&](ErrorCode error, bool granted) {
    response.error = error;
    response.vote_granted = granted;
    response.leader_id = current_leader().leader_id;
    response.leader_epoch = quorum_.epoch;
    reply(in, response);
  };
  if (!is_voter_ || req.candidate_id != in.from || !is_voter_id(req.candidate_id)) {
    return answer(ErrorCode::kInconsistentVoterSet, false);
  }
  if (req.candidate_epoch < 0 || req.last_offset < 0 || req.last_offset_epoch < 0) {
    return answer(ErrorCode::kInvalidRequest, false);
  }
  if (req.pre_vote) {
    // Would we vote for it in req.candidate_epoch? Not while a leader is alive for us.
    const bool leader_alive =
        role_ == Role::kLeader || (role_ == Role::kFollower && last_leader_contact_ms_ >= 0 &&
                                   now_ms - last_leader_contact_ms_ < config_.fetch_timeout_ms);
    const bool granted = req.candidate_epoch > quorum_.epoch && !leader_alive &&
                         candidate_log_ok(req.last_offset_epoch, req.last_offset);
    return answer(ErrorCode::kNone, granted);
  }
  if (req.candidate_epoch < quorum_.epoch) return answer(ErrorCode::kFencedLeaderEpoch, false);
  if (req.candidate_epoch > quorum_.epoch) {
    become_unattached(req.candidate_epoch, now_ms);
    if (!active()) return;
  }
  bool granted = false;
  if (quorum_.voted_for == req.candidate_id) {
    granted = true;  // a retried request: the vote is already durable
  } else if ((quorum_.voted_for >= 0 && !config_.mutations.double_vote) || quorum_.leader_id >= 0) {
    granted = false;
  } else if (candidate_log_ok(req.last_offset_epoch, req.last_offset)) {
    QuorumStateData next = quorum_;
    next.voted_for = req.candidate_id;
    if (config_.mutations.unsynced_quorum_state) {
      quorum_ = next;  // mutant: the answer leaves before the vote is on disk
      deferred_persist_ = true;
    } else if (!persist(next)) {
      return;  // no durable vote, no answer
    }
    granted = true;
    if (role_ == Role::kUnattached) {
      election_deadline_ms_ = now_ms + randomized_election_timeout();
    }
  }
  answer(ErrorCode::kNone, granted);
}

void RaftNode::on_vote_response(const Envelope& in, const VoteResponse& resp, int64_t now_ms) {
  if (resp.leader_epoch > quorum_.epoch ||
      (resp.leader_epoch == quorum_.epoch && resp.leader_id >= 0)) {
    const Role before = role_;
    const int32_t epoch_before = quorum_.epoch;
    observe_epoch(resp.leader_epoch, resp.leader_id, now_ms);
    if (!active() || role_ != before || quorum_.epoch != epoch_before) return;
  }
  const bool counting =
      (role_ == Role::kProspective && resp.pre_vote) ||
      (role_ == Role::kCandidate && !resp.pre_vote && resp.leader_epoch == quorum_.epoch);
  if (!counting || !is_voter_id(in.from)) return;
  if (resp.error != ErrorCode::kNone || !resp.vote_granted) {
    rejected_.insert(in.from);
    const size_t majority = config_.voters.size() / 2 + 1;
    if (rejected_.size() > config_.voters.size() - majority) {
      // Lost: back off for a random while before trying again.
      const int64_t backoff =
          1 + static_cast<int64_t>(rng_() % static_cast<uint64_t>(std::max<int64_t>(
                                                1, config_.election_backoff_max_ms)));
      election_deadline_ms_ = std::min(election_deadline_ms_, now_ms + backoff);
    }
    return;
  }
  granted_.insert(in.from);
  if (granted_.size() * 2 > config_.voters.size()) {
    if (role_ == Role::kProspective) {
      become_candidate(now_ms);
    } else {
      become_leader(now_ms);
    }
  }
}

void RaftNode::send_begin_quorum(int32_t voter, int64_t now_ms) {
  send(voter, BeginQuorumEpochRequest{config_.node_id, quorum_.epoch}, now_ms);
}

void RaftNode::on_begin_quorum(const Envelope& in, const BeginQuorumEpochRequest& req,
                               int64_t now_ms) {
  BeginQuorumEpochResponse response;
  auto answer = [&](ErrorCode error) {
    response.error = error;
    response.leader_id = current_leader().leader_id;
    response.leader_epoch = quorum_.epoch;
    reply(in, response);
  };
  if (!is_voter_ || req.leader_id != in.from || !is_voter_id(req.leader_id)) {
    return answer(ErrorCode::kInconsistentVoterSet);
  }
  if (req.leader_epoch < 0) return answer(ErrorCode::kInvalidRequest);
  if (req.leader_epoch < quorum_.epoch) return answer(ErrorCode::kFencedLeaderEpoch);
  if (req.leader_epoch == quorum_.epoch && quorum_.leader_id >= 0 &&
      quorum_.leader_id != req.leader_id) {
    return answer(ErrorCode::kInvalidRequest);  // two leaders in one epoch cannot both be real
  }
  if (req.leader_epoch == quorum_.epoch && role_ == Role::kLeader) {
    return answer(ErrorCode::kInvalidRequest);
  }
  if (role_ != Role::kFollower || quorum_.epoch != req.leader_epoch) {
    become_follower(req.leader_epoch, req.leader_id, now_ms);  // persisted before the ack
    if (!active()) return;
  }
  last_leader_contact_ms_ = now_ms;
  answer(ErrorCode::kNone);
}

void RaftNode::on_begin_quorum_response(const Envelope& in, const BeginQuorumEpochResponse& resp,
                                        int64_t now_ms) {
  if (resp.leader_epoch > quorum_.epoch) {
    observe_epoch(resp.leader_epoch, resp.leader_id, now_ms);
    return;
  }
  if (role_ != Role::kLeader || resp.error != ErrorCode::kNone ||
      resp.leader_epoch != quorum_.epoch) {
    return;
  }
  if (auto it = replicas_.find(in.from); it != replicas_.end()) it->second.begin_acked = true;
}

void RaftNode::send_end_quorum(int32_t voter, int64_t now_ms) {
  send(voter, EndQuorumEpochRequest{config_.node_id, quorum_.epoch, preferred_successors_}, now_ms);
}

void RaftNode::on_end_quorum(const Envelope& in, const EndQuorumEpochRequest& req, int64_t now_ms) {
  EndQuorumEpochResponse response;
  auto answer = [&](ErrorCode error) {
    response.error = error;
    response.leader_id = current_leader().leader_id;
    response.leader_epoch = quorum_.epoch;
    reply(in, response);
  };
  if (!is_voter_ || req.leader_id != in.from || !is_voter_id(req.leader_id)) {
    return answer(ErrorCode::kInconsistentVoterSet);
  }
  if (req.leader_epoch < 0) return answer(ErrorCode::kInvalidRequest);
  if (req.leader_epoch < quorum_.epoch) return answer(ErrorCode::kFencedLeaderEpoch);
  if (req.leader_epoch > quorum_.epoch) {
    observe_epoch(req.leader_epoch, req.leader_id, now_ms);
    if (!active()) return;
  }
  if (role_ == Role::kFollower && quorum_.leader_id == req.leader_id) {
    // The leader is leaving: stand soon, sooner the further up the successor list we are.
    auto pos = std::find(req.preferred_successors.begin(), req.preferred_successors.end(),
                         config_.node_id);
    int64_t delay = randomized_election_timeout();
    if (pos != req.preferred_successors.end()) {
      const int64_t rank = pos - req.preferred_successors.begin();
      const int64_t step = config_.election_backoff_max_ms /
                           std::max<int64_t>(1, static_cast<int64_t>(config_.voters.size()));
      delay = rank * step + static_cast<int64_t>(rng_() % 10);
    }
    last_leader_contact_ms_ = -1;
    fetch_deadline_ms_ = std::min(fetch_deadline_ms_, now_ms + delay);
  }
  answer(ErrorCode::kNone);
}

void RaftNode::on_end_quorum_response(const Envelope& in, const EndQuorumEpochResponse& resp,
                                      int64_t now_ms) {
  if (resp.leader_epoch > quorum_.epoch) {
    observe_epoch(resp.leader_epoch, resp.leader_id, now_ms);
    return;
  }
  if (role_ == Role::kResigned && resp.leader_epoch == quorum_.epoch) {
    end_quorum_acked_.insert(in.from);
  }
}

void RaftNode::poll_election(int64_t now_ms) {
  auto outstanding_to = [&](int32_t id) {
    for (const auto& [correlation, pending] : pending_) {
      if (pending.to == id) return true;
    }
    return false;
  };
  switch (role_) {
    case Role::kUnattached:
      if (is_voter_ && now_ms >= election_deadline_ms_) become_prospective(now_ms);
      break;
    case Role::kProspective:
    case Role::kCandidate:
      if (now_ms >= election_deadline_ms_) {
        become_prospective(now_ms);  // lost or split: start over with a pre-vote
      } else {
        send_vote_requests(role_ == Role::kProspective, now_ms);  // retry timed-out requests
      }
      break;
    case Role::kFollower:
      if (now_ms >= fetch_deadline_ms_) {
        if (is_voter_) {
          become_prospective(now_ms);
        } else {
          become_unattached(quorum_.epoch, now_ms);  // observer: look for the leader again
        }
      }
      break;
    case Role::kLeader: {
      for (auto& [id, progress] : replicas_) {
        if (is_voter_id(id) && !progress.begin_acked && !outstanding_to(id)) {
          send_begin_quorum(id, now_ms);
        }
      }
      if (now_ms >= check_quorum_deadline_ms_) {
        size_t heard = 1;
        const int64_t window = config_.fetch_timeout_ms * 3 / 2;
        for (const auto& [id, progress] : replicas_) {
          if (id != config_.node_id && is_voter_id(id) && progress.last_fetch_ms >= 0 &&
              now_ms - progress.last_fetch_ms < window) {
            ++heard;
          }
        }
        if (heard * 2 <= config_.voters.size()) {
          become_resigned(now_ms);  // check quorum: a majority has not fetched lately
        } else {
          check_quorum_deadline_ms_ = now_ms + std::max<int64_t>(1, config_.fetch_timeout_ms / 4);
        }
      }
      break;
    }
    case Role::kResigned:
      if (now_ms >= election_deadline_ms_) {
        become_prospective(now_ms);
      } else {
        for (int32_t voter : preferred_successors_) {
          if (!end_quorum_acked_.count(voter) && !outstanding_to(voter)) {
            send_end_quorum(voter, now_ms);
          }
        }
      }
      break;
  }
}

}  // namespace keel::controller::raft
