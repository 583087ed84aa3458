// File: tools/keelctl/kafka_connection.cc
#include "tools/keelctl/kafka_connection.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace keel::tools {
namespace {

// Waits until `fd` is ready for `events` or the deadline passes.
bool wait_ready(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
  }
}

}  // namespace

absl::StatusOr<KafkaConnection> KafkaConnection::connect(const std::string& address,
                                                         std::chrono::milliseconds timeout) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return absl::InvalidArgumentError("bootstrap server '" + address + "' is not host:port");
  }
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return absl::UnavailableError("cannot resolve " + address + ": " + ::gai_strerror(rc));
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last_error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS && wait_ready(fd, POLLOUT, deadline)) {
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc == 0) {
      ::freeaddrinfo(found);
      return KafkaConnection(fd, timeout);
    }
    last_error = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return absl::UnavailableError("cannot connect to " + address + ": " + last_error);
}

KafkaConnection::KafkaConnection(KafkaConnection&& other) noexcept
    : fd_(other.fd_), timeout_(other.timeout_), correlation_(other.correlation_) {
  other.fd_ = -1;
}

KafkaConnection::~KafkaConnection() {
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<protocol::Bytes> KafkaConnection::round_trip(const protocol::Bytes& frame) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  size_t sent = 0;
  while (sent < frame.size()) {
    const ssize_t n = ::send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_ready(fd_, POLLOUT, deadline)) return absl::DeadlineExceededError("send timed out");
    } else {
      return absl::UnavailableError(std::string("send: ") + std::strerror(errno));
    }
  }
  auto read_exact = [&](uint8_t* out, size_t want) -> absl::Status {
    size_t got = 0;
    while (got < want) {
      const ssize_t n = ::recv(fd_, out + got, want - got, 0);
      if (n > 0) {
        got += static_cast<size_t>(n);
      } else if (n == 0) {
        return absl::UnavailableError("the broker closed the connection");
      } else if (errno == EAGAIN || errno == EINTR) {
        if (!wait_ready(fd_, POLLIN, deadline)) {
          return absl::DeadlineExceededError("no answer within the timeout");
        }
      } else {
        return absl::UnavailableError(std::string("recv: ") + std::strerror(errno));
      }
    }
    return absl::OkStatus();
  };
  uint8_t size_bytes[4];
  if (absl::Status s = read_exact(size_bytes, 4); !s.ok()) return s;
  const uint32_t size = (uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
                        (uint32_t{size_bytes[2]} << 8) | uint32_t{size_bytes[3]};
  if (size == 0 || size > (256u << 20)) {
    return absl::DataLossError("bad answer size " + std::to_string(size));
  }
  protocol::Bytes body(size);
  if (absl::Status s = read_exact(body.data(), size); !s.ok()) return s;
  return body;
}

}  // namespace keel::tools
