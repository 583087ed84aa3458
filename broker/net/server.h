// File: broker/net/server.h
// The listening side: binds endpoints, accepts connections and spreads them round-robin over
// the shards of a ShardPool (one io_context run by one thread each). A connection stays on
// the shard it was given for life (design brief §2).
//
// Ownership: the node owns the ShardPool and passes it in (ServerOptions::shards); without
// one the Server makes and runs its own of num_shards (tests). The Server owns the acceptors.
// Each Connection is owned by its own coroutines (shared_ptr); the Server keeps only weak
// references, to reach them on stop(). The handler, budget, metrics and a given pool must
// outlive it; a given pool must be stopped (its contexts' work dropped) before the Server is
// destroyed when stop() reported abandoned connections.
//
// Threading: start() and stop() are called from one controlling thread (not a shard thread).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/net/asio.h"
#include "broker/net/connection.h"
#include "broker/net/limits.h"
#include "broker/net/request_handler.h"
#include "broker/net/shard_pool.h"

namespace keel::broker::net {

struct Endpoint {
  std::string host;      // numeric address or "localhost"; empty = all interfaces
  uint16_t port = 0;     // 0 = ephemeral (see Server::bound_ports)
  std::string listener;  // the listener's name (requests report it); may be empty
};

// "host:port" or "[v6]:port" to an Endpoint.
absl::StatusOr<Endpoint> parse_endpoint(const std::string& text);

struct ServerOptions {
  std::vector<Endpoint> endpoints;
  ShardPool* shards = nullptr;  // null: the Server runs its own pool of num_shards
  int num_shards = 1;
  ConnectionLimits limits;
  RequestHandler* handler = nullptr;
  InflightBudget* global_budget = nullptr;  // optional
  NetMetrics* metrics = nullptr;            // optional
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // stops if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every endpoint and starts the shard threads; an error if any bind fails.
  absl::Status start();
  // The bound port of each endpoint, in order (after start()).
  const std::vector<uint16_t>& bound_ports() const { return bound_ports_; }
  // Graceful: stop accepting, let each connection finish its in-flight requests and flush.
  // After `grace`, whatever still runs is abandoned. Returns false when connections were
  // abandoned. An own pool is stopped too (abandoning its contexts in that case).
  bool stop(std::chrono::milliseconds grace = std::chrono::seconds(30));
  size_t live_connections() const;
  // The shards' executors (valid from construction).
  size_t num_shards() const { return shards_->size(); }
  boost::asio::any_io_executor executor(size_t shard) const { return shards_->executor(shard); }

 private:
  boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor,
                                           std::string_view listener);
  void adopt(boost::asio::ip::tcp::socket socket, std::string_view listener);

  ServerOptions options_;
  std::unique_ptr<ShardPool> own_shards_;  // when options_.shards is null
  ShardPool* shards_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;  // on shard 0
  std::vector<uint16_t> bound_ports_;
  size_t next_shard_ = 0;  // touched only by shard 0's accept loops
  bool running_ = false;

  mutable std::mutex mu_;  // accept/stop path only, never per request
  std::condition_variable all_closed_;
  std::vector<std::weak_ptr<Connection>> connections_;
  size_t live_ = 0;
  bool accepting_ = false;
};

}  // namespace keel::broker::net
