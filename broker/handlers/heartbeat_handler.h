// File: broker/handlers/heartbeat_handler.h
// Heartbeat (key 12), v0-4.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/heartbeat.h"

namespace keel::broker::handlers {

class HeartbeatHandler : public TypedHandler<HeartbeatHandler, protocol::HeartbeatRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::HeartbeatRequest& req) const;
};

}  // namespace keel::broker::handlers
