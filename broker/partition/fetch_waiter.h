// File: broker/partition/fetch_waiter.h
// Wakes a long-polling Fetch (fetch.min.bytes / fetch.max.wait.ms) when one of the partitions
// it reads gets new data. The fetch registers the waiter with each partition on the
// partition's owner, in the same step as its read, so no append can slip in between.
//
// Threading: the waiter lives on the fetching connection's executor; notify() may be called
// from any thread (partition owners) and posts the wake-up there, so the "notified" flag and
// the timer are touched only by that executor.
#pragma once

#include <cstdint>
#include <memory>

#include "broker/net/asio.h"
#include "broker/net/timers.h"

namespace keel::broker {

class FetchWaiter : public std::enable_shared_from_this<FetchWaiter> {
 public:
  FetchWaiter(boost::asio::any_io_executor executor, net::TimerService* timers)
      : executor_(executor), timer_(timers->make_timer(executor)) {}

  // Any thread.
  void notify() {
    boost::asio::post(executor_, [self = shared_from_this()] {
      self->notified_ = true;
      self->timer_->cancel();
    });
  }

  // On the waiter's executor: returns at `deadline_ms` (the timer service's clock) or once
  // notified (at once if a notification arrived since the last wait).
  boost::asio::awaitable<void> wait_until(int64_t deadline_ms) {
    if (!notified_) {
      auto wait = timer_->wait_until(deadline_ms);
      co_await std::move(wait);
    }
    notified_ = false;
  }

 private:
  boost::asio::any_io_executor executor_;
  std::unique_ptr<net::Timer> timer_;
  bool notified_ = false;
};

}  // namespace keel::broker
