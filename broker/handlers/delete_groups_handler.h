// File: broker/handlers/delete_groups_handler.h
// DeleteGroups (key 42), v0-2. Only empty groups (NON_EMPTY_GROUP otherwise); writes
// tombstones for the group's offsets and metadata.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/delete_groups.h"

namespace keel::broker::handlers {

class DeleteGroupsHandler
    : public TypedHandler<DeleteGroupsHandler, protocol::DeleteGroupsRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 2;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::DeleteGroupsRequest& req) const;
};

}  // namespace keel::broker::handlers
