// controller_sim: the deterministic simulation of the controller (sim_cluster.h with the
// controller app, controller_app.h) over a range of seeds.
//
//   controller_sim --seed=N --seeds=K --steps=M   seeds N..N+K-1; fails on the first violation
//                                                and prints the command replaying it
//   controller_sim --mutant=NAME --seeds=K        a doctored state machine must be caught by
//                                                some checker within K seeds (exit 0 when it is)
//   --verbose                                     trace events (use with one seed)
// Mutants: see kMutants below and sim_metadata_machine.h.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tests/sim/controller_app.h"
#include "tests/sim/sim_cluster.h"

namespace {

using keel::sim::ControllerMutant;

bool flag(const char* arg, const char* name, std::string* value) {
  const size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  *value = arg + n + 1;
  return true;
}

// Each mutant and the checker that must catch it (so every checker is shown able to fail).
struct MutantInfo {
  const char* name;
  ControllerMutant mutant;
  const char* checker;
};
constexpr MutantInfo kMutants[] = {
    {"drop_config", ControllerMutant::kDropConfig, "image-agreement"},
    {"snapshot_loses_topic", ControllerMutant::kSnapshotLosesTopic, "image-agreement"},
    {"phantom_replica", ControllerMutant::kPhantomReplica, "replica-registered"},
    {"forget_topic", ControllerMutant::kForgetTopic, "acked-create-durable"},
    {"ignore_retention", ControllerMutant::kIgnoreRetention, "replay-equals-state"},
    {"snapshot_resets_epochs", ControllerMutant::kSnapshotResetsEpochs, "leader-epoch-monotonic"},
    {"reused_topic_ids", ControllerMutant::kReusedTopicIds, "topic-id-unique"},
};

const MutantInfo* find_mutant(const std::string& name) {
  for (const MutantInfo& m : kMutants) {
    if (name == m.name) return &m;
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  keel::sim::SimOptions options;
  int64_t seeds = 1;
  std::string mutant_name;
  for (int i = 1; i < argc; ++i) {
    std::string v;
    if (flag(argv[i], "--seed", &v)) {
      options.seed = std::strtoull(v.c_str(), nullptr, 10);
    } else if (flag(argv[i], "--seeds", &v)) {
      seeds = std::strtoll(v.c_str(), nullptr, 10);
    } else if (flag(argv[i], "--steps", &v)) {
      options.steps = std::strtoll(v.c_str(), nullptr, 10);
    } else if (flag(argv[i], "--mutant", &v)) {
      mutant_name = v;
    } else if (std::strcmp(argv[i], "--verbose") == 0) {
      options.verbose = true;
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  const MutantInfo* info = find_mutant(mutant_name);
  const ControllerMutant mutant = info ? info->mutant : ControllerMutant::kNone;
  if (!mutant_name.empty() && !info) {
    std::fprintf(stderr, "unknown mutant %s\n", mutant_name.c_str());
    return 2;
  }
  // A mutant's run must find a violation.
  const std::string expected = mutant_name;
  const std::string replay_flag = !mutant_name.empty() ? " --mutant=" + mutant_name : "";

  const auto start = std::chrono::steady_clock::now();
  keel::sim::Coverage raft;
  keel::sim::ControllerCoverage total;
  int64_t steps = 0;
  int64_t caught_by_others = 0;
  const uint64_t first = options.seed;
  for (int64_t i = 0; i < seeds; ++i) {
    options.seed = first + static_cast<uint64_t>(i);
    keel::sim::ControllerApp app(options.seed, mutant);
    options.app = &app;
    keel::sim::SimResult result = keel::sim::run_simulation(options);
    raft.add(result.coverage);
    total.add(app.coverage());
    steps += result.steps_run;
    if (result.violation) {
      // A mutant counts as caught by its own checker only: others may fire first on a seed.
      if (info && result.violation->checker != info->checker) {
        std::printf("seed %llu: %s caught by %s first\n",
                    static_cast<unsigned long long>(options.seed), expected.c_str(),
                    result.violation->checker.c_str());
        ++caught_by_others;
        continue;
      }
      std::printf("%s: checker %s failed at seed %llu (step %lld): %s\n",
                  expected.empty() ? "FAIL" : "CAUGHT", result.violation->checker.c_str(),
                  static_cast<unsigned long long>(options.seed),
                  static_cast<long long>(result.steps_run), result.violation->detail.c_str());
      std::printf("replay: %s --seed=%llu --steps=%lld%s --verbose\n", argv[0],
                  static_cast<unsigned long long>(options.seed),
                  static_cast<long long>(options.steps), replay_flag.c_str());
      if (expected.empty()) return 1;
      std::printf("%s caught after %lld seeds (%lld earlier seeds caught by other checkers)\n",
                  expected.c_str(), static_cast<long long>(i + 1),
                  static_cast<long long>(caught_by_others));
      return 0;
    }
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("seeds %llu..%llu, %lld steps, %.1f s\n", static_cast<unsigned long long>(first),
              static_cast<unsigned long long>(first + static_cast<uint64_t>(seeds) - 1),
              static_cast<long long>(steps), secs);
  std::printf(
      "raft: elections %lld, leader changes %lld, snapshot installs %lld, crashes losing "
      "unsynced data %lld, committed records %lld, disk errors %lld\n",
      static_cast<long long>(raft.elections), static_cast<long long>(raft.leader_changes),
      static_cast<long long>(raft.snapshot_installs),
      static_cast<long long>(raft.crashes_losing_unsynced), static_cast<long long>(raft.commits),
      static_cast<long long>(raft.disk_errors));
  bool zero = raft.leader_changes == 0 || raft.snapshot_installs == 0 ||
              raft.crashes_losing_unsynced == 0 || raft.disk_errors == 0;
  std::printf("controller:");
  const char* sep = " ";
  for (const auto& [name, count] : total.counts()) {
    std::printf("%s%s %lld", sep, name.c_str(), static_cast<long long>(count));
    sep = ", ";
    zero = zero || count == 0;
  }
  std::printf("\n");
  if (!expected.empty()) {
    std::printf("%s NOT caught within %lld seeds\n", expected.c_str(),
                static_cast<long long>(seeds));
    return 1;
  }
  // A slice (100+ seeds) must exercise every path; one replayed seed need not.
  if (seeds >= 100 && zero) {
    std::printf("FAIL: a coverage count is zero\n");
    return 1;
  }
  return 0;
}
