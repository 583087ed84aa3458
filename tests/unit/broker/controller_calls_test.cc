// await_controller(): a coroutine awaits a ControllerClient-style callback that fires on
// another thread, and resumes on its own executor with the value.
#include "broker/controller_calls.h"

#include <gtest/gtest.h>

#include <thread>

namespace keel::broker {
namespace {

namespace asio = boost::asio;

TEST(ControllerCallsTest, ResumesOnTheCallersExecutorWithTheCallbacksValue) {
  asio::io_context caller;
  asio::io_context other;  // plays the control thread
  auto work = asio::make_work_guard(other);
  std::thread control([&] { other.run(); });

  auto caller_work = asio::make_work_guard(caller);  // the pending callback holds no work
  std::thread::id resumed_on;
  int got = 0;
  auto body = [&]() -> asio::awaitable<void> {
    auto call = await_controller<int>(
        [&](auto done) { asio::post(other, [done = std::move(done)] { done(42); }); });
    got = co_await std::move(call);
    resumed_on = std::this_thread::get_id();
    caller_work.reset();
  };
  asio::co_spawn(caller, body(), asio::detached);
  caller.run();  // returns once the coroutine finished
  work.reset();
  control.join();
  EXPECT_EQ(got, 42);
  EXPECT_EQ(resumed_on, std::this_thread::get_id());
}

}  // namespace
}  // namespace keel::broker
