// File: broker/net/shard_pool.h
// The node's shards: N io_contexts, each run by one thread (design brief §2). Connections
// live on them (the Server spreads accepted sockets over them) and so do partition owners
// (PartitionManager) and group shards; none of those owns the pool, the node does, so several
// nodes can run in one process with their own pools.
//
// Threading: start() and stop() are called from one controlling thread, never a shard thread.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "broker/net/asio.h"

namespace keel::broker::net {

class ShardPool {
 public:
  // `count` < 1 means one shard per hardware thread.
  explicit ShardPool(int count);
  ~ShardPool();  // stop(true) if still running
  ShardPool(const ShardPool&) = delete;
  ShardPool& operator=(const ShardPool&) = delete;

  // Starts one thread per shard. Executors are valid from construction.
  void start();
  // Lets every shard run out of work and joins the threads; with `abandon`, stops the
  // contexts at once instead (whatever they still hold is dropped with them). Idempotent.
  void stop(bool abandon);

  size_t size() const { return shards_.size(); }
  boost::asio::any_io_executor executor(size_t shard) const {
    return shards_[shard]->io.get_executor();
  }
  boost::asio::io_context& context(size_t shard) { return shards_[shard]->io; }

 private:
  struct Shard {
    boost::asio::io_context io{1};  // one thread per context: no internal locking needed
    std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
    std::thread thread;
  };
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace keel::broker::net
