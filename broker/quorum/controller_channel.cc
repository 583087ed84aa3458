// File: broker/quorum/controller_channel.cc
#include "broker/quorum/controller_channel.h"

#include <array>
#include <span>
#include <utility>

// clang-format off
#include "broker/net/asio.h"
#include <boost/asio/connect.hpp>
// clang-format on

namespace keel::broker::quorum {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

int32_t read_be32(const uint8_t* p) {
  return static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
                              (uint32_t{p[2]} << 8) | uint32_t{p[3]});
}

}  // namespace

// One voter's connection and its queue of calls.
struct ControllerChannels::Link : std::enable_shared_from_this<Link> {
  struct Call {
    protocol::Bytes frame;
    int32_t correlation = 0;
    int64_t timeout_ms = 0;
    RawReply done;
  };

  Link(asio::any_io_executor ex, net::TimerService* t, HostPort a)
      : executor(ex), timers(t), address(std::move(a)), socket(ex) {}

  void enqueue(Call call) {
    queue.push_back(std::move(call));
    if (!running) {
      running = true;
      asio::co_spawn(executor, run(shared_from_this()), asio::detached);
    }
  }

  void close() {
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
    connected = false;
  }

  void stop() {
    stopped = true;
    close();
    if (watchdog != nullptr) watchdog->cancel();
    std::deque<Call> failed = std::move(queue);
    queue.clear();
    for (Call& c : failed) c.done(absl::UnavailableError("controller channel stopped"));
  }

  asio::awaitable<void> run(std::shared_ptr<Link> self) {
    while (!stopped && !queue.empty()) {
      Call call = std::move(queue.front());
      queue.pop_front();
      const uint64_t id = ++call_id;
      timed_out = false;
      watchdog = timers->make_timer(executor);
      asio::co_spawn(executor, guard(self, watchdog, id, timers->now_ms() + call.timeout_ms),
                     asio::detached);
      auto exchanging = exchange(call);
      absl::StatusOr<protocol::Bytes> answer = co_await std::move(exchanging);
      ++call_id;  // the guard of this call does nothing now
      watchdog->cancel();
      if (!answer.ok()) {
        close();
        if (timed_out) {
          answer = absl::DeadlineExceededError("no answer from " + address.host + ":" +
                                               std::to_string(address.port) + " in time");
        }
      }
      if (stopped) answer = absl::UnavailableError("controller channel stopped");
      call.done(std::move(answer));
    }
    running = false;
  }

  // Closes the socket when call `id` is still running at `deadline`.
  asio::awaitable<void> guard(std::shared_ptr<Link> self, std::shared_ptr<net::Timer> timer,
                              uint64_t id, int64_t deadline) {
    while (self->call_id == id && !self->stopped && timers->now_ms() < deadline) {
      auto wait = timer->wait_until(deadline);
      co_await std::move(wait);
    }
    if (self->call_id == id && !self->stopped) {
      timed_out = true;
      boost::system::error_code ec;
      socket.close(ec);  // the pending connect/read fails
    }
  }

  asio::awaitable<absl::StatusOr<protocol::Bytes>> exchange(const Call& call) {
    boost::system::error_code ec;
    if (!connected) {
      tcp::resolver resolver(executor);
      auto resolving = resolver.async_resolve(address.host.empty() ? "127.0.0.1" : address.host,
                                              std::to_string(address.port),
                                              asio::redirect_error(asio::use_awaitable, ec));
      tcp::resolver::results_type endpoints = co_await std::move(resolving);
      if (ec) co_return absl::UnavailableError("resolving " + address.host + ": " + ec.message());
      socket = tcp::socket(executor);
      auto connecting =
          asio::async_connect(socket, endpoints, asio::redirect_error(asio::use_awaitable, ec));
      co_await std::move(connecting);
      if (ec) {
        co_return absl::UnavailableError("connecting to " + address.host + ":" +
                                         std::to_string(address.port) + ": " + ec.message());
      }
      socket.set_option(tcp::no_delay(true), ec);
      connected = true;
    }
    auto writing = asio::async_write(socket, asio::buffer(call.frame),
                                     asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(writing);
    if (ec) co_return absl::UnavailableError("sending: " + ec.message());
    // Answers come in order on a connection; one call at a time means the next is ours.
    std::array<uint8_t, protocol::kFrameSizeBytes> prefix{};
    auto reading_size = asio::async_read(socket, asio::buffer(prefix),
                                         asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(reading_size);
    if (ec) co_return absl::UnavailableError("reading: " + ec.message());
    absl::StatusOr<int32_t> size = protocol::parse_frame_size(std::span<const uint8_t, 4>(prefix),
                                                              protocol::kDefaultMaxFrameBytes);
    if (!size.ok()) co_return size.status();
    protocol::Bytes frame(static_cast<size_t>(*size));
    auto reading_body = asio::async_read(socket, asio::buffer(frame),
                                         asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(reading_body);
    if (ec) co_return absl::UnavailableError("reading: " + ec.message());
    if (frame.size() < 4 || read_be32(frame.data()) != call.correlation) {
      co_return absl::InvalidArgumentError("an answer to another request");
    }
    co_return frame;
  }

  asio::any_io_executor executor;
  net::TimerService* timers;
  HostPort address;
  tcp::socket socket;
  std::shared_ptr<net::Timer> watchdog;  // the running call's guard
  std::deque<Call> queue;
  uint64_t call_id = 0;
  bool running = false;
  bool connected = false;
  bool timed_out = false;
  bool stopped = false;
};

ControllerChannels::ControllerChannels(asio::any_io_executor executor, net::TimerService* timers,
                                       std::map<int32_t, HostPort> voters, std::string client_id)
    : executor_(executor),
      timers_(timers),
      voters_(std::move(voters)),
      client_id_(std::move(client_id)) {}

ControllerChannels::~ControllerChannels() { stop(); }

void ControllerChannels::send(int32_t node_id, protocol::Bytes frame, int32_t correlation,
                              int64_t timeout_ms, RawReply done) {
  if (stopped_) return done(absl::UnavailableError("controller channel stopped"));
  auto voter = voters_.find(node_id);
  if (voter == voters_.end()) {
    return done(absl::NotFoundError("node " + std::to_string(node_id) + " is not a voter"));
  }
  std::shared_ptr<Link>& link = links_[node_id];
  if (link == nullptr) link = std::make_shared<Link>(executor_, timers_, voter->second);
  link->enqueue(Link::Call{std::move(frame), correlation, timeout_ms, std::move(done)});
}

void ControllerChannels::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& [id, link] : links_) link->stop();
}

}  // namespace keel::broker::quorum
