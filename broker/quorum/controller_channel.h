// File: broker/quorum/controller_channel.h
// Request/response calls from this node to the controller listeners of the voters: broker
// registration and heartbeats, and admin operations forwarded to the active controller.
// One connection per voter, opened on first use and reopened after an error; calls to one
// voter go one at a time, in order (they are rare and small: heartbeats every two seconds,
// admin requests). A call that gets no answer within its timeout closes that connection
// and fails with DEADLINE_EXCEEDED; the caller decides whether to retry (and where).
//
// Threading: everything runs on one executor (the raft thread's): call() and stop() are
// called there and replies run there.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "broker/config/endpoint.h"
#include "broker/net/asio.h"
#include "broker/net/timers.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/header.h"
#include "protocol/wire/reader.h"

namespace keel::broker::quorum {

class ControllerChannels {
 public:
  template <typename Response>
  using Reply = std::function<void(absl::StatusOr<Response>)>;

  ControllerChannels(boost::asio::any_io_executor executor, net::TimerService* timers,
                     std::map<int32_t, HostPort> voters, std::string client_id);
  ~ControllerChannels();
  ControllerChannels(const ControllerChannels&) = delete;
  ControllerChannels& operator=(const ControllerChannels&) = delete;

  // Sends `request` at `version` to voter `node_id`; `done` gets the decoded response, or
  // NOT_FOUND for an unknown voter, UNAVAILABLE when it cannot be reached, DEADLINE_EXCEEDED
  // after `timeout_ms`, INVALID_ARGUMENT for an answer that does not decode.
  template <typename Response, typename Request>
  void call(int32_t node_id, int16_t version, const Request& request, int64_t timeout_ms,
            Reply<Response> done) {
    protocol::RequestHeader h;
    h.api_key = Request::kApiKey;
    h.api_version = version;
    h.correlation_id = next_correlation_++;
    h.client_id = client_id_;
    const int16_t header_version = protocol::response_header_version(h.api_key, version);
    auto decode = [version, header_version,
                   done = std::move(done)](absl::StatusOr<protocol::Bytes> frame) mutable {
      if (!frame.ok()) return done(frame.status());
      protocol::Reader r(*frame);
      (void)protocol::decode_response_header(r, header_version);
      Response response;
      absl::Status s = response.decode(r, version);
      if (!s.ok()) return done(s);
      done(std::move(response));
    };
    send(node_id, protocol::encode_request_frame(h, request), h.correlation_id, timeout_ms,
         std::move(decode));
  }

  // Fails queued calls with UNAVAILABLE and closes the connections. Idempotent.
  void stop();

 private:
  struct Link;
  using RawReply = std::function<void(absl::StatusOr<protocol::Bytes>)>;
  void send(int32_t node_id, protocol::Bytes frame, int32_t correlation, int64_t timeout_ms,
            RawReply done);

  boost::asio::any_io_executor executor_;
  net::TimerService* timers_;
  std::map<int32_t, HostPort> voters_;
  std::string client_id_;
  int32_t next_correlation_ = 1;
  std::map<int32_t, std::shared_ptr<Link>> links_;
  bool stopped_ = false;
};

}  // namespace keel::broker::quorum
