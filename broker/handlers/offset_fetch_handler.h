// File: broker/handlers/offset_fetch_handler.h
// OffsetFetch (key 9), v0-9 (v2+: all offsets of the group when topics is null; v8+:
// several groups). Partitions without a committed offset answer -1 with empty metadata.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class OffsetFetchHandler : public HandlerBase<OffsetFetchHandler> {
 public:
  static constexpr int16_t kApiKey = 9;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 9;

  explicit OffsetFetchHandler(group::GroupCoordinator* groups) : groups_(groups) {}

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;

 private:
  group::GroupCoordinator* groups_;
};

}  // namespace keel::broker::handlers
