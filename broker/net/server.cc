// File: broker/net/server.cc
#include "broker/net/server.h"

#include <charconv>
#include <future>
#include <utility>

#include "broker/net/asio.h"

namespace keel::broker::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

absl::StatusOr<asio::ip::address> resolve_host(const std::string& host) {
  if (host.empty()) return asio::ip::address(asio::ip::address_v4::any());
  if (host == "localhost") return asio::ip::address(asio::ip::address_v4::loopback());
  error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return absl::InvalidArgumentError("not a numeric address: " + host);
  return addr;
}

}  // namespace

absl::StatusOr<Endpoint> parse_endpoint(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return absl::InvalidArgumentError("expected host:port");
  Endpoint ep;
  ep.host = text.substr(0, colon);
  if (ep.host.size() >= 2 && ep.host.front() == '[' && ep.host.back() == ']') {
    ep.host = ep.host.substr(1, ep.host.size() - 2);
  }
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  unsigned port = 0;
  auto [end, err] = std::from_chars(first, last, port);
  if (err != std::errc() || end != last || first == last || port > 65535) {
    return absl::InvalidArgumentError("bad port in " + text);
  }
  ep.port = static_cast<uint16_t>(port);
  return ep;
}

Server::Server(ServerOptions options) : options_(std::move(options)) {
  if (options_.shards == nullptr) {
    own_shards_ = std::make_unique<ShardPool>(options_.num_shards < 1 ? 1 : options_.num_shards);
  }
  shards_ = options_.shards != nullptr ? options_.shards : own_shards_.get();
}

Server::~Server() {
  if (running_) stop();
  // Abandoned connections (stop timed out) die with their io_context and report to mu_:
  // destroy the contexts while every member is still alive.
  acceptors_.clear();
  own_shards_.reset();
}

absl::Status Server::start() {
  if (running_) return absl::FailedPreconditionError("server already started");
  if (options_.handler == nullptr) return absl::InvalidArgumentError("no request handler");
  for (const Endpoint& ep : options_.endpoints) {
    auto addr = resolve_host(ep.host);
    if (!addr.ok()) return addr.status();
    auto acceptor = std::make_unique<tcp::acceptor>(shards_->context(0));
    const tcp::endpoint endpoint(*addr, ep.port);
    error_code ec;
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      acceptors_.clear();
      bound_ports_.clear();
      return absl::UnavailableError("cannot listen on " + ep.host + ":" + std::to_string(ep.port) +
                                    ": " + ec.message());
    }
    bound_ports_.push_back(acceptor->local_endpoint(ec).port());
    acceptors_.push_back(std::move(acceptor));
  }
  accepting_ = true;
  running_ = true;
  for (size_t i = 0; i < acceptors_.size(); ++i) {
    // options_ outlives the loops, so the name can be a view.
    asio::co_spawn(shards_->context(0), accept_loop(*acceptors_[i], options_.endpoints[i].listener),
                   asio::detached);
  }
  if (own_shards_ != nullptr) own_shards_->start();
  return absl::OkStatus();
}

asio::awaitable<void> Server::accept_loop(tcp::acceptor& acceptor, std::string_view listener) {
  while (true) {
    asio::io_context& shard = shards_->context(next_shard_);
    next_shard_ = (next_shard_ + 1) % shards_->size();
    error_code ec;
    tcp::socket socket =
        co_await acceptor.async_accept(shard, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;  // e.g. EMFILE or a reset before accept: keep serving
    adopt(std::move(socket), listener);
  }
}

void Server::adopt(tcp::socket socket, std::string_view listener) {
  {
    std::lock_guard lock(mu_);
    if (!accepting_) return;  // stop() began: the socket closes here
    ++live_;
  }
  if (options_.metrics) NetMetrics::add(options_.metrics->connections_accepted);
  auto executor = socket.get_executor();
  // Created and started on its own shard, where it will live.
  asio::post(executor, [this, listener, s = std::move(socket)]() mutable {
    ConnectionContext ctx{options_.handler, options_.limits, options_.global_budget,
                          options_.metrics, listener};
    auto conn = std::make_shared<Connection>(std::move(s), ctx, [this] {
      std::lock_guard lock(mu_);
      --live_;
      all_closed_.notify_all();
    });
    {
      std::lock_guard lock(mu_);
      std::erase_if(connections_, [](const auto& w) { return w.expired(); });
      connections_.push_back(conn);
      // stop() may have run after adopt() counted this one: honour it.
      if (!accepting_) conn->stop();
    }
    conn->start();
  });
}

size_t Server::live_connections() const {
  std::lock_guard lock(mu_);
  return live_;
}

bool Server::stop(std::chrono::milliseconds grace) {
  if (!running_) return true;
  running_ = false;
  std::vector<std::weak_ptr<Connection>> conns;
  {
    std::lock_guard lock(mu_);
    accepting_ = false;
    conns = connections_;
  }
  asio::post(shards_->context(0), [this] {
    error_code ec;
    for (auto& a : acceptors_) a->close(ec);
  });
  for (auto& weak : conns) {
    if (auto conn = weak.lock()) conn->stop();
  }
  bool drained;
  {
    std::unique_lock lock(mu_);
    drained = all_closed_.wait_for(lock, grace, [this] { return live_ == 0; });
  }
  if (own_shards_ != nullptr) own_shards_->stop(!drained);
  // The acceptors' closes were posted to shard 0: with a pool that keeps running, let them run
  // before the acceptors go.
  if (own_shards_ == nullptr) {
    std::promise<void> closed;
    asio::post(shards_->context(0), [&closed] { closed.set_value(); });
    closed.get_future().wait_for(std::chrono::seconds(5));
  }
  acceptors_.clear();
  return drained;
}

}  // namespace keel::broker::net
