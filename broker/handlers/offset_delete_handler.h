// File: broker/handlers/offset_delete_handler.h
// OffsetDelete (key 47), v0. GROUP_SUBSCRIBED_TO_TOPIC for topics a live consumer group
// subscribes to; tombstones for the rest.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/offset_delete.h"

namespace keel::broker::handlers {

class OffsetDeleteHandler
    : public TypedHandler<OffsetDeleteHandler, protocol::OffsetDeleteRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 0;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::OffsetDeleteRequest& req) const;
};

}  // namespace keel::broker::handlers
