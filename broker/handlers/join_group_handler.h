// File: broker/handlers/join_group_handler.h
// JoinGroup (key 11), v0-9. The response waits until the group's rebalance completes
// (group/group_shard.h); MEMBER_ID_REQUIRED on a first join from v4; static members (v5+).
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/join_group.h"

namespace keel::broker::handlers {

class JoinGroupHandler : public TypedHandler<JoinGroupHandler, protocol::JoinGroupRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 9;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::JoinGroupRequest& req) const;
};

}  // namespace keel::broker::handlers
