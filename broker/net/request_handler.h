// File: broker/net/request_handler.h
// The seam between the network layer and the broker's request processing.
//
// Contract: a Connection calls handle() once per request, on the connection's own
// io_context thread (its shard), possibly many times concurrently for pipelined requests.
// Implementations are shared by every connection of every shard, so they must be safe to
// call from several threads at once. They must not throw (an exception is treated as a
// protocol violation and closes the connection, but is never allowed to reach the loop).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "broker/net/asio.h"
#include "protocol/wire/header.h"
#include "protocol/wire/types.h"

namespace keel::broker::net {

// What to do with one request once it has been handled.
struct HandlerResult {
  enum class Kind {
    kRespond,     // write `frame` (size prefix + response header + body) in request order
    kNoResponse,  // nothing is sent back (Produce with acks=0)
    kClose,       // protocol violation: close the connection after earlier responses
  };
  Kind kind = Kind::kNoResponse;
  protocol::Bytes frame;
  std::string reason;  // for kClose: logged once by the connection

  static HandlerResult respond(protocol::Bytes f) { return {Kind::kRespond, std::move(f), {}}; }
  static HandlerResult no_response() { return {Kind::kNoResponse, {}, {}}; }
  static HandlerResult close(std::string why) { return {Kind::kClose, {}, std::move(why)}; }
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;

  // `header` was decoded from the frame; `body` is the rest of the frame. Both stay valid
  // until the returned awaitable completes. Unknown API keys and unsupported versions reach
  // the handler too: answering them (or closing) is its decision.
  virtual boost::asio::awaitable<HandlerResult> handle(const protocol::RequestHeader& header,
                                                       std::span<const uint8_t> body) = 0;
};

}  // namespace keel::broker::net
