// File: broker/net/limits.h
// Limits and counters shared by the network layer.
#pragma once

#include <atomic>
#include <cstdint>

#include "protocol/wire/framing.h"

namespace keel::broker::net {

// Per-connection limits. While a connection is at either in-flight limit it stops reading
// from its socket, so TCP flow control pushes back on the client.
struct ConnectionLimits {
  int32_t max_frame_bytes = protocol::kDefaultMaxFrameBytes;  // socket.request.max.bytes
  int32_t max_in_flight_requests = 100;             // read but not yet answered (or skipped)
  int64_t max_in_flight_bytes = 100 * 1024 * 1024;  // request frames being handled
  // File regions of responses (Fetch) go from the file to the socket with sendfile(2). False
  // copies them through memory instead, as a TLS listener will have to.
  bool zero_copy = true;
};

// A byte budget shared by all connections of all shards (thread-safe, lock-free). A single
// request is always admitted when nothing else holds the budget, so a frame larger than the
// budget (but within max_frame_bytes) cannot wedge the broker.
class InflightBudget {
 public:
  explicit InflightBudget(int64_t limit) : limit_(limit) {}

  bool try_acquire(int64_t n) {
    int64_t used = used_.load(std::memory_order_relaxed);
    while (used == 0 || used + n <= limit_) {
      if (used_.compare_exchange_weak(used, used + n, std::memory_order_relaxed)) return true;
    }
    return false;
  }
  void release(int64_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }
  int64_t used() const { return used_.load(std::memory_order_relaxed); }
  int64_t limit() const { return limit_; }

 private:
  const int64_t limit_;
  std::atomic<int64_t> used_{0};
};

// Counters for later metrics; updated with relaxed atomics from every shard.
struct NetMetrics {
  std::atomic<uint64_t> bytes_in{0};
  std::atomic<uint64_t> bytes_out{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> responses{0};
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<uint64_t> connections_closed{0};
  std::atomic<uint64_t> protocol_errors{0};  // connections closed for bad input
  // File regions of responses: bytes sent with sendfile(2) and with copies (both also in
  // bytes_out), and how often sendfile found the socket full and waited for it.
  std::atomic<uint64_t> zero_copy_bytes{0};
  std::atomic<uint64_t> copied_file_bytes{0};
  std::atomic<uint64_t> zero_copy_waits{0};

  static void add(std::atomic<uint64_t>& c, uint64_t n = 1) {
    c.fetch_add(n, std::memory_order_relaxed);
  }
};

}  // namespace keel::broker::net
