// CPU accounting over a measured window: the CPU time of other processes (the broker under test,
// read from /proc/PID/stat), this process's own CPU time (getrusage), and each core's busy share
// (tick-sampled /proc/stat, which undercounts short bursty loads).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace keel::bench {

struct CoreTicks {
  int64_t busy = 0;   // user + nice + system + irq + softirq + steal
  int64_t total = 0;  // busy + idle + iowait
};

struct CpuSnapshot {
  int64_t at_ns = 0;
  int64_t watched_ticks = 0;  // utime + stime of all watched processes, in clock ticks
  bool watched_ok = true;     // false when one of them could not be read (it exited)
  int64_t self_ns = 0;        // this process, user + system
  std::vector<CoreTicks> cores;
};

struct CpuReport {
  double window_s = 0;
  bool broker_measured = false;  // --cpu-pids given and every process readable at both ends
  double broker_cpu_s = 0;
  double broker_pct = 0;  // 100 = one core
  double client_cpu_s = 0;
  double client_pct = 0;
  std::vector<double> cores_busy_pct;
};

class CpuMonitor {
 public:
  explicit CpuMonitor(std::vector<int> pids) : pids_(std::move(pids)) {}

  void start();
  CpuReport stop() const;  // from start() to now

 private:
  CpuSnapshot snapshot() const;

  std::vector<int> pids_;
  CpuSnapshot start_;
};

// utime + stime of one process in clock ticks; -1 if it cannot be read.
int64_t process_cpu_ticks(int pid);
// Per-core ticks from /proc/stat (the "cpuN" lines, in order).
std::vector<CoreTicks> read_core_ticks();

}  // namespace keel::bench
