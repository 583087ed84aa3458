// File: broker/handlers/find_coordinator_handler.h
// FindCoordinator (key 10), v0-4 (v4: batched keys). Key type 0 (groups) answers the
// leader of the group's __consumer_offsets partition (group/group_coordinator.h); key type 1
// (transactions) stays COORDINATOR_NOT_AVAILABLE until transactions exist. Until the offsets
// topic exists (created on first use) groups get COORDINATOR_NOT_AVAILABLE, which clients retry.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/find_coordinator.h"

namespace keel::broker::handlers {

class FindCoordinatorHandler
    : public TypedHandler<FindCoordinatorHandler, protocol::FindCoordinatorRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::FindCoordinatorRequest& req) const;
};

}  // namespace keel::broker::handlers
