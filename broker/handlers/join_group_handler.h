// File: broker/handlers/join_group_handler.h
// JoinGroup (key 11), v0-9. The response waits until the group's rebalance completes
// (group/group_shard.h); MEMBER_ID_REQUIRED on a first join from v4; static members (v5+).
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class JoinGroupHandler : public HandlerBase<JoinGroupHandler> {
 public:
  static constexpr int16_t kApiKey = 11;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 9;

  explicit JoinGroupHandler(group::GroupCoordinator* groups) : groups_(groups) {}

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;

 private:
  group::GroupCoordinator* groups_;
};

}  // namespace keel::broker::handlers
