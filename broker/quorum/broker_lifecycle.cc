// File: broker/quorum/broker_lifecycle.cc
#include "broker/quorum/broker_lifecycle.h"

#include <utility>

#include "broker/controller_calls.h"
#include "protocol/error_code.h"
#include "protocol/generated/all_messages.h"

namespace keel::broker::quorum {
namespace {

namespace asio = boost::asio;
using protocol::ErrorCode;

constexpr int16_t kRegistrationVersion = 3;
constexpr int16_t kHeartbeatVersion = 1;
constexpr int64_t kNoLeaderWaitMs = 100;
constexpr int64_t kRetryMs = 250;
// While shutting down the heartbeats come quicker: the controller answers should_shut_down
// only once its records moving the leaderships away have committed.
constexpr int64_t kShutdownHeartbeatMs = 100;
constexpr int64_t kCallTimeoutMs = 2000;

}  // namespace

BrokerLifecycle::BrokerLifecycle(BrokerLifecycleOptions options) : options_(std::move(options)) {
  for (size_t i = 0; i < incarnation_.bytes.size(); i += 8) {
    uint64_t bits = options_.random->next_u64();
    for (size_t j = 0; j < 8; ++j)
      incarnation_.bytes[i + j] = static_cast<uint8_t>(bits >> (8 * j));
  }
}

void BrokerLifecycle::start() {
  options_.driver->post([this](raft::RaftNode&) {
    wake_ = options_.timers->make_timer(options_.driver->executor());
    asio::co_spawn(options_.driver->executor(), run(this), asio::detached);
  });
}

BrokerLifecycle::State BrokerLifecycle::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

bool BrokerLifecycle::controlled_shutdown(std::chrono::milliseconds timeout) {
  want_shutdown_.store(true);
  options_.driver->post([this](raft::RaftNode&) {
    if (wake_ != nullptr) wake_->cancel();  // heartbeat now
  });
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return state_.shutdown_granted; });
}

void BrokerLifecycle::stop() {
  stopping_.store(true);
  options_.driver->post([this](raft::RaftNode&) {
    if (wake_ != nullptr) wake_->cancel();
  });
}

asio::awaitable<void> BrokerLifecycle::nap(int64_t ms) {
  auto wait = wake_->wait_until(options_.timers->now_ms() + ms);
  co_await std::move(wait);
}

asio::awaitable<void> BrokerLifecycle::run(BrokerLifecycle* self) {
  while (!self->stopping_.load()) {
    const RaftStatus status = self->options_.driver->status();
    const int32_t controller = status.leader_id;
    int64_t epoch;
    bool granted;
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      epoch = self->state_.broker_epoch;
      granted = self->state_.shutdown_granted;
    }
    if (granted) co_return;
    if (controller < 0) {
      auto waiting = self->nap(kNoLeaderWaitMs);
      co_await std::move(waiting);
      continue;
    }
    if (epoch < 0) {
      auto registering = self->register_once(controller);
      const bool ok = co_await std::move(registering);
      if (!ok) {
        auto waiting = self->nap(kRetryMs);
        co_await std::move(waiting);
      }
      continue;
    }
    auto beating = self->heartbeat_once(controller);
    co_await std::move(beating);
    auto waiting = self->nap(self->want_shutdown_.load() ? kShutdownHeartbeatMs
                                                         : self->options_.heartbeat_interval_ms);
    co_await std::move(waiting);
  }
}

template <typename Response, typename Request>
asio::awaitable<absl::StatusOr<Response>> BrokerLifecycle::ask(int32_t controller, int16_t version,
                                                               const Request& request) {
  ControllerChannels* channels = options_.channels;
  auto call = await_controller<absl::StatusOr<Response>>(
      [channels, controller, version, &request](auto done) {
        channels->call<Response>(controller, version, request, kCallTimeoutMs, std::move(done));
      });
  co_return co_await std::move(call);
}

asio::awaitable<bool> BrokerLifecycle::register_once(int32_t controller) {
  protocol::BrokerRegistrationRequest req;
  req.broker_id = options_.node_id;
  req.cluster_id = options_.cluster_id;
  req.incarnation_id = incarnation_;
  for (const metadata::Endpoint& e : options_.endpoints) {
    protocol::BrokerRegistrationRequest::Listener l;
    l.name = e.listener_name();
    l.host = e.host();
    l.port = static_cast<uint16_t>(e.port());
    l.security_protocol = 0;  // PLAINTEXT
    req.listeners.push_back(std::move(l));
  }
  if (!options_.rack.empty()) req.rack = options_.rack;
  auto call = ask<protocol::BrokerRegistrationResponse>(controller, kRegistrationVersion, req);
  absl::StatusOr<protocol::BrokerRegistrationResponse> answer = co_await std::move(call);
  if (!answer.ok()) co_return false;
  if (answer->error_code != 0) {
    const auto code = static_cast<ErrorCode>(answer->error_code);
    if (code != ErrorCode::kNotController) {
      info("registration refused by node " + std::to_string(controller) + ": " +
           std::string(protocol::error_name(code)));
    }
    co_return false;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_.broker_epoch = answer->broker_epoch;
    state_.fenced = true;
  }
  info("registered with controller " + std::to_string(controller) + ", broker epoch " +
       std::to_string(answer->broker_epoch));
  co_return true;
}

asio::awaitable<void> BrokerLifecycle::heartbeat_once(int32_t controller) {
  protocol::BrokerHeartbeatRequest req;
  req.broker_id = options_.node_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    req.broker_epoch = state_.broker_epoch;
  }
  req.current_metadata_offset = options_.driver->status().applied_offset - 1;
  req.want_shut_down = want_shutdown_.load();
  auto call = ask<protocol::BrokerHeartbeatResponse>(controller, kHeartbeatVersion, req);
  absl::StatusOr<protocol::BrokerHeartbeatResponse> answer = co_await std::move(call);
  if (!answer.ok()) co_return;  // the next heartbeat goes to whoever leads then
  const auto code = static_cast<ErrorCode>(answer->error_code);
  if (code == ErrorCode::kStaleBrokerEpoch || code == ErrorCode::kBrokerIdNotRegistered) {
    info("controller " + std::to_string(controller) + " answered " +
         std::string(protocol::error_name(code)) + ": registering again");
    std::lock_guard<std::mutex> lock(mu_);
    state_.broker_epoch = -1;
    co_return;
  }
  if (code != ErrorCode::kNone) co_return;
  bool was_fenced;
  {
    std::lock_guard<std::mutex> lock(mu_);
    was_fenced = state_.fenced;
    state_.fenced = answer->is_fenced;
    if (answer->should_shut_down && want_shutdown_.load()) {
      state_.shutdown_granted = true;
      cv_.notify_all();
    }
  }
  if (was_fenced && !answer->is_fenced)
    info("unfenced by controller " + std::to_string(controller));
  if (!was_fenced && answer->is_fenced) info("fenced by controller " + std::to_string(controller));
}

void BrokerLifecycle::info(const std::string& message) const {
  if (options_.log) options_.log(message);
}

}  // namespace keel::broker::quorum
