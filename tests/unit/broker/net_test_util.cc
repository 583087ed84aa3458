// File: tests/unit/broker/net_test_util.cc
#include "tests/unit/broker/net_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "broker/net/asio.h"
#include "protocol/generated/api_versions.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/header.h"
#include "protocol/wire/reader.h"
#include "protocol/wire/writer.h"

namespace keel::broker::net::testing {
namespace asio = boost::asio;
using protocol::Reader;
using protocol::Writer;

Bytes be32(int32_t v) {
  Bytes out;
  Writer w(out);
  w.write_int32(v);
  return out;
}

Bytes test_request(int32_t correlation_id, int32_t delay_ms, Mode mode, size_t payload_bytes) {
  Bytes body;
  Writer w(body);
  w.write_int32(delay_ms);
  w.write_int8(static_cast<int8_t>(mode));
  body.resize(body.size() + payload_bytes, 0xab);
  return request_frame(kTestApiKey, 0, correlation_id, body);
}

Bytes request_frame(int16_t key, int16_t version, int32_t correlation_id, const Bytes& body,
                    const char* client_id) {
  protocol::RequestHeader h;
  h.api_key = key;
  h.api_version = version;
  h.correlation_id = correlation_id;
  h.client_id = client_id;
  Bytes out;
  Writer w(out);
  w.write_int32(static_cast<int32_t>(protocol::request_header_size(h) + body.size()));
  protocol::encode_request_header(w, h);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

int32_t correlation_of(const Bytes& frame) {
  Reader r(frame);
  return r.read_int32();
}

asio::awaitable<HandlerResult> TestHandler::handle(const RequestOrigin& /*origin*/,
                                                   const protocol::RequestHeader& header,
                                                   std::span<const uint8_t> body) {
  Seen seen{header.api_key, header.api_version, header.correlation_id, {}};
  if (header.api_key == protocol::kApiVersionsKey) {
    protocol::ApiVersionsRequest req;
    Reader r(body);
    if (header.api_version <= protocol::ApiVersionsRequest::kMaxVersion &&
        req.decode(r, header.api_version).ok()) {
      seen.software_name = req.client_software_name;
    }
  }
  {
    std::lock_guard lock(mu_);
    seen_.push_back(seen);
    const auto id = std::this_thread::get_id();
    if (std::find(threads_.begin(), threads_.end(), id) == threads_.end()) {
      threads_.push_back(id);
    }
  }
  ++started_;
  const int now = ++concurrent_;
  int prev = max_concurrent_.load();
  while (now > prev && !max_concurrent_.compare_exchange_weak(prev, now)) {
  }

  HandlerResult result;
  if (header.api_key == protocol::kApiVersionsKey) {
    protocol::ApiVersionsResponse resp;
    resp.api_keys.push_back({protocol::kApiVersionsKey, 0, 3, {}});
    const int16_t v = std::min<int16_t>(header.api_version, 3);
    if (header.api_version > 3) resp.error_code = 35;  // UNSUPPORTED_VERSION
    result = HandlerResult::respond(
        protocol::encode_response_frame(header.correlation_id, v < 0 ? 0 : v, resp));
  } else if (header.api_key == kTestApiKey && body.size() >= 5) {
    Reader r(body);
    const int32_t delay_ms = r.read_int32();
    const auto mode = static_cast<Mode>(r.read_int8());
    if (delay_ms > 0) {
      asio::steady_timer t(co_await asio::this_coro::executor);
      t.expires_after(std::chrono::milliseconds(delay_ms));
      co_await t.async_wait(asio::use_awaitable);
    }
    if (mode == Mode::kThrow) {
      --concurrent_;
      ++completed_;
      throw std::runtime_error("scripted failure");
    }
    if (mode == Mode::kNoResponse) {
      result = HandlerResult::no_response();
    } else if (mode == Mode::kClose) {
      result = HandlerResult::close("scripted close");
    } else {
      Bytes frame;
      Writer w(frame);
      w.write_int32(static_cast<int32_t>(4 + body.size()));
      w.write_int32(header.correlation_id);
      frame.insert(frame.end(), body.begin(), body.end());
      result = HandlerResult::respond(std::move(frame));
    }
  } else {
    result = HandlerResult::close("unsupported request in test handler");
  }
  --concurrent_;
  ++completed_;
  co_return result;
}

std::vector<TestHandler::Seen> TestHandler::seen() const {
  std::lock_guard lock(mu_);
  return seen_;
}

size_t TestHandler::distinct_threads() const {
  std::lock_guard lock(mu_);
  return threads_.size();
}

TestClient::TestClient(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

TestClient::~TestClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool TestClient::send(const Bytes& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

void TestClient::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

bool TestClient::read_exact(uint8_t* out, size_t n,
                            std::chrono::steady_clock::time_point deadline) {
  size_t got = 0;
  while (got < n) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    const ssize_t r = ::recv(fd_, out + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

std::optional<Bytes> TestClient::read_frame(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  uint8_t prefix[4];
  if (!read_exact(prefix, 4, deadline)) return std::nullopt;
  Reader r(prefix, 4);
  const int32_t size = r.read_int32();
  if (size < 0 || size > (64 << 20)) return std::nullopt;
  Bytes frame(static_cast<size_t>(size));
  if (!read_exact(frame.data(), frame.size(), deadline)) return std::nullopt;
  return frame;
}

bool TestClient::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  uint8_t buf[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    const ssize_t r = ::recv(fd_, buf, sizeof(buf), 0);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) return true;
  }
}

}  // namespace keel::broker::net::testing
