// File: broker/handlers/find_coordinator_handler.h
// FindCoordinator (key 10), v0-4 (v4: batched keys).
//
// There is no group or transaction coordinator yet (consumer groups come with their own
// issue), so every key gets COORDINATOR_NOT_AVAILABLE, which clients treat as retriable. The
// API is still advertised because librdkafka infers broker features from it: without
// FindCoordinator v0 in ApiVersions it silently produces lz4 batches uncompressed.
#pragma once

#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class FindCoordinatorHandler : public HandlerBase<FindCoordinatorHandler> {
 public:
  static constexpr int16_t kApiKey = 10;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;
};

}  // namespace keel::broker::handlers
