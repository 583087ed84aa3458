// File: broker/handlers/offset_delete_handler.h
// OffsetDelete (key 47), v0. GROUP_SUBSCRIBED_TO_TOPIC for topics a live consumer group
// subscribes to; tombstones for the rest.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class OffsetDeleteHandler : public HandlerBase<OffsetDeleteHandler> {
 public:
  static constexpr int16_t kApiKey = 47;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 0;

  explicit OffsetDeleteHandler(group::GroupCoordinator* groups) : groups_(groups) {}

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;

 private:
  group::GroupCoordinator* groups_;
};

}  // namespace keel::broker::handlers
