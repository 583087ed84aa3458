// A seeded random soak of the Log on a FaultEnv: appends, flushes, rolls, truncations, leader
// epoch changes, clean restarts and power cuts, under random write, torn-write, sync and read
// faults, a full disk, and power cuts in the middle of an operation (freeze_after). After every
// reopen the log must be a valid prefix of the acknowledged appends holding everything
// durable (crash_test_util.h). A failure names its seed; replay one with
//   KEEL_SOAK_SEED=<seed> storage_crash_soak_test
// and KEEL_SOAK_SEEDS / KEEL_SOAK_OPS to soak longer locally.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>

#include "protocol/error_code.h"
#include "tests/unit/storage/crash_test_util.h"

namespace keel::storage {
namespace {

using crash_testing::LogHarness;

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value == nullptr ? fallback : std::strtoull(value, nullptr, 10);
}

// Every error the log returns under injected disk faults is a storage error.
std::string check_error(const absl::Status& s, const char* what) {
  if (s.ok()) return "";
  if (protocol::kafka_error_of(s) != protocol::ErrorCode::kKafkaStorageError) {
    return std::string(what) + " failed with a non-storage error: " + s.ToString();
  }
  return "";
}

// Reopens after a crash or a clean close, retrying without faults if recovery itself hit one
// (a failed open must not have damaged anything: the check after the retry covers it).
std::string reopen(LogHarness& h, bool clean, std::string& trace) {
  absl::Status opened = h.open(clean, clean ? h.durable() : -2);
  trace += " open(rp=" + std::to_string(h.last_recovery_point()) + ")";
  if (!opened.ok()) {
    std::string problem = check_error(opened, "open");
    if (!problem.empty()) return problem;
    h.drop();
    h.env().clear_faults();
    trace += " open-failed-retry";
    opened = h.open(false, -2);
    if (!opened.ok()) return "reopen without faults failed: " + opened.ToString();
  }
  h.env().clear_faults();  // the checks read everything back
  trace += " no-faults";
  if (std::getenv("KEEL_SOAK_DUMP") != nullptr) {
    for (const SegmentInfo& s : h.log()->segments()) {
      trace += "\n      segment " + std::to_string(s.base_offset) + ".." +
               std::to_string(s.end_offset) + " max_ts " + std::to_string(s.max_timestamp);
    }
    for (const auto& b : h.model()) {
      trace += "\n      model " + std::to_string(b.base_offset) + " ts " +
               std::to_string(b.first_timestamp);
    }
  }
  return h.check();
}

// One seed: returns "" or the first violation with the trace of operations.
std::string run_seed(uint64_t seed, int operations, bool verbose) {
  LogHarness h(seed, crash_testing::small_config());
  std::string trace;
  if (absl::Status s = h.open(); !s.ok()) return "initial open: " + s.ToString();
  std::mt19937_64& rng = h.rng();
  auto fail = [&](const std::string& problem) { return problem + "\n  operations:" + trace; };
  for (int op = 0; op < operations; ++op) {
    const int dice = static_cast<int>(rng() % 100);
    if (!h.log()) return fail("log not open");
    std::string problem;
    if (dice < 45) {
      trace += " append";
      problem = check_error(h.append_random(), "append");
    } else if (dice < 58) {
      trace += " flush";
      problem = check_error(h.flush().status(), "flush");
    } else if (dice < 62) {
      trace += " roll";
      problem = check_error(h.log()->roll(), "roll");
    } else if (dice < 66) {
      const auto& model = h.model();
      if (!model.empty()) {
        const auto& b = model[model.size() - 1 - rng() % std::min<size_t>(model.size(), 8)];
        const int64_t offset = b.base_offset + static_cast<int64_t>(rng() % 2);
        trace += " truncate_to(" + std::to_string(offset) + ")";
        problem = check_error(h.truncate_to(offset), "truncate_to");
      }
    } else if (dice < 69) {
      h.set_epoch(h.epoch() + 1);
      trace += " epoch=" + std::to_string(h.epoch());
    } else if (dice < 77) {
      FaultEnv::RandomFaults faults;
      faults.write_error = (rng() % 4) * 0.03;
      faults.torn_write = (rng() % 4) * 0.03;
      faults.sync_error = (rng() % 4) * 0.03;
      faults.read_error = (rng() % 3) * 0.01;
      faults.write_errno = rng() % 2 == 0 ? ENOSPC : EIO;
      h.env().set_random_faults(faults);
      trace += " faults(w" + std::to_string(faults.write_error) + ",t" +
               std::to_string(faults.torn_write) + ",s" + std::to_string(faults.sync_error) + ",r" +
               std::to_string(faults.read_error) + ")";
    } else if (dice < 80) {
      h.env().clear_faults();
      trace += " no-faults";
    } else if (dice < 82) {
      h.env().fail_writes_with(ENOSPC);
      trace += " disk-full";
    } else if (dice < 86) {
      const uint64_t n = rng() % 6;
      h.env().freeze_after(n);
      trace += " power-off-after(" + std::to_string(n) + ")";
    } else if (dice < 95) {
      const FaultEnv::CrashOptions options = h.random_crash_options();
      trace += " crash(tail=" + std::to_string(static_cast<int>(options.tail)) +
               ",mix=" + std::to_string(options.mix_mapped_pages) +
               ",keep=" + std::to_string(options.keep_unsynced_metadata) + ")";
      if (absl::Status s = h.crash(options); !s.ok()) return fail("crash: " + s.ToString());
      problem = reopen(h, false, trace);
    } else {
      trace += " close";
      absl::Status closed = h.close();
      problem = check_error(closed, "close");
      if (problem.empty()) {
        if (!closed.ok()) {
          // A failed clean close is an unclean stop.
          if (absl::Status s = h.crash(); !s.ok()) return fail("crash: " + s.ToString());
        }
        problem = reopen(h, closed.ok(), trace);
      }
    }
    if (!problem.empty()) return fail(problem);
    if (verbose && h.log()) {
      trace += "[leo=" + std::to_string(h.log()->log_end_offset()) +
               " durable=" + std::to_string(h.log()->durable_offset()) +
               " model=" + std::to_string(crash_testing::end_of(h.model())) +
               " floor=" + std::to_string(h.durable()) + "]\n   ";
    }
  }
  // The end: a power cut without faults, then a clean restart.
  h.env().clear_faults();
  trace += " | final crash";
  if (absl::Status s = h.crash(h.random_crash_options()); !s.ok()) {
    return fail("crash: " + s.ToString());
  }
  if (std::string problem = reopen(h, false, trace); !problem.empty()) return fail(problem);
  trace += " final close";
  if (absl::Status s = h.close(); !s.ok()) return fail("clean close: " + s.ToString());
  if (std::string problem = reopen(h, true, trace); !problem.empty()) return fail(problem);
  return "";
}

TEST(CrashSoakTest, RandomFaultsAndCrashesKeepTheLogAPrefix) {
  const uint64_t only = env_or("KEEL_SOAK_SEED", 0);
  const uint64_t seeds = only != 0 ? 1 : env_or("KEEL_SOAK_SEEDS", 200);
  const int operations = static_cast<int>(env_or("KEEL_SOAK_OPS", 50));
  const auto start = std::chrono::steady_clock::now();
  const int max_failures = static_cast<int>(env_or("KEEL_SOAK_MAX_FAILURES", 5));
  int failures = 0;
  for (uint64_t i = 0; i < seeds && failures < max_failures; ++i) {
    const uint64_t seed = only != 0 ? only : 1000 + i;
    const std::string problem = run_seed(seed, operations, only != 0);
    if (!problem.empty()) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << " (replay: KEEL_SOAK_SEED=" << seed << "): " << problem;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("soak: %llu seeds x %d operations in %.1f s\n",
              static_cast<unsigned long long>(seeds), operations, seconds);
}

}  // namespace
}  // namespace keel::storage
