// Monotonic time in nanoseconds and absolute sleeps for the load generator.
#pragma once

#include <time.h>

#include <cstdint>

namespace keel::bench {

inline int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Sleeps until the monotonic clock reaches `deadline_ns` (returns at once if it has).
inline void sleep_until_ns(int64_t deadline_ns) {
  timespec ts;
  ts.tv_sec = deadline_ns / 1'000'000'000;
  ts.tv_nsec = deadline_ns % 1'000'000'000;
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

inline int64_t seconds_to_ns(double s) { return static_cast<int64_t>(s * 1e9); }

}  // namespace keel::bench
