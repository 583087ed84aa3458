#include "tests/sim/controller_app.h"

#include "absl/strings/str_cat.h"
#include "controller/control/record_builders.h"
#include "tests/sim/controller_client.h"

namespace keel::sim {

using controller::raft::RaftNode;
using RaftRole = controller::raft::Role;

namespace {

// Mutant kReusedTopicIds: 11 values over and over, so topic ids (two draws each) repeat once
// their topics are deleted; the 11 ids outnumber the live topics (at most 6 names), so the
// controller always finds a free one.
class CyclingRandom final : public storage::Random {
 public:
  explicit CyclingRandom(uint64_t seed) : seeded_(seed) {}
  uint64_t next_u64() override {
    if (values_.size() < 11) return values_.emplace_back(seeded_.next_u64());
    return values_[next_++ % values_.size()];
  }

 private:
  storage::SeededRandom seeded_;
  std::vector<uint64_t> values_;
  size_t next_ = 0;
};

}  // namespace

ControllerApp::ControllerApp(uint64_t seed, ControllerMutant mutant)
    : mutant_(mutant),
      seeded_(seed * 0x9e3779b97f4a7c15ULL + 1),
      random_(&seeded_),
      check_rng_(seed ^ 0xc0ffee) {
  if (mutant_ == ControllerMutant::kReusedTopicIds) {
    cycling_ = std::make_unique<CyclingRandom>(seeded_.next_u64());
    random_ = cycling_.get();
  }
}

ControllerApp::~ControllerApp() = default;

void ControllerApp::bind(Checker* checker, std::function<int64_t()> now_ms,
                         std::function<void(const std::string&)> trace) {
  checker_ = checker;
  now_ms_ = std::move(now_ms);
  images_.emplace(checker, &coverage_, &committed_);
  client_ = std::make_unique<ControllerClient>(&nodes_, &*images_, &coverage_, std::move(trace));
}

controller::raft::StateMachine* ControllerApp::open(int32_t node) {
  ControllerNode& n = nodes_[node];
  n = ControllerNode{};
  n.id = node;
  n.sm = std::make_unique<SimMetadataMachine>(node, mutant_, &committed_, &coverage_);
  images_->on_start(node);
  return n.sm.get();
}

void ControllerApp::started(int32_t node, RaftNode* raft) {
  ControllerNode& n = nodes_.at(node);
  n.raft = raft;
  controller::ControlSettings settings;
  settings.random = random_;
  n.controller =
      std::make_unique<controller::QuorumController>(raft, &n.sm->real(), settings, now_ms_);
}

void ControllerApp::stopped(int32_t node) {
  ControllerNode& n = nodes_.at(node);
  n.controller.reset();  // unanswered requests are dropped, as on a real crash
  n.raft = nullptr;
  n.sm.reset();
}

void ControllerApp::after_event(int32_t node) {
  ControllerNode& n = nodes_.at(node);
  if (!n.controller) return;
  // A node just elected has appended only its LeaderChange since (become_leader).
  if (n.raft->role() == RaftRole::kLeader && n.led_epoch != n.raft->epoch()) {
    n.led_epoch = n.raft->epoch();
    n.epoch_start = n.raft->log_end_offset() - 1;
  }
  n.controller->step();
}

void ControllerApp::client_event(std::mt19937_64& rng, std::vector<int32_t>* touched) {
  client_->event(rng, touched);
}

std::string ControllerApp::probe_payload() {
  // A cluster-wide broker config: applies on any image, and no controller plan depends on it.
  return controller::config_record(keel::metadata::CONFIG_RESOURCE_BROKER, "", "sim.probe", "1")
      .SerializeAsString();
}

bool ControllerApp::liveness_step(std::vector<int32_t>* touched) {
  if (live_done_ || live_pending_) return live_done_;
  for (auto& [id, n] : nodes_) {
    // A leader that has applied its epoch's LeaderChange: the one whose controller is active.
    if (!n.controller || n.raft->role() != RaftRole::kLeader || n.led_epoch != n.raft->epoch() ||
        n.raft->applied_offset() <= n.epoch_start) {
      continue;
    }
    live_pending_ = true;
    touched->push_back(id);
    // A cluster-wide broker config: always one record, whatever the image holds.
    controller::ConfigResource resource{keel::metadata::CONFIG_RESOURCE_BROKER, ""};
    std::vector<controller::ConfigChange> changes{
        {"sim.live", controller::ConfigOp::kSet, absl::StrCat(now_ms_())}};
    n.controller->alter_configs(resource, changes, false, false, [this](absl::Status s) {
      live_pending_ = false;
      live_done_ = s.ok();  // else (leadership moved) try again
    });
    break;
  }
  return live_done_;
}

std::vector<std::pair<int64_t, std::string>> ControllerApp::committed_below(const ControllerNode& n,
                                                                            int64_t applied) {
  // Below the node's log start (its snapshot) from the run's history, the rest from its log.
  std::vector<std::pair<int64_t, std::string>> out;
  const int64_t start = std::min(n.raft->log_start_offset(), applied);
  for (auto it = committed_.begin(); it != committed_.end() && it->first < start; ++it) {
    out.emplace_back(it->first, it->second);
  }
  absl::Status s = n.raft->log().visit(
      start, applied, [&](int64_t offset, int32_t, bool is_control, std::string_view payload) {
        if (!is_control && offset < applied) out.emplace_back(offset, std::string(payload));
      });
  if (!s.ok()) images_->fail("log-readable", absl::StrCat("node ", n.id, ": ", s.ToString()));
  return out;
}

void ControllerApp::check_node(ControllerNode& n, bool replay) {
  const absl::Status& failed = n.sm->real().failed();
  if (!failed.ok()) {
    // The records leading up to it, for the report.
    std::string recent;
    const int64_t applied = n.raft->applied_offset();
    auto it = committed_.lower_bound(applied);
    for (int i = 0; i < 8 && it != committed_.begin(); ++i) {
      --it;
      keel::metadata::MetadataRecord r;
      const std::string text = r.ParseFromString(it->second) ? r.ShortDebugString() : "?";
      recent = absl::StrCat("\n  ", it->first, ": ", text, recent);
    }
    return images_->fail("records-apply",
                         absl::StrCat("node ", n.id, " skipped ", n.sm->real().bad_records(),
                                      " committed records, the first: ", failed.ToString(),
                                      "; the last records below ", applied, ":", recent));
  }
  const int64_t applied = n.raft->applied_offset();
  if (applied == n.checked_applied && n.checked_generation == images_->generation() && !replay) {
    return;
  }
  n.checked_applied = applied;
  n.checked_generation = images_->generation();
  std::shared_ptr<const controller::MetadataImage> image = n.sm->real().image();
  images_->on_image(n.id, applied, *image);
  if (replay) images_->check_replay(n.id, applied, *image, committed_below(n, applied));
}

void ControllerApp::check(int64_t /*step*/, bool final) {
  // Replays are expensive: a few random points per run, and every node at the end.
  const bool replay_one = !final && check_rng_() % 128 == 0;
  std::vector<ControllerNode*> up;
  for (auto& [id, n] : nodes_) {
    if (n.raft) up.push_back(&n);
  }
  const ControllerNode* replayed =
      replay_one && !up.empty() ? up[check_rng_() % up.size()] : nullptr;
  for (ControllerNode* n : up) {
    if (checker_->violation()) return;
    check_node(*n, final || n == replayed);
  }
}

}  // namespace keel::sim
