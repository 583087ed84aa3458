#include "broker/quorum/raft_peer.h"

#include <algorithm>
#include <array>
#include <span>
#include <utility>

// clang-format off
#include "broker/net/asio.h"
#include <boost/asio/connect.hpp>
// clang-format on
#include "protocol/wire/framing.h"

namespace keel::broker::quorum {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr int64_t kMinBackoffMs = 50;
constexpr int64_t kMaxBackoffMs = 1000;
constexpr int64_t kIdleWaitMs = 3'600'000;

}  // namespace

RaftPeer::RaftPeer(asio::any_io_executor executor, net::TimerService* timers, int32_t self_id,
                   int32_t voter_id, HostPort address, std::string cluster_id,
                   int64_t connect_timeout_ms, OnResponse on_response)
    : executor_(executor),
      timers_(timers),
      self_id_(self_id),
      voter_id_(voter_id),
      address_(std::move(address)),
      cluster_id_(std::move(cluster_id)),
      client_id_("keel-raft-" + std::to_string(self_id)),
      connect_timeout_ms_(connect_timeout_ms),
      on_response_(std::move(on_response)),
      socket_(executor),
      wake_(timers->make_timer(executor)),
      connect_timer_(timers->make_timer(executor)) {}

void RaftPeer::start() { asio::co_spawn(executor_, run(shared_from_this()), asio::detached); }

void RaftPeer::send(const raft::Envelope& request) {
  if (stopping_) return;
  SentRequest sent;
  absl::StatusOr<protocol::Bytes> frame = encode_request(request, cluster_id_, client_id_, &sent);
  if (!frame.ok()) return;
  const int32_t correlation = static_cast<int32_t>(request.correlation_id);
  if (queue_.size() >= kMaxQueued) queue_.pop_front();  // its answer would be stale anyway
  queue_.push_back(std::move(*frame));
  // Registered before the write: an answer can only follow it.
  sent_[correlation] = sent;
  // Only a writer is woken: a request must not cut a reconnect backoff short.
  if (connected_) wake_->cancel();
}

void RaftPeer::stop() {
  stopping_ = true;
  disconnect();
  wake_->cancel();
  connect_timer_->cancel();
}

void RaftPeer::disconnect() {
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  connected_ = false;
  wake_->cancel();
}

asio::awaitable<void> RaftPeer::run(std::shared_ptr<RaftPeer> self) {
  int64_t backoff = kMinBackoffMs;
  while (!stopping_) {
    auto connecting = connect();
    const bool ok = co_await std::move(connecting);
    if (stopping_) break;
    if (!ok) {
      auto wait = wake_->wait_until(timers_->now_ms() + backoff);
      co_await std::move(wait);
      backoff = std::min(backoff * 2, kMaxBackoffMs);
      continue;
    }
    backoff = kMinBackoffMs;
    connected_ = true;
    ++generation_;
    asio::co_spawn(executor_, read_loop(self, generation_), asio::detached);
    auto writing = write_loop();
    co_await std::move(writing);
    disconnect();
    // Answers of the closed connection never come: their requests are given up.
    sent_.clear();
    queue_.clear();
  }
}

asio::awaitable<bool> RaftPeer::connect() {
  boost::system::error_code ec;
  tcp::resolver resolver(executor_);
  auto resolving = resolver.async_resolve(address_.host.empty() ? "127.0.0.1" : address_.host,
                                          std::to_string(address_.port),
                                          asio::redirect_error(asio::use_awaitable, ec));
  tcp::resolver::results_type endpoints = co_await std::move(resolving);
  if (ec || stopping_) co_return false;
  socket_ = tcp::socket(executor_);
  connecting_ = true;
  asio::co_spawn(executor_, connect_watchdog(shared_from_this(), ++connect_attempt_),
                 asio::detached);
  auto connecting =
      asio::async_connect(socket_, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  co_await std::move(connecting);
  connecting_ = false;
  connect_timer_->cancel();  // the watchdog ends now instead of keeping the peer alive
  if (ec || stopping_) {
    boost::system::error_code ignored;
    socket_.close(ignored);
    co_return false;
  }
  socket_.set_option(tcp::no_delay(true), ec);
  co_return true;
}

asio::awaitable<void> RaftPeer::connect_watchdog(std::shared_ptr<RaftPeer> self, uint64_t attempt) {
  if (!connecting_ || attempt != connect_attempt_) co_return;  // already done
  auto wait = connect_timer_->wait_until(timers_->now_ms() + connect_timeout_ms_);
  co_await std::move(wait);
  if (self->connecting_ && attempt == connect_attempt_) {
    boost::system::error_code ignored;
    socket_.close(ignored);  // async_connect fails: the run loop backs off and retries
  }
}

asio::awaitable<void> RaftPeer::write_loop() {
  while (!stopping_ && connected_) {
    if (queue_.empty()) {
      auto wait = wake_->wait_until(timers_->now_ms() + kIdleWaitMs);
      co_await std::move(wait);
      continue;
    }
    protocol::Bytes frame = std::move(queue_.front());
    queue_.pop_front();
    boost::system::error_code ec;
    writing_ = true;
    auto writing = asio::async_write(socket_, asio::buffer(frame),
                                     asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(writing);
    writing_ = false;
    if (ec) co_return;
  }
}

asio::awaitable<void> RaftPeer::read_loop(std::shared_ptr<RaftPeer> self, uint64_t generation) {
  std::array<uint8_t, protocol::kFrameSizeBytes> prefix{};
  while (!stopping_ && generation == generation_ && connected_) {
    boost::system::error_code ec;
    auto reading_size = asio::async_read(socket_, asio::buffer(prefix),
                                         asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(reading_size);
    if (ec || generation != generation_) break;
    absl::StatusOr<int32_t> size = protocol::parse_frame_size(std::span<const uint8_t, 4>(prefix),
                                                              protocol::kDefaultMaxFrameBytes);
    if (!size.ok()) break;
    protocol::Bytes frame(static_cast<size_t>(*size));
    auto reading_body = asio::async_read(socket_, asio::buffer(frame),
                                         asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(reading_body);
    if (ec || generation != generation_) break;
    self->on_frame(frame);
  }
  if (generation == generation_) disconnect();
}

void RaftPeer::on_frame(const protocol::Bytes& frame) {
  if (frame.size() < 4) return;
  const int32_t correlation =
      static_cast<int32_t>((uint32_t{frame[0]} << 24) | (uint32_t{frame[1]} << 16) |
                           (uint32_t{frame[2]} << 8) | uint32_t{frame[3]});
  auto it = sent_.find(correlation);
  if (it == sent_.end()) return;  // unsolicited or of a request given up
  const SentRequest sent = it->second;
  sent_.erase(it);
  absl::StatusOr<raft::Message> message = decode_response(frame, sent);
  if (!message.ok()) return;  // a bad answer is no answer: the RaftNode retries
  on_response_(raft::Envelope{voter_id_, self_id_, correlation, std::move(*message)});
}

}  // namespace keel::broker::quorum
