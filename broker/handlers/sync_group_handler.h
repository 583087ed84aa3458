// File: broker/handlers/sync_group_handler.h
// SyncGroup (key 14), v0-5. Followers wait for the leader's assignments; assignments are
// passed through untouched.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class SyncGroupHandler : public HandlerBase<SyncGroupHandler> {
 public:
  static constexpr int16_t kApiKey = 14;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 5;

  explicit SyncGroupHandler(group::GroupCoordinator* groups) : groups_(groups) {}

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;

 private:
  group::GroupCoordinator* groups_;
};

}  // namespace keel::broker::handlers
