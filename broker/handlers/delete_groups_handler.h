// File: broker/handlers/delete_groups_handler.h
// DeleteGroups (key 42), v0-2. Only empty groups (NON_EMPTY_GROUP otherwise); writes
// tombstones for the group's offsets and metadata.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class DeleteGroupsHandler : public HandlerBase<DeleteGroupsHandler> {
 public:
  static constexpr int16_t kApiKey = 42;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 2;

  explicit DeleteGroupsHandler(group::GroupCoordinator* groups) : groups_(groups) {}

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;

 private:
  group::GroupCoordinator* groups_;
};

}  // namespace keel::broker::handlers
