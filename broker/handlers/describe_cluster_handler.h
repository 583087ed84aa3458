// File: broker/handlers/describe_cluster_handler.h
// DescribeCluster (key 60), v0-1: cluster id, controller and the live (unfenced) brokers with
// host, port and rack, from the metadata image. The controller id is one of the listed
// brokers, as Metadata's (controller_id.h: advertised_controller_id).
//
// Behaviour: cluster_authorized_operations is INT32_MIN unless asked for; then every cluster
// operation (Keel has no authorizer). v1 endpoint_type 2 (controllers) is answered with
// UNSUPPORTED_ENDPOINT_TYPE, as a Kafka broker does.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/describe_cluster.h"

namespace keel::broker::handlers {

class DescribeClusterHandler
    : public TypedHandler<DescribeClusterHandler, protocol::DescribeClusterRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 2;  // v2: include_fenced_brokers, is_fenced

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::DescribeClusterRequest& req) const;
};

}  // namespace keel::broker::handlers
