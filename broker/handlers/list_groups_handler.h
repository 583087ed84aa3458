// File: broker/handlers/list_groups_handler.h
// ListGroups (key 16), v0-5 (v4+: state filter, v5+: type filter; every group here is
// "classic").
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/list_groups.h"

namespace keel::broker::handlers {

class ListGroupsHandler : public TypedHandler<ListGroupsHandler, protocol::ListGroupsRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 5;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::ListGroupsRequest& req) const;
};

}  // namespace keel::broker::handlers
