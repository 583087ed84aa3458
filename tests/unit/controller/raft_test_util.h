// File: tests/unit/controller/raft_test_util.h
// A small harness for RaftNode unit tests: nodes on in-memory disks, a network that delivers
// every message at once (unless a filter drops it), and a clock advanced to the next deadline.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/raft/raft_node.h"
#include "gtest/gtest.h"
#include "storage/mem_env.h"

namespace keel::controller::raft::testing {

// Records what a node applied.
class RecordingStateMachine final : public StateMachine {
 public:
  void on_committed(int64_t offset, int32_t, std::string_view payload) override {
    offsets.push_back(offset);
    payloads.emplace_back(payload);
  }
  void on_leader_change(int32_t leader, int32_t epoch) override {
    leader_changes.emplace_back(leader, epoch);
  }
  absl::StatusOr<std::string> take_snapshot(int64_t) override {
    std::string out;
    for (const std::string& p : payloads) absl::StrAppend(&out, p, "\n");
    return out;
  }
  absl::Status load_snapshot(int64_t, std::string_view bytes) override {
    payloads.clear();
    offsets.clear();
    size_t start = 0;
    while (start < bytes.size()) {
      const size_t nl = bytes.find('\n', start);
      payloads.emplace_back(bytes.substr(start, nl - start));
      offsets.push_back(-1);
      start = nl + 1;
    }
    ++snapshots_loaded;
    return absl::OkStatus();
  }
  std::vector<int64_t> offsets;
  std::vector<std::string> payloads;
  std::vector<std::pair<int32_t, int32_t>> leader_changes;
  int snapshots_loaded = 0;
};

inline RaftConfig test_config(int32_t id, std::vector<int32_t> voters) {
  RaftConfig c;
  c.node_id = id;
  c.voters = std::move(voters);
  c.election_timeout_ms = 100;
  c.fetch_timeout_ms = 200;
  c.election_backoff_max_ms = 100;
  c.request_timeout_ms = 100;
  c.append_linger_ms = 0;
  c.fetch_max_wait_ms = 50;
  c.log_config.segment_bytes = 4096;
  c.log_config.segment_index_bytes = 1024;
  return c;
}

class TestCluster {
 public:
  explicit TestCluster(int voters, std::function<void(RaftConfig&)> tweak = nullptr)
      : tweak_(std::move(tweak)) {
    for (int i = 1; i <= voters; ++i) ids_.push_back(i);
    for (int32_t id : ids_) open(id);
  }

  void open(int32_t id) {
    sms_[id] = std::make_unique<RecordingStateMachine>();
    RaftConfig config = test_config(id, ids_);
    if (tweak_) tweak_(config);
    auto node = RaftNode::open(&env_, &clock_, absl::StrCat("/n", id), config, sms_[id].get(),
                               static_cast<uint64_t>(id) * 7919, now_);
    ASSERT_TRUE(node.ok()) << node.status();
    nodes_[id] = std::move(*node);
  }
  void close(int32_t id) { nodes_.erase(id); }

  // Delivers messages until none are left (bounded).
  void deliver_all() {
    for (int round = 0; round < 10000; ++round) {
      std::vector<Envelope> batch;
      for (auto& [id, node] : nodes_) {
        for (Envelope& e : node->take_outbox()) batch.push_back(std::move(e));
      }
      if (batch.empty()) return;
      for (const Envelope& e : batch) {
        if (drop && drop(e)) continue;
        auto it = nodes_.find(e.to);
        if (it != nodes_.end()) it->second->handle(e, now_);
      }
    }
  }

  // Runs timers and messages for `ms` of simulated time.
  void run_for(int64_t ms) {
    const int64_t end = now_ + ms;
    deliver_all();
    while (true) {
      int64_t next = end;
      for (auto& [id, node] : nodes_) next = std::min(next, node->next_deadline_ms());
      now_ = std::max(now_, next);
      clock_.set_ms(now_);
      for (auto& [id, node] : nodes_) {
        if (node->next_deadline_ms() <= now_) node->poll(now_);
      }
      deliver_all();
      if (now_ >= end) return;
    }
  }

  RaftNode* leader() {
    RaftNode* best = nullptr;
    for (auto& [id, node] : nodes_) {
      if (node->role() == Role::kLeader && (!best || node->epoch() > best->epoch())) {
        best = node.get();
      }
    }
    return best;
  }

  RaftNode& node(int32_t id) { return *nodes_.at(id); }
  RecordingStateMachine& sm(int32_t id) { return *sms_.at(id); }
  int64_t now() const { return now_; }
  storage::MemEnv& env() { return env_; }

  std::function<bool(const Envelope&)> drop;

 private:
  std::function<void(RaftConfig&)> tweak_;
  storage::MemEnv env_;
  storage::ManualClock clock_{0};
  int64_t now_ = 0;
  std::vector<int32_t> ids_;
  std::map<int32_t, std::unique_ptr<RecordingStateMachine>> sms_;
  std::map<int32_t, std::unique_ptr<RaftNode>> nodes_;
};

}  // namespace keel::controller::raft::testing
