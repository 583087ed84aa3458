// raft_sim: runs the deterministic Raft simulation (sim_cluster.h) over a range of seeds.
//
//   raft_sim --seed=N --seeds=K --steps=M     seeds N..N+K-1; fails on the first violation
//                                            and prints the command replaying it
//   raft_sim --mutant=NAME --seeds=K          a mutant build of the rules must be caught by some
//                                            checker within K seeds (exit 0 when it is)
//   --verbose                                 trace events (use with one seed)
// Mutants: double_vote, commit_old_epoch, unsynced_quorum_state, truncate_to_hw.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tests/sim/sim_cluster.h"

namespace {

bool flag(const char* arg, const char* name, std::string* value) {
  const size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  *value = arg + n + 1;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  keel::sim::SimOptions options;
  int64_t seeds = 1;
  std::string mutant;
  for (int i = 1; i < argc; ++i) {
    std::string v;
    if (flag(argv[i], "--seed", &v)) {
      options.seed = std::strtoull(v.c_str(), nullptr, 10);
    } else if (flag(argv[i], "--seeds", &v)) {
      seeds = std::strtoll(v.c_str(), nullptr, 10);
    } else if (flag(argv[i], "--steps", &v)) {
      options.steps = std::strtoll(v.c_str(), nullptr, 10);
    } else if (flag(argv[i], "--mutant", &v)) {
      mutant = v;
    } else if (std::strcmp(argv[i], "--verbose") == 0) {
      options.verbose = true;
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (mutant == "double_vote") {
    options.mutations.double_vote = true;
  } else if (mutant == "commit_old_epoch") {
    options.mutations.commit_old_epoch = true;
  } else if (mutant == "unsynced_quorum_state") {
    options.mutations.unsynced_quorum_state = true;
  } else if (mutant == "truncate_to_hw") {
    options.mutations.truncate_to_high_watermark = true;
  } else if (!mutant.empty()) {
    std::fprintf(stderr, "unknown mutant %s\n", mutant.c_str());
    return 2;
  }

  const auto start = std::chrono::steady_clock::now();
  keel::sim::Coverage total;
  int64_t steps = 0;
  const uint64_t first = options.seed;
  for (int64_t i = 0; i < seeds; ++i) {
    options.seed = first + static_cast<uint64_t>(i);
    keel::sim::SimResult result = keel::sim::run_simulation(options);
    total.add(result.coverage);
    steps += result.steps_run;
    if (result.violation) {
      std::printf("%s: checker %s failed at seed %llu (step %lld): %s\n",
                  mutant.empty() ? "FAIL" : "CAUGHT", result.violation->checker.c_str(),
                  static_cast<unsigned long long>(options.seed),
                  static_cast<long long>(result.steps_run), result.violation->detail.c_str());
      std::printf("replay: %s --seed=%llu --steps=%lld%s%s --verbose\n", argv[0],
                  static_cast<unsigned long long>(options.seed),
                  static_cast<long long>(options.steps),
                  mutant.empty() ? "" : " --mutant=", mutant.c_str());
      if (!mutant.empty())
        std::printf("mutant %s caught after %lld seeds\n", mutant.c_str(),
                    static_cast<long long>(i + 1));
      return mutant.empty() ? 1 : 0;
    }
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "seeds %llu..%llu, %lld steps, %.1f s: elections %lld, leader changes %lld, divergence "
      "truncations %lld, snapshots taken %lld, snapshot installs %lld, crashes losing unsynced "
      "data %lld, partitions healed %lld, committed records %lld, messages %lld, malformed "
      "messages %lld, disk errors %lld\n",
      static_cast<unsigned long long>(first),
      static_cast<unsigned long long>(first + static_cast<uint64_t>(seeds) - 1),
      static_cast<long long>(steps), secs, static_cast<long long>(total.elections),
      static_cast<long long>(total.leader_changes),
      static_cast<long long>(total.divergence_truncations),
      static_cast<long long>(total.snapshots_taken),
      static_cast<long long>(total.snapshot_installs),
      static_cast<long long>(total.crashes_losing_unsynced),
      static_cast<long long>(total.partitions_healed), static_cast<long long>(total.commits),
      static_cast<long long>(total.messages), static_cast<long long>(total.malformed_messages),
      static_cast<long long>(total.disk_errors));
  if (!mutant.empty()) {
    std::printf("mutant %s NOT caught within %lld seeds\n", mutant.c_str(),
                static_cast<long long>(seeds));
    return 1;
  }
  // A slice (100+ seeds) must exercise every fault path; one replayed seed need not.
  if (seeds >= 100 &&
      (total.elections == 0 || total.leader_changes == 0 || total.divergence_truncations == 0 ||
       total.snapshot_installs == 0 || total.crashes_losing_unsynced == 0 ||
       total.partitions_healed == 0 || total.malformed_messages == 0 || total.disk_errors == 0)) {
    std::printf("FAIL: a coverage count is zero\n");
    return 1;
  }
  return 0;
}
