// File: broker/quorum/raft_peer.h
// The client side of the quorum's connections: one RaftPeer per other voter keeps a Kafka
// connection to its controller listener, writes the RaftNode's requests to it as frames
// (raft_rpc.h) and hands each decoded response back as an Envelope from that voter with the
// request's correlation id. While the voter is unreachable it reconnects with exponential
// backoff (50 ms to 1 s), giving up a connect after `connect_timeout_ms` (a host that drops
// SYNs); requests that get no answer are dropped, the RaftNode retries.
//
// Threading: everything runs on the driver's executor (one thread); send() and stop() are
// called there. Lifetime: shared_ptr, kept alive by its coroutines until they end after stop().
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "broker/config/endpoint.h"
#include "broker/net/asio.h"
#include "broker/net/timers.h"
#include "broker/quorum/raft_rpc.h"
#include "protocol/wire/types.h"

namespace keel::broker::quorum {

class RaftPeer : public std::enable_shared_from_this<RaftPeer> {
 public:
  using OnResponse = std::function<void(raft::Envelope)>;

  RaftPeer(boost::asio::any_io_executor executor, net::TimerService* timers, int32_t self_id,
           int32_t voter_id, HostPort address, std::string cluster_id, int64_t connect_timeout_ms,
           OnResponse on_response);
  RaftPeer(const RaftPeer&) = delete;
  RaftPeer& operator=(const RaftPeer&) = delete;

  void start();
  // Queues a request for the voter (at most kMaxQueued; dropped with a broken connection).
  void send(const raft::Envelope& request);
  // Closes the connection and ends the coroutines.
  void stop();

  // Any thread (Metadata handlers ask whether the leader is reachable).
  bool connected() const { return connected_.load(); }
  // Nothing left to write on a live connection (a down one never flushes: also idle).
  bool idle() const { return !connected_ || (queue_.empty() && !writing_); }

 private:
  static constexpr size_t kMaxQueued = 64;

  boost::asio::awaitable<void> run(std::shared_ptr<RaftPeer> self);
  boost::asio::awaitable<bool> connect();
  // Closes the socket of connect attempt `attempt` if it is still connecting at the timeout.
  boost::asio::awaitable<void> connect_watchdog(std::shared_ptr<RaftPeer> self, uint64_t attempt);
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> read_loop(std::shared_ptr<RaftPeer> self, uint64_t generation);
  void disconnect();
  void on_frame(const protocol::Bytes& frame);

  boost::asio::any_io_executor executor_;
  net::TimerService* timers_;
  int32_t self_id_;
  int32_t voter_id_;
  HostPort address_;
  std::string cluster_id_;
  std::string client_id_;
  int64_t connect_timeout_ms_;
  OnResponse on_response_;

  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<net::Timer> wake_;  // wakes the writer (new request, disconnect, stop)
  std::unique_ptr<net::Timer> connect_timer_;
  uint64_t connect_attempt_ = 0;
  bool connecting_ = false;
  std::deque<protocol::Bytes> queue_;
  std::map<int32_t, SentRequest> sent_;  // by correlation id, on the current connection
  uint64_t generation_ = 0;              // connections made; a reader of an older one exits
  std::atomic<bool> connected_{false};
  bool writing_ = false;
  bool stopping_ = false;
};

}  // namespace keel::broker::quorum
