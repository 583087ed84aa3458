// File: broker/handlers/list_groups_handler.h
// ListGroups (key 16), v0-5 (v4+: state filter, v5+: type filter; every group here is
// "classic").
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class ListGroupsHandler : public HandlerBase<ListGroupsHandler> {
 public:
  static constexpr int16_t kApiKey = 16;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 5;

  explicit ListGroupsHandler(group::GroupCoordinator* groups) : groups_(groups) {}

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;

 private:
  group::GroupCoordinator* groups_;
};

}  // namespace keel::broker::handlers
