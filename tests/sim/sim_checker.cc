#include "tests/sim/sim_checker.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace keel::sim {

using controller::raft::RaftNode;
using controller::raft::Role;

void Checker::fail(std::string checker, std::string detail) {
  if (!violation_) violation_ = Violation{std::move(checker), std::move(detail)};
}

void Checker::on_apply(int32_t node, int64_t offset, int32_t epoch, std::string_view payload,
                       int32_t node_epoch) {
  auto last = last_applied_.find(node);
  if (last != last_applied_.end() && offset <= last->second) {
    fail("state-machine-order",
         absl::StrCat("node ", node, " applied offset ", offset, " after ", last->second));
  }
  last_applied_[node] = offset;
  auto [it, inserted] =
      committed_.emplace(offset, Committed{epoch, std::string(payload), node_epoch});
  it->second.commit_epoch = std::min(it->second.commit_epoch, node_epoch);
  if (!inserted && (it->second.epoch != epoch || it->second.payload != payload)) {
    fail("state-machine-safety",
         absl::StrCat("node ", node, " applied '", std::string(payload), "' (epoch ", epoch,
                      ") at offset ", offset, " where '", it->second.payload, "' (epoch ",
                      it->second.epoch, ") was committed"));
  }
}

void Checker::on_vote_granted(int32_t voter, int32_t epoch, int32_t candidate) {
  auto [it, inserted] = vote_of_.emplace(std::make_pair(voter, epoch), candidate);
  if (!inserted && it->second != candidate) {
    fail("one-vote-per-epoch", absl::StrCat("node ", voter, " voted for ", it->second, " and ",
                                            candidate, " in epoch ", epoch));
  }
}

void Checker::on_snapshot(int32_t node,
                          const std::vector<std::pair<int64_t, std::string>>& records) {
  for (const auto& [offset, payload] : records) {
    auto it = committed_.find(offset);
    if (it == committed_.end() || it->second.payload != payload) {
      fail("snapshot-safety", absl::StrCat("node ", node, " loaded a snapshot with '", payload,
                                           "' at offset ", offset, " which was not committed"));
    }
  }
  last_applied_[node] = records.empty() ? -1 : records.back().first;
}

void Checker::check_applied(int32_t id,
                            const std::vector<std::pair<int64_t, std::string>>& applied) {
  auto it = committed_.begin();
  for (const auto& [offset, payload] : applied) {
    if (it == committed_.end() || it->first != offset || it->second.payload != payload) {
      fail("state-machine-safety",
           absl::StrCat("node ", id, " applied sequence differs from the committed one at offset ",
                        offset,
                        it == committed_.end() ? "" : absl::StrCat(" (expected ", it->first, ")")));
      return;
    }
    ++it;
  }
}

void Checker::observe(int32_t id, const RaftNode& node, int64_t step) {
  if (!node.failed().ok()) {
    fail("node-failed", absl::StrCat("node ", id, " failed: ", node.failed().ToString()));
    return;
  }
  const int64_t hw = node.high_watermark();
  auto last = last_hw_.find(id);
  if (last != last_hw_.end() && hw < last->second) {
    fail("hw-monotonic",
         absl::StrCat("node ", id, " high watermark fell from ", last->second, " to ", hw));
  }
  last_hw_[id] = hw;
  if (hw > node.log_end_offset() && hw > node.log_start_offset()) {
    fail("hw-bound",
         absl::StrCat("node ", id, " hw ", hw, " above log end ", node.log_end_offset()));
  }
  const std::pair<int32_t, int32_t> role{static_cast<int32_t>(node.role()), node.epoch()};
  auto prev = last_role_.find(id);
  const bool changed = prev == last_role_.end() || prev->second != role;
  last_role_[id] = role;
  if (node.role() != Role::kLeader || !changed) return;
  auto [it, inserted] = leader_of_epoch_.emplace(node.epoch(), id);
  if (!inserted && it->second != id) {
    fail("leader-per-epoch", absl::StrCat("nodes ", it->second, " and ", id, " both led epoch ",
                                          node.epoch(), " (step ", step, ")"));
    return;
  }
  if (inserted) ++leader_changes_;
  check_leader_completeness(id, node);
}

void Checker::check_leader_completeness(int32_t id, const RaftNode& node) {
  const controller::raft::RaftLog& log = node.log();
  const int64_t from = log.start_offset();
  std::map<int64_t, std::string> have;
  absl::Status status =
      log.visit(from, log.end_offset(),
                [&](int64_t offset, int32_t, bool is_control, std::string_view payload) {
                  if (!is_control) have[offset] = std::string(payload);
                });
  if (!status.ok()) {
    fail("log-readable", absl::StrCat("node ", id, ": ", status.ToString()));
    return;
  }
  for (auto it = committed_.lower_bound(from); it != committed_.end(); ++it) {
    // A leader of an older epoch may still be elected after a newer one committed (it can
    // never commit itself): Raft promises committed records to leaders of later epochs.
    if (it->second.commit_epoch >= node.epoch()) continue;
    auto found = have.find(it->first);
    if (found == have.end() || found->second != it->second.payload) {
      fail("leader-completeness",
           absl::StrCat("leader ", id, " of epoch ", node.epoch(), " lacks committed offset ",
                        it->first, " ('", it->second.payload, "')"));
      return;
    }
  }
}

void Checker::check_logs(const std::vector<const RaftNode*>& nodes) {
  // Per node: offset -> (epoch, payload) of its whole log.
  struct Entry {
    int32_t epoch;
    bool control;
    std::string payload;
  };
  std::vector<std::map<int64_t, Entry>> logs(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const controller::raft::RaftLog& log = nodes[i]->log();
    absl::Status status =
        log.visit(log.start_offset(), log.end_offset(),
                  [&](int64_t offset, int32_t epoch, bool is_control, std::string_view payload) {
                    logs[i][offset] = Entry{epoch, is_control, std::string(payload)};
                  });
    if (!status.ok()) return fail("log-readable", status.ToString());
  }
  for (size_t a = 0; a < nodes.size(); ++a) {
    for (size_t b = a + 1; b < nodes.size(); ++b) {
      // The last offset both hold with the same epoch: everything both hold below must match.
      int64_t match = -1;
      for (auto it = logs[a].rbegin(); it != logs[a].rend(); ++it) {
        auto other = logs[b].find(it->first);
        if (other != logs[b].end() && other->second.epoch == it->second.epoch) {
          match = it->first;
          break;
        }
      }
      for (const auto& [offset, entry] : logs[a]) {
        if (offset > match) break;
        auto other = logs[b].find(offset);
        if (other == logs[b].end()) continue;  // below the other's log start
        if (other->second.epoch != entry.epoch || other->second.payload != entry.payload ||
            other->second.control != entry.control) {
          return fail("log-matching",
                      absl::StrCat("nodes ", nodes[a]->node_id(), " and ", nodes[b]->node_id(),
                                   " agree at offset ", match, " but differ at ", offset));
        }
      }
    }
  }
}

void SimStateMachine::on_committed(int64_t offset, int32_t epoch, std::string_view payload) {
  applied_.emplace_back(offset, std::string(payload));
  const int32_t node_epoch = raft_ && *raft_ ? (*raft_)->epoch() : epoch;
  checker_->on_apply(node_, offset, epoch, payload, node_epoch);
}

absl::StatusOr<std::string> SimStateMachine::take_snapshot(int64_t end_offset) {
  std::string out;
  for (const auto& [offset, payload] : applied_) {
    if (offset >= end_offset) break;
    // Escaped: the controller simulation's payloads are binary (the Raft-only ones are not
    // changed by it).
    absl::StrAppend(&out, offset, " ", absl::CEscape(payload), "\n");
  }
  return out;
}

absl::Status SimStateMachine::load_snapshot(int64_t /*end_offset*/, std::string_view bytes) {
  applied_.clear();
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(bytes.data(), bytes.size()), '\n', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(line, absl::MaxSplits(' ', 1));
    int64_t offset = 0;
    std::string payload;
    if (!absl::SimpleAtoi(kv.first, &offset) || !absl::CUnescape(kv.second, &payload)) {
      return absl::DataLossError("bad sim snapshot");
    }
    applied_.emplace_back(offset, std::move(payload));
  }
  checker_->on_snapshot(node_, applied_);
  return absl::OkStatus();
}

}  // namespace keel::sim
