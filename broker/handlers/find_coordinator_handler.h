// File: broker/handlers/find_coordinator_handler.h
// FindCoordinator (key 10), v0-4 (v4: batched keys). Key type 0 (groups) answers the
// leader of the group's __consumer_offsets partition (group/group_coordinator.h); key type 1
// (transactions) stays COORDINATOR_NOT_AVAILABLE until transactions exist. Until the offsets
// topic exists (created on first use) groups get COORDINATOR_NOT_AVAILABLE, which clients retry.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class FindCoordinatorHandler : public HandlerBase<FindCoordinatorHandler> {
 public:
  static constexpr int16_t kApiKey = 10;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  explicit FindCoordinatorHandler(group::GroupCoordinator* groups) : groups_(groups) {}

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;

 private:
  group::GroupCoordinator* groups_;
};

}  // namespace keel::broker::handlers
