// File: broker/net/timers.cc
#include "broker/net/timers.h"

#include <chrono>
#include <vector>

namespace keel::broker::net {
namespace asio = boost::asio;

namespace {

class AsioTimer final : public Timer {
 public:
  AsioTimer(const asio::any_io_executor& ex, const storage::Clock& clock)
      : timer_(ex), clock_(clock) {}

  asio::awaitable<void> wait_until(int64_t deadline_ms) override {
    const int64_t wait = deadline_ms - clock_.monotonic_ms();
    if (wait <= 0) co_return;
    timer_.expires_after(std::chrono::milliseconds(wait));
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  void cancel() override { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
  const storage::Clock& clock_;
};

class SystemTimers final : public TimerService {
 public:
  storage::Clock& clock() const override { return *storage::Clock::system(); }
  std::unique_ptr<Timer> make_timer(const asio::any_io_executor& executor) override {
    return std::make_unique<AsioTimer>(executor, clock());
  }
};

}  // namespace

asio::awaitable<void> TimerService::sleep_for(int64_t ms) {
  std::unique_ptr<Timer> t = make_timer(co_await asio::this_coro::executor);
  const int64_t deadline = now_ms() + ms;
  auto wait = t->wait_until(deadline);
  co_await std::move(wait);
}

TimerService* TimerService::system() {
  static SystemTimers timers;
  return &timers;
}

// A steady timer that never expires by itself: the service cancels it when its deadline has
// passed on the manual clock.
class ManualTimers::ManualTimer final : public Timer {
 public:
  ManualTimer(const asio::any_io_executor& ex, ManualTimers* owner)
      : timer_(std::make_shared<asio::steady_timer>(ex)), owner_(owner) {}
  ~ManualTimer() override { owner_->remove(this); }

  asio::awaitable<void> wait_until(int64_t deadline_ms) override {
    if (deadline_ms <= owner_->now_ms()) co_return;
    deadline_ms_ = deadline_ms;
    timer_->expires_at(asio::steady_timer::time_point::max());
    owner_->add(this);
    boost::system::error_code ec;
    co_await timer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    owner_->remove(this);
  }
  void cancel() override { timer_->cancel(); }

  int64_t deadline_ms() const { return deadline_ms_; }
  // From advance_ms (any thread): the cancel runs on the timer's executor, and holds the
  // steady timer alive in case this Timer is destroyed before it runs.
  void fire() {
    asio::post(timer_->get_executor(), [t = timer_] { t->cancel(); });
  }

 private:
  std::shared_ptr<asio::steady_timer> timer_;
  ManualTimers* owner_;
  int64_t deadline_ms_ = 0;
};

std::unique_ptr<Timer> ManualTimers::make_timer(const asio::any_io_executor& executor) {
  return std::make_unique<ManualTimer>(executor, this);
}

void ManualTimers::add(ManualTimer* t) {
  std::lock_guard lock(mu_);
  // The clock may have moved between the caller's check and here.
  if (t->deadline_ms() <= clock_->monotonic_ms()) {
    t->fire();
    return;
  }
  waiting_.insert(t);
}

void ManualTimers::remove(ManualTimer* t) {
  std::lock_guard lock(mu_);
  waiting_.erase(t);
}

size_t ManualTimers::pending() const {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

void ManualTimers::advance_ms(int64_t ms) {
  std::lock_guard lock(mu_);
  clock_->advance_ms(ms);
  const int64_t now = clock_->monotonic_ms();
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if ((*it)->deadline_ms() <= now) {
      (*it)->fire();
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace keel::broker::net
