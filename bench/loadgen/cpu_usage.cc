#include "bench/loadgen/cpu_usage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "bench/loadgen/clock.h"

namespace keel::bench {

int64_t process_cpu_ticks(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return -1;
  // The command name is in parentheses and may itself hold spaces or parentheses: the fields
  // we want come after the last ')'. Field 3 (state) is the first one after it; utime and stime
  // are fields 14 and 15.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  int64_t utime = -1;
  int64_t stime = -1;
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number == 14) utime = std::stoll(field);
    if (number == 15) stime = std::stoll(field);
  }
  if (utime < 0 || stime < 0) return -1;
  return utime + stime;
}

std::vector<CoreTicks> read_core_ticks() {
  std::vector<CoreTicks> cores;
  std::ifstream in("/proc/stat");
  std::string line;
  while (std::getline(in, line)) {
    // "cpu " is the sum over all cores; "cpuN " one core. Fields: user nice system idle
    // iowait irq softirq steal (guest time is already counted in user).
    if (line.rfind("cpu", 0) != 0 || line.size() < 4 || line[3] == ' ') continue;
    std::istringstream fields(line);
    std::string name;
    int64_t v[8] = {};
    fields >> name;
    for (int64_t& x : v) fields >> x;
    CoreTicks core;
    core.total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    core.busy = core.total - v[3] - v[4];
    cores.push_back(core);
  }
  return cores;
}

CpuSnapshot CpuMonitor::snapshot() const {
  CpuSnapshot s;
  for (int pid : pids_) {
    const int64_t ticks = process_cpu_ticks(pid);
    if (ticks < 0) {
      s.watched_ok = false;
    } else {
      s.watched_ticks += ticks;
    }
  }
  rusage self;
  getrusage(RUSAGE_SELF, &self);
  s.self_ns = (int64_t{self.ru_utime.tv_sec} + self.ru_stime.tv_sec) * 1'000'000'000 +
              (int64_t{self.ru_utime.tv_usec} + self.ru_stime.tv_usec) * 1000;
  s.cores = read_core_ticks();
  s.at_ns = now_ns();
  return s;
}

void CpuMonitor::start() { start_ = snapshot(); }

CpuReport CpuMonitor::stop() const {
  const CpuSnapshot end = snapshot();
  CpuReport r;
  r.window_s = static_cast<double>(end.at_ns - start_.at_ns) / 1e9;
  if (r.window_s <= 0) return r;
  const double tick_s = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
  r.broker_measured = !pids_.empty() && start_.watched_ok && end.watched_ok;
  if (r.broker_measured) {
    r.broker_cpu_s = static_cast<double>(end.watched_ticks - start_.watched_ticks) * tick_s;
    r.broker_pct = 100.0 * r.broker_cpu_s / r.window_s;
  }
  r.client_cpu_s = static_cast<double>(end.self_ns - start_.self_ns) / 1e9;
  r.client_pct = 100.0 * r.client_cpu_s / r.window_s;
  if (end.cores.size() == start_.cores.size()) {
    for (size_t i = 0; i < end.cores.size(); ++i) {
      const int64_t total = end.cores[i].total - start_.cores[i].total;
      const int64_t busy = end.cores[i].busy - start_.cores[i].busy;
      r.cores_busy_pct.push_back(
          total > 0 ? 100.0 * static_cast<double>(busy) / static_cast<double>(total) : 0.0);
    }
  }
  return r;
}

}  // namespace keel::bench
