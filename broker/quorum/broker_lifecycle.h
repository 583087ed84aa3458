// File: broker/quorum/broker_lifecycle.h
// The broker's side of its membership (Kafka's BrokerLifecycleManager): it registers with the
// active controller (BrokerRegistration: listeners, rack; the answer is its broker epoch),
// then heartbeats every broker.heartbeat.interval.ms with the metadata offset it has applied.
// The controller unfences it once that offset reaches its registration, fences it when the
// heartbeats stop for a session, and in a controlled shutdown (want_shut_down) moves its
// leaderships away before answering should_shut_down. A heartbeat refused as STALE_BROKER_EPOCH
// or BROKER_ID_NOT_REGISTERED (the log lost the registration, or it was unregistered) leads to a
// new registration; an unreachable controller or NOT_CONTROLLER to the next leader.
//
// Threading: the loop runs on the raft thread (the channels live there); start(),
// controlled_shutdown() and state() from any other thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "broker/net/timers.h"
#include "broker/quorum/controller_channel.h"
#include "broker/quorum/raft_driver.h"
#include "controller/metadata_records.pb.h"
#include "storage/random.h"

namespace keel::broker::quorum {

struct BrokerLifecycleOptions {
  int32_t node_id = -1;
  std::string cluster_id;
  std::vector<metadata::Endpoint> endpoints;  // advertised listeners
  std::string rack;
  int64_t heartbeat_interval_ms = 2000;  // broker.heartbeat.interval.ms
  RaftDriver* driver = nullptr;          // leader and applied offset; its thread runs the loop
  ControllerChannels* channels = nullptr;
  net::TimerService* timers = nullptr;
  storage::Random* random = nullptr;  // the incarnation id
  // Once, on the raft thread: the controller says this broker has replayed the metadata log
  // past its registration (everything committed before it started is applied).
  std::function<void()> on_caught_up;
  std::function<void(std::string_view)> log;  // may be empty
};

class BrokerLifecycle {
 public:
  struct State {
    int64_t broker_epoch = -1;  // -1 until registered
    bool fenced = true;
    bool shutdown_granted = false;
  };

  explicit BrokerLifecycle(BrokerLifecycleOptions options);

  void start();
  // Asks the controller to move this broker's leaderships away and waits until it says the
  // broker may stop, or `timeout` (an unreachable controller must not keep a node alive).
  // True when granted. Not on the raft thread.
  bool controlled_shutdown(std::chrono::milliseconds timeout);
  State state() const;
  // Ends the loop (before the driver stops: its sleeps would keep the raft thread running).
  void stop();

 private:
  static boost::asio::awaitable<void> run(BrokerLifecycle* self);
  boost::asio::awaitable<bool> register_once(int32_t controller);
  boost::asio::awaitable<void> heartbeat_once(int32_t controller);
  boost::asio::awaitable<void> nap(int64_t ms);
  // One call to the controller's listener, resumed on the raft thread.
  template <typename Response, typename Request>
  boost::asio::awaitable<absl::StatusOr<Response>> ask(int32_t controller, int16_t version,
                                                       const Request& request);
  void info(const std::string& message) const;

  BrokerLifecycleOptions options_;
  protocol::Uuid incarnation_;
  std::unique_ptr<net::Timer> wake_;  // raft thread: the loop's sleep
  std::atomic<bool> want_shutdown_{false};
  std::atomic<bool> stopping_{false};
  bool caught_up_ = false;  // raft thread
  mutable std::mutex mu_;
  std::condition_variable cv_;
  State state_;  // under mu_
};

}  // namespace keel::broker::quorum
