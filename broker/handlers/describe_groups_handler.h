// File: broker/handlers/describe_groups_handler.h
// DescribeGroups (key 15), v0-5. Unknown groups are described as Dead with no error, as
// in Kafka; member metadata and assignments only while Stable.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/describe_groups.h"

namespace keel::broker::handlers {

class DescribeGroupsHandler
    : public TypedHandler<DescribeGroupsHandler, protocol::DescribeGroupsRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 5;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::DescribeGroupsRequest& req) const;
};

}  // namespace keel::broker::handlers
