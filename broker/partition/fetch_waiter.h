// File: broker/partition/fetch_waiter.h
// Wakes a long-polling Fetch (fetch.min.bytes / fetch.max.wait.ms) when one of the partitions
// it reads gets new data. The fetch registers the waiter with each partition on the
// partition's owner, in the same step as its read, so no append can slip in between.
//
// Threading: the waiter lives on the fetching connection's executor; notify() may be called
// from any thread (partition owners) and posts the wake-up there, so the "notified" flag and
// the timer are touched only by that executor.
#pragma once

#include <chrono>
#include <memory>

#include "broker/net/asio.h"

namespace keel::broker {

class FetchWaiter : public std::enable_shared_from_this<FetchWaiter> {
 public:
  explicit FetchWaiter(boost::asio::any_io_executor executor) : timer_(executor) {}

  // Any thread.
  void notify() {
    boost::asio::post(timer_.get_executor(), [self = shared_from_this()] {
      self->notified_ = true;
      self->timer_.cancel();
    });
  }

  // On the waiter's executor: returns after `timeout` or once notified (at once if a
  // notification arrived since the last wait).
  boost::asio::awaitable<void> wait(std::chrono::milliseconds timeout) {
    if (!notified_) {
      timer_.expires_after(timeout);
      boost::system::error_code ec;
      co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    notified_ = false;
  }

 private:
  boost::asio::steady_timer timer_;
  bool notified_ = false;
};

}  // namespace keel::broker
