// File: broker/handlers/sync_group_handler.h
// SyncGroup (key 14), v0-5. Followers wait for the leader's assignments; assignments are
// passed through untouched.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/sync_group.h"

namespace keel::broker::handlers {

class SyncGroupHandler : public TypedHandler<SyncGroupHandler, protocol::SyncGroupRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 5;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::SyncGroupRequest& req) const;
};

}  // namespace keel::broker::handlers
