// File: broker/handlers/heartbeat_handler.h
// Heartbeat (key 12), v0-4.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class HeartbeatHandler : public HandlerBase<HeartbeatHandler> {
 public:
  static constexpr int16_t kApiKey = 12;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  explicit HeartbeatHandler(group::GroupCoordinator* groups) : groups_(groups) {}

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;

 private:
  group::GroupCoordinator* groups_;
};

}  // namespace keel::broker::handlers
