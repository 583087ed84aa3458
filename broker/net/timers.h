// File: broker/net/timers.h
// The one way broker code waits for time. Deadlines are readings of the service's Clock
// (Clock::monotonic_ms), so a test that drives a ManualClock through ManualTimers fires every
// timer of the node by hand, without sleeping, and production waits on Asio's steady timers.
//
// A Timer belongs to one executor: wait_until() and cancel() are called there. cancel() ends a
// pending wait early (a notification); a cancel with no wait pending is lost, so callers that
// need "wake me if something happened meanwhile" keep their own flag (see FetchWaiter).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>

#include "broker/net/asio.h"
#include "storage/clock.h"

namespace keel::broker::net {

class Timer {
 public:
  virtual ~Timer() = default;
  // Returns once the clock reaches `deadline_ms` (at once if it has), or after cancel().
  virtual boost::asio::awaitable<void> wait_until(int64_t deadline_ms) = 0;
  virtual void cancel() = 0;
};

class TimerService {
 public:
  virtual ~TimerService() = default;
  virtual storage::Clock& clock() const = 0;
  virtual std::unique_ptr<Timer> make_timer(const boost::asio::any_io_executor& executor) = 0;

  int64_t now_ms() const { return clock().monotonic_ms(); }
  // Waits `ms` from now on a fresh timer of the calling coroutine's executor.
  boost::asio::awaitable<void> sleep_for(int64_t ms);

  // Asio's steady timers over Clock::system(). Thread-safe.
  static TimerService* system();
};

// Timers over a ManualClock: nothing fires until advance_ms() moves the clock past a deadline
// (it then wakes those waits on their executors). Thread-safe.
class ManualTimers final : public TimerService {
 public:
  explicit ManualTimers(storage::ManualClock* clock) : clock_(clock) {}
  storage::Clock& clock() const override { return *clock_; }
  std::unique_ptr<Timer> make_timer(const boost::asio::any_io_executor& executor) override;
  // Moves the clock and wakes every wait whose deadline has passed.
  void advance_ms(int64_t ms);
  // Waits currently registered (for tests that wait until a coroutine is parked).
  size_t pending() const;

 private:
  class ManualTimer;
  friend class ManualTimer;
  void add(ManualTimer* t);
  void remove(ManualTimer* t);

  storage::ManualClock* clock_;
  mutable std::mutex mu_;
  std::set<ManualTimer*> waiting_;
};

}  // namespace keel::broker::net
