// File: broker/handlers/leave_group_handler.h
// LeaveGroup (key 13), v0-5 (v3+: a batch of members, by member id or instance id).
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/leave_group.h"

namespace keel::broker::handlers {

class LeaveGroupHandler : public TypedHandler<LeaveGroupHandler, protocol::LeaveGroupRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 5;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::LeaveGroupRequest& req) const;
};

}  // namespace keel::broker::handlers
