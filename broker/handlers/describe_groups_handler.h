// File: broker/handlers/describe_groups_handler.h
// DescribeGroups (key 15), v0-5. Unknown groups are described as Dead with no error, as
// in Kafka; member metadata and assignments only while Stable.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class DescribeGroupsHandler : public HandlerBase<DescribeGroupsHandler> {
 public:
  static constexpr int16_t kApiKey = 15;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 5;

  explicit DescribeGroupsHandler(group::GroupCoordinator* groups) : groups_(groups) {}

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;

 private:
  group::GroupCoordinator* groups_;
};

}  // namespace keel::broker::handlers
