#include "tests/sim/sim_cluster.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "tests/sim/sim_corrupt.h"
#include "tests/sim/sim_tee.h"

namespace keel::sim {
namespace {

using controller::raft::Envelope;
using controller::raft::RaftConfig;
using controller::raft::RaftNode;
using controller::raft::Role;

struct InFlight {
  int64_t deliver_at;
  uint64_t seq;
  Envelope envelope;
  bool operator>(const InFlight& o) const {
    return deliver_at != o.deliver_at ? deliver_at > o.deliver_at : seq > o.seq;
  }
};

struct Node {
  int32_t id = 0;
  storage::MemEnv disk;
  std::unique_ptr<storage::FaultEnv> env;
  std::unique_ptr<SimStateMachine> sm;
  std::unique_ptr<TeeStateMachine> tee;  // sm + the app's, with an app
  std::unique_ptr<RaftNode> raft;
  int64_t restart_at = -1;    // down until then
  int64_t last_vote_ms = -1;  // when it last granted a vote
  int32_t leader_epoch = -1;  // the epoch it last led, and since when
  int64_t leader_since_ms = -1;
  controller::raft::RaftStats past;  // stats of earlier lifetimes
};

class Simulation {
 public:
  explicit Simulation(const SimOptions& options) : options_(options), rng_(options.seed) {}

  SimResult run();

 private:
  double uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  int64_t between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(hi - lo + 1));
  }
  void setup();
  RaftConfig config_for(int32_t id) const;
  void start(Node& node);
  void crash(Node& node);
  void send_all(Node& node);
  // The owner's turn after a handle/poll/resign: the app's step, then the outbox.
  void after_event(Node& node) {
    if (options_.app && node.raft) options_.app->after_event(node.id);
    send_all(node);
  }
  void send(const Envelope& envelope);
  bool blocked(int32_t from, int32_t to) const { return blocked_.count({from, to}) > 0; }
  void inject_fault();
  void client_append();
  bool step_event();  // false: nothing to do
  void check(int64_t step);
  void check_nodes(int64_t step);
  Node* leader();
  Node* node(int32_t id) {
    for (auto& n : nodes_) {
      if (n->id == id) return n.get();
    }
    return nullptr;
  }
  void trace(const std::string& line) {
    if (options_.verbose) std::printf("[t=%lld] %s\n", static_cast<long long>(now_), line.c_str());
  }

  SimOptions options_;
  std::mt19937_64 rng_;
  storage::ManualClock clock_{0};
  int64_t now_ = 0;
  uint64_t seq_ = 0;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<int32_t> voters_;
  std::priority_queue<InFlight, std::vector<InFlight>, std::greater<>> network_;
  std::set<std::pair<int32_t, int32_t>> blocked_;
  Checker checker_;
  Coverage coverage_;
  // Per-seed chaos knobs.
  double loss_ = 0, dup_ = 0, corrupt_ = 0, fault_rate_ = 0, append_rate_ = 0;
  int64_t min_delay_ = 1, max_delay_ = 10;
  int32_t fetch_max_bytes_ = 1 << 16;
  int64_t snapshot_bytes_ = 1000;
  int64_t payload_counter_ = 0;
  bool faults_on_ = true;
  bool disk_faults_ = false;  // this seed injects disk errors
  storage::FaultEnv::RandomFaults disk_fault_rates_;
  std::map<int32_t, std::string> traced_;
};

RaftConfig Simulation::config_for(int32_t id) const {
  RaftConfig c;
  c.node_id = id;
  c.voters = voters_;
  c.election_timeout_ms = 100;
  c.fetch_timeout_ms = 200;
  c.election_backoff_max_ms = 100;
  c.request_timeout_ms = 100;
  c.append_linger_ms = 5;
  c.fetch_max_wait_ms = 50;
  c.fetch_max_bytes = fetch_max_bytes_;
  c.fetch_snapshot_max_bytes = 256;
  c.snapshot_min_bytes_between = snapshot_bytes_;
  c.snapshot_interval_ms = 0;
  c.log_config.segment_bytes = 4096;
  c.log_config.segment_index_bytes = 1024;
  c.log_config.index_interval_bytes = 512;
  c.mutations = options_.mutations;
  return c;
}

void Simulation::setup() {
  if (options_.app) {
    std::function<void(const std::string&)> tracer;
    if (options_.verbose) tracer = [this](const std::string& line) { trace(line); };
    options_.app->bind(
        &checker_, [this] { return now_; }, std::move(tracer));
  }
  const int voters = uniform() < 0.7 ? 3 : 5;
  const bool observer = uniform() < 0.25;
  for (int i = 1; i <= voters; ++i) voters_.push_back(i);
  for (int i = 1; i <= voters + (observer ? 1 : 0); ++i) {
    auto n = std::make_unique<Node>();
    n->id = i;
    nodes_.push_back(std::move(n));
  }
  loss_ = uniform() * 0.1;
  dup_ = uniform() * 0.05;
  corrupt_ = uniform() < 0.5 ? uniform() * 0.03 : 0;
  min_delay_ = between(0, 3);
  max_delay_ = min_delay_ + between(1, 30);
  fault_rate_ = 0.01 + uniform() * 0.04;
  append_rate_ = 0.05 + uniform() * 0.15;
  fetch_max_bytes_ = static_cast<int32_t>(uniform() < 0.5 ? between(80, 400) : 1 << 16);
  snapshot_bytes_ = between(100, 2000);
  disk_faults_ = uniform() < 0.3;
  for (auto& n : nodes_) {
    n->env = std::make_unique<storage::FaultEnv>(&n->disk, rng_());
    if (disk_faults_) {
      disk_fault_rates_.write_error = 0.002;
      disk_fault_rates_.torn_write = 0.001;
      disk_fault_rates_.sync_error = 0.002;
      disk_fault_rates_.read_error = 0.0005;
      disk_fault_rates_.write_errno = uniform() < 0.5 ? ENOSPC : EIO;
      n->env->set_random_faults(disk_fault_rates_);
    }
    start(*n);
  }
}

void Simulation::start(Node& n) {
  n.sm = std::make_unique<SimStateMachine>(n.id, &checker_, &n.raft);
  controller::raft::StateMachine* sm = n.sm.get();
  if (options_.app) {
    n.tee = std::make_unique<TeeStateMachine>(n.sm.get(), options_.app->open(n.id));
    sm = n.tee.get();
  }
  checker_.on_restart(n.id);
  absl::StatusOr<std::unique_ptr<RaftNode>> raft = RaftNode::open(
      n.env.get(), &clock_, absl::StrCat("/n", n.id), config_for(n.id), sm, rng_(), now_);
  if (!raft.ok()) {
    if (options_.app) options_.app->stopped(n.id);
    n.tee.reset();
    if (disk_faults_ && faults_on_) {
      n.sm.reset();
      n.restart_at = now_ + 20;  // an injected disk error: try again, as an operator would
      return;
    }
    checker_.fail("restart",
                  absl::StrCat("node ", n.id, " cannot open: ", raft.status().ToString()));
    return;
  }
  n.raft = std::move(*raft);
  n.restart_at = -1;
  if (options_.app) options_.app->started(n.id, n.raft.get());
  send_all(n);
}

void Simulation::crash(Node& n) {
  if (!n.raft) return;
  if (n.raft->log_end_offset() > n.raft->log().durable_offset())
    ++coverage_.crashes_losing_unsynced;
  const controller::raft::RaftStats& s = n.raft->stats();
  n.past.elections_won += s.elections_won;
  n.past.divergence_truncations += s.divergence_truncations;
  n.past.snapshots_installed += s.snapshots_installed;
  n.past.snapshots_taken += s.snapshots_taken;
  n.env->freeze();
  if (options_.app) options_.app->stopped(n.id);
  n.raft.reset();
  n.tee.reset();
  n.sm.reset();
  // The unsynced tail of a file is lost, torn or torn and corrupted; unsynced renames and
  // creations may survive (a journaling file system that committed them).
  storage::FaultEnv::CrashOptions how;
  const uint64_t tail = rng_() % 3;
  how.tail = tail == 0   ? storage::FaultEnv::CrashOptions::Tail::kDrop
             : tail == 1 ? storage::FaultEnv::CrashOptions::Tail::kTorn
                         : storage::FaultEnv::CrashOptions::Tail::kCorrupt;
  how.keep_unsynced_metadata = uniform() < 0.3;
  absl::Status status = n.env->crash(how);
  if (!status.ok()) checker_.fail("crash", status.ToString());
  n.restart_at = now_ + between(1, 400);
  trace(absl::StrCat("crash node ", n.id));
}

void Simulation::send(const Envelope& e) {
  ++coverage_.messages;
  if (faults_on_ && uniform() < corrupt_) {
    ++coverage_.malformed_messages;
    network_.push(
        InFlight{now_ + between(min_delay_, max_delay_), seq_++, corrupt_message(e, rng_)});
  }
  if (blocked(e.from, e.to) || uniform() < loss_) return;
  const int copies = uniform() < dup_ ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    network_.push(InFlight{now_ + between(min_delay_, max_delay_), seq_++, e});
  }
}

void Simulation::send_all(Node& n) {
  if (!n.raft) return;
  for (Envelope& e : n.raft->take_outbox()) {
    if (const auto* vote = std::get_if<controller::raft::VoteResponse>(&e.message)) {
      if (vote->vote_granted && !vote->pre_vote) {
        checker_.on_vote_granted(n.id, vote->leader_epoch, e.to);
        n.last_vote_ms = now_;
      }
    }
    send(e);
  }
}

Node* Simulation::leader() {
  Node* best = nullptr;
  for (auto& n : nodes_) {
    if (n->raft && n->raft->role() == Role::kLeader &&
        (!best || n->raft->epoch() > best->raft->epoch())) {
      best = n.get();
    }
  }
  return best;
}

void Simulation::client_append() {
  if (options_.app) {
    std::vector<int32_t> touched;
    options_.app->client_event(rng_, &touched);
    for (int32_t id : touched) {
      if (Node* n = node(id)) send_all(*n);
    }
    return;
  }
  Node* l = leader();
  if (!l) return;
  std::vector<std::string> payloads;
  const int n = static_cast<int>(between(1, 3));
  for (int i = 0; i < n; ++i) payloads.push_back(absl::StrCat("p", payload_counter_++));
  absl::StatusOr<int64_t> offset = l->raft->append(payloads, now_);
  if (offset.ok()) trace(absl::StrCat("append to ", l->id, " -> ", *offset));
  send_all(*l);
}

void Simulation::inject_fault() {
  const double r = uniform();
  Node& victim = *nodes_[rng_() % nodes_.size()];
  if (r < 0.30) {
    // Crash a leader more often: that is where unsynced data and elections meet.
    // Crash where it hurts: a leader (unsynced appends) or a node that just voted.
    Node* l = leader();
    Node* voter = nullptr;
    for (auto& n : nodes_) {
      if (n->raft && n->last_vote_ms >= 0 && now_ - n->last_vote_ms < 20) voter = n.get();
    }
    // ... or a leader just elected, whose LeaderChange may not have reached anyone yet.
    Node* fresh = nullptr;
    for (auto& n : nodes_) {
      if (n->raft && n->raft->role() == Role::kLeader && now_ - n->leader_since_ms < 30) {
        fresh = n.get();
      }
    }
    const double pick = uniform();
    crash(pick < 0.3 && fresh    ? *fresh
          : pick < 0.5 && l      ? *l
          : pick < 0.75 && voter ? *voter
                                 : victim);
  } else if (r < 0.45) {
    for (auto& n : nodes_) {
      if (n->id != victim.id) {
        blocked_.insert({victim.id, n->id});
        blocked_.insert({n->id, victim.id});
      }
    }
    trace(absl::StrCat("isolate ", victim.id));
  } else if (r < 0.55) {
    Node& other = *nodes_[rng_() % nodes_.size()];
    if (other.id != victim.id) blocked_.insert({victim.id, other.id});  // one-way
  } else if (r < 0.65) {
    // Split into two groups.
    for (auto& a : nodes_) {
      for (auto& b : nodes_) {
        if (a->id != b->id && ((a->id <= 2) != (b->id <= 2))) blocked_.insert({a->id, b->id});
      }
    }
  } else if (r < 0.85) {
    if (!blocked_.empty()) ++coverage_.partitions_healed;
    blocked_.clear();
    trace("heal");
  } else if (r < 0.95) {
    if (victim.raft) {
      victim.raft->resign(now_);
      after_event(victim);
    }
  } else if (!victim.raft && victim.restart_at >= 0) {
    start(victim);
  }
}

bool Simulation::step_event() {
  int64_t next = INT64_MAX;
  Node* timer = nullptr;
  for (auto& n : nodes_) {
    const int64_t t = n->raft ? n->raft->next_deadline_ms() : n->restart_at;
    if (t >= 0 && t < next) {
      next = t;
      timer = n.get();
    }
  }
  if (!network_.empty() && network_.top().deliver_at <= next) {
    InFlight m = network_.top();
    network_.pop();
    now_ = std::max(now_, m.deliver_at);
    clock_.set_ms(now_);
    Node* to = node(m.envelope.to);
    if (!to || !to->raft || blocked(m.envelope.from, m.envelope.to)) return true;
    to->raft->handle(m.envelope, now_);
    after_event(*to);
    return true;
  }
  if (!timer) return false;
  now_ = std::max(now_, next);
  clock_.set_ms(now_);
  if (!timer->raft) {
    start(*timer);
  } else {
    timer->raft->poll(now_);
    after_event(*timer);
  }
  return true;
}

void Simulation::check(int64_t step) {
  // The checkers read the nodes' logs: not through injected read errors.
  const bool faulty = disk_faults_ && faults_on_;
  if (faulty) {
    for (auto& n : nodes_) n->env->clear_faults();
  }
  check_nodes(step);
  if (options_.app && !checker_.violation()) options_.app->check(step, false);
  if (faulty) {
    for (auto& n : nodes_) n->env->set_random_faults(disk_fault_rates_);
  }
}

void Simulation::check_nodes(int64_t step) {
  std::vector<const RaftNode*> live;
  for (auto& n : nodes_) {
    if (!n->raft) continue;
    if (disk_faults_ && !n->raft->failed().ok()) {
      ++coverage_.disk_errors;  // fail-stop on an injected disk error: restart it
      crash(*n);
      continue;
    }
    checker_.observe(n->id, *n->raft, step);
    if (n->raft->role() == Role::kLeader && n->leader_epoch != n->raft->epoch()) {
      n->leader_epoch = n->raft->epoch();
      n->leader_since_ms = now_;
    }
    if (options_.verbose) {
      const RaftNode& r = *n->raft;
      const std::string state = absl::StrCat(
          controller::raft::role_name(r.role()), " epoch ", r.epoch(), " leader ", r.leader_id(),
          " voted ", r.voted_for(), " log [", r.log_start_offset(), ", ", r.log_end_offset(),
          ") last epoch ", r.log().last_epoch(), " hw ", r.high_watermark());
      if (traced_[n->id] != state) {
        traced_[n->id] = state;
        trace(absl::StrCat("node ", n->id, ": ", state));
      }
    }
    live.push_back(n->raft.get());
  }
  if (step % 64 == 0) {
    checker_.check_logs(live);
    for (auto& n : nodes_) {
      if (n->sm) checker_.check_applied(n->id, n->sm->applied());
    }
  }
}

SimResult Simulation::run() {
  setup();
  const int64_t fault_steps = options_.steps * 7 / 10;
  int64_t step = 0;
  for (; step < options_.steps && !checker_.violation(); ++step) {
    if (step == fault_steps) {
      // Quiet phase: the network heals and becomes reliable, crashed nodes come back.
      faults_on_ = false;
      if (!blocked_.empty()) ++coverage_.partitions_healed;
      blocked_.clear();
      loss_ = dup_ = 0;
      for (auto& n : nodes_) n->env->clear_faults();
      for (auto& n : nodes_) {
        if (!n->raft) start(*n);
      }
    }
    const double r = uniform();
    if (faults_on_ && r < fault_rate_) {
      inject_fault();
    } else if (r < fault_rate_ + append_rate_) {
      client_append();
    } else if (!step_event()) {
      break;
    }
    check(step);
  }
  // Liveness: with everything healed, a leader must commit a fresh append. The commit point
  // must keep moving: no 20 s (simulated) without the highest HW advancing, 10 min at most
  // (a long run may leave a backlog that small fetches replicate slowly).
  if (!checker_.violation()) {
    const int64_t start = now_;
    int64_t last_progress = now_;
    int64_t best_hw = -1;
    const std::string probe =
        options_.app ? options_.app->probe_payload() : absl::StrCat("live", options_.seed);
    int64_t probe_offset = -1;
    Node* probe_leader = nullptr;
    auto committed = [&] {
      return probe_leader && probe_leader->raft &&
             probe_leader->raft->high_watermark() > probe_offset;
    };
    bool app_live = !options_.app;  // the app too must get an answer through
    auto app_step = [&] {
      std::vector<int32_t> touched;
      app_live = options_.app->liveness_step(&touched);
      for (int32_t id : touched) send_all(*node(id));
    };
    while (!checker_.violation() && now_ - last_progress < 20000 && now_ - start < 600000) {
      Node* l = leader();
      if (l && (probe_offset < 0 || probe_leader != l)) {
        absl::StatusOr<int64_t> offset = l->raft->append({probe}, now_);
        if (offset.ok()) {
          probe_offset = *offset;
          probe_leader = l;
        }
        send_all(*l);
      }
      if (!app_live) app_step();
      if (committed() && app_live) break;
      if (!step_event()) break;
      check(++step);
      for (auto& n : nodes_) {
        if (n->raft && n->raft->high_watermark() > best_hw) {
          best_hw = n->raft->high_watermark();
          last_progress = now_;
        }
      }
    }
    if (!checker_.violation() && !committed()) {
      checker_.fail("liveness", absl::StrCat("no append committed after the faults stopped (",
                                             now_ - start, " ms simulated, last progress ",
                                             now_ - last_progress, " ms ago)"));
    } else if (!checker_.violation() && !app_live) {
      checker_.fail("app-liveness", absl::StrCat("the app made no progress after the faults "
                                                 "stopped (",
                                                 now_ - start, " ms simulated)"));
    }
  }
  if (!checker_.violation()) {
    std::vector<const RaftNode*> live;
    for (auto& n : nodes_) {
      if (n->raft) live.push_back(n->raft.get());
    }
    checker_.check_logs(live);
  }
  if (options_.app && !checker_.violation()) options_.app->check(step, true);
  SimResult result;
  result.violation = checker_.violation();
  result.steps_run = step;
  for (auto& n : nodes_) {
    if (n->raft) {
      const controller::raft::RaftStats& s = n->raft->stats();
      n->past.elections_won += s.elections_won;
      n->past.divergence_truncations += s.divergence_truncations;
      n->past.snapshots_installed += s.snapshots_installed;
      n->past.snapshots_taken += s.snapshots_taken;
    }
    coverage_.elections += n->past.elections_won;
    coverage_.divergence_truncations += n->past.divergence_truncations;
    coverage_.snapshot_installs += n->past.snapshots_installed;
    coverage_.snapshots_taken += n->past.snapshots_taken;
  }
  coverage_.leader_changes = checker_.leader_changes();
  coverage_.commits = checker_.committed_records();
  result.coverage = coverage_;
  return result;
}

}  // namespace

SimResult run_simulation(const SimOptions& options) { return Simulation(options).run(); }

}  // namespace keel::sim
