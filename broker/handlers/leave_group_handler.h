// File: broker/handlers/leave_group_handler.h
// LeaveGroup (key 13), v0-5 (v3+: a batch of members, by member id or instance id).
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class LeaveGroupHandler : public HandlerBase<LeaveGroupHandler> {
 public:
  static constexpr int16_t kApiKey = 13;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 5;

  explicit LeaveGroupHandler(group::GroupCoordinator* groups) : groups_(groups) {}

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;

 private:
  group::GroupCoordinator* groups_;
};

}  // namespace keel::broker::handlers
