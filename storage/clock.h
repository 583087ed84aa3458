// File: storage/clock.h
// Time as Keel's code sees it. Every component that stamps, waits or decides by time reads an
// injected Clock, so unit tests and the deterministic simulation drive time by hand instead of
// sleeping (a ManualClock), and production uses Clock::system().
//
// Two readings, as Kafka's Time has: wall-clock milliseconds since the epoch (record
// timestamps, retention, segment.ms, group state timestamps) and a monotonic reading that
// never goes back (timeouts, deadlines, heartbeats, elections). Mixing them is a bug: a wall
// clock stepped back by NTP must not make a session time out or a timer fire late.
#pragma once

#include <cstdint>

namespace keel::storage {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch; may jump when the system clock is set.
  virtual int64_t now_ms() const = 0;
  // Milliseconds from an arbitrary origin; never decreases.
  virtual int64_t monotonic_ms() const = 0;
  // The real clocks (system_clock and steady_clock). Thread-safe.
  static Clock* system();
};

// A clock moved only by its owner. Both readings advance together; set_ms moves the wall
// clock alone (a clock step), never the monotonic reading backwards. Not thread-safe: tests
// advance it from the thread that reads it.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  int64_t now_ms() const override { return now_; }
  int64_t monotonic_ms() const override { return monotonic_; }
  void advance_ms(int64_t ms) {
    now_ += ms;
    if (ms > 0) monotonic_ += ms;
  }
  void set_ms(int64_t ms) { now_ = ms; }

 private:
  int64_t now_;
  int64_t monotonic_ = 1'000'000;  // not 0, which code may treat as "unset"
};

}  // namespace keel::storage
