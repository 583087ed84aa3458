// Timers over the injected clock: manual timers fire exactly when the manual clock passes
// their deadline (never by themselves), cancel() ends a wait early, and the real timers wait
// on the system clock.
#include "broker/net/timers.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>

namespace keel::broker::net {
namespace {

namespace asio = boost::asio;

// Runs `wait_until(deadline)` on `io`; the flag turns true when the wait returns.
std::shared_ptr<bool> start_wait(asio::io_context& io, Timer* timer, int64_t deadline) {
  auto done = std::make_shared<bool>(false);
  auto body = [](Timer* t, int64_t d, std::shared_ptr<bool> flag) -> asio::awaitable<void> {
    auto w = t->wait_until(d);
    co_await std::move(w);
    *flag = true;
  };
  asio::co_spawn(io, body(timer, deadline, done), asio::detached);
  io.poll();
  io.restart();
  return done;
}

void drain(asio::io_context& io) {
  io.poll();
  io.restart();
}

TEST(ManualTimersTest, FireOnlyWhenTheClockPassesTheDeadline) {
  storage::ManualClock clock;
  ManualTimers timers(&clock);
  asio::io_context io;
  auto t1 = timers.make_timer(io.get_executor());
  auto t2 = timers.make_timer(io.get_executor());
  auto d1 = start_wait(io, t1.get(), timers.now_ms() + 100);
  auto d2 = start_wait(io, t2.get(), timers.now_ms() + 300);
  EXPECT_EQ(timers.pending(), 2u);
  EXPECT_FALSE(*d1);
  timers.advance_ms(99);
  drain(io);
  EXPECT_FALSE(*d1);
  timers.advance_ms(1);
  drain(io);
  EXPECT_TRUE(*d1);
  EXPECT_FALSE(*d2);
  EXPECT_EQ(timers.pending(), 1u);
  timers.advance_ms(500);
  drain(io);
  EXPECT_TRUE(*d2);
  EXPECT_EQ(timers.pending(), 0u);
}

TEST(ManualTimersTest, APassedDeadlineReturnsAtOnceAndCancelEndsAWait) {
  storage::ManualClock clock;
  ManualTimers timers(&clock);
  asio::io_context io;
  auto t = timers.make_timer(io.get_executor());
  EXPECT_TRUE(*start_wait(io, t.get(), timers.now_ms()));
  auto d = start_wait(io, t.get(), timers.now_ms() + 1'000'000);
  EXPECT_FALSE(*d);
  t->cancel();
  drain(io);
  EXPECT_TRUE(*d);
  EXPECT_EQ(timers.pending(), 0u);
}

TEST(ManualTimersTest, ATimerDestroyedWhileFiringIsSafe) {
  storage::ManualClock clock;
  ManualTimers timers(&clock);
  asio::io_context io;
  auto t = timers.make_timer(io.get_executor());
  auto d = start_wait(io, t.get(), timers.now_ms() + 10);
  timers.advance_ms(10);  // posts the wake-up
  drain(io);
  EXPECT_TRUE(*d);
  t.reset();
  timers.advance_ms(10);
  drain(io);
  EXPECT_EQ(timers.pending(), 0u);
}

TEST(SystemTimersTest, WaitsUntilTheDeadlineOnTheSystemClock) {
  TimerService* timers = TimerService::system();
  asio::io_context io;
  auto t = timers->make_timer(io.get_executor());
  const int64_t start = timers->now_ms();
  auto d = start_wait(io, t.get(), start + 20);
  io.run();  // returns when the wait completes
  EXPECT_TRUE(*d);
  EXPECT_GE(timers->now_ms(), start + 20);
}

}  // namespace
}  // namespace keel::broker::net
