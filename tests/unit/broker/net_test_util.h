// File: tests/unit/broker/net_test_util.h
// Helpers for the broker/net tests: a scriptable request handler, a blocking socket client
// whose every wait has a timeout, and request frame builders.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "broker/net/request_handler.h"
#include "protocol/wire/types.h"

namespace keel::broker::net::testing {

using protocol::Bytes;
using namespace std::chrono_literals;

// API key used by the tests' scripted requests (unknown to Kafka, so header v1).
inline constexpr int16_t kTestApiKey = 999;
inline constexpr int16_t kMetadataKey = 3;

enum class Mode : int8_t { kEcho = 0, kNoResponse = 1, kClose = 2, kThrow = 3 };

// Body of a scripted request: int32 delay in ms, int8 mode, then payload.
Bytes test_request(int32_t correlation_id, int32_t delay_ms, Mode mode = Mode::kEcho,
                   size_t payload_bytes = 0);
// A request frame with a v1/v2 header for (key, version) and the given body.
Bytes request_frame(int16_t key, int16_t version, int32_t correlation_id, const Bytes& body,
                    const char* client_id = "test");
Bytes be32(int32_t v);

// Answers ApiVersions (key 18 v0-3, header v0), closes on Metadata, and runs scripted
// requests: waits `delay`, then echoes / answers nothing / closes / throws.
class TestHandler : public RequestHandler {
 public:
  boost::asio::awaitable<HandlerResult> handle(const RequestOrigin& origin,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) override;

  struct Seen {
    int16_t key;
    int16_t version;
    int32_t correlation_id;
    std::string software_name;  // ApiVersions v3+
  };
  std::vector<Seen> seen() const;
  size_t started() const { return started_.load(); }
  size_t completed() const { return completed_.load(); }
  int max_concurrency() const { return max_concurrent_.load(); }
  size_t distinct_threads() const;

 private:
  mutable std::mutex mu_;
  std::vector<Seen> seen_;
  std::vector<std::thread::id> threads_;
  std::atomic<size_t> started_{0};
  std::atomic<size_t> completed_{0};
  std::atomic<int> concurrent_{0};
  std::atomic<int> max_concurrent_{0};
};

// A blocking TCP client on 127.0.0.1 (POSIX sockets, poll for timeouts).
class TestClient {
 public:
  explicit TestClient(uint16_t port);
  ~TestClient();
  bool connected() const { return fd_ >= 0; }
  bool send(const Bytes& bytes);
  void shutdown_write();
  // The next response frame (size prefix stripped), or nullopt on close or timeout.
  std::optional<Bytes> read_frame(std::chrono::milliseconds timeout = 5000ms);
  // True when the peer closed (EOF or reset) within the timeout; pending data is skipped.
  bool wait_closed(std::chrono::milliseconds timeout = 5000ms);

 private:
  bool read_exact(uint8_t* out, size_t n, std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
};

// Correlation id of a response frame (response header v0/v1 both start with it).
int32_t correlation_of(const Bytes& frame);

// Polls `pred` until true or timeout.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

}  // namespace keel::broker::net::testing
