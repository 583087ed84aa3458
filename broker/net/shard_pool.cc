// File: broker/net/shard_pool.cc
#include "broker/net/shard_pool.h"

#include <algorithm>

namespace keel::broker::net {
namespace asio = boost::asio;

ShardPool::ShardPool(int count) {
  const int n =
      count >= 1 ? count : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>());
}

ShardPool::~ShardPool() { stop(true); }

void ShardPool::start() {
  for (auto& shard : shards_) {
    if (shard->thread.joinable()) continue;
    shard->work = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
        shard->io.get_executor());
    shard->thread = std::thread([io = &shard->io] {
      // Every handler reports errors as values; run() can only throw from a bug, and then
      // crashing loudly beats a half-dead shard.
      io->run();
    });
  }
}

void ShardPool::stop(bool abandon) {
  for (auto& shard : shards_) {
    shard->work.reset();
    if (abandon) shard->io.stop();
  }
  for (auto& shard : shards_) {
    if (shard->thread.joinable()) shard->thread.join();
  }
}

}  // namespace keel::broker::net
