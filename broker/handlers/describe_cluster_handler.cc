// File: broker/handlers/describe_cluster_handler.cc
#include "broker/handlers/describe_cluster_handler.h"

#include <limits>
#include <string>
#include <vector>

#include "broker/broker_services.h"
#include "broker/handlers/advertised_endpoint.h"
#include "broker/handlers/controller_id.h"
#include "broker/handlers/handler_util.h"
#include "broker/handlers/partition_leadership.h"
#include "protocol/generated/describe_cluster.h"

namespace keel::broker::handlers {
namespace {

using protocol::DescribeClusterRequest;
using protocol::DescribeClusterResponse;

constexpr int8_t kBrokerEndpoints = 1;
// Kafka's UNSUPPORTED_ENDPOINT_TYPE (not in protocol::ErrorCode yet).
constexpr int16_t kUnsupportedEndpointType = 114;
constexpr int32_t kOperationsNotAsked = std::numeric_limits<int32_t>::min();

// Kafka's ACL operation codes allowed on the cluster resource: CREATE 5, ALTER 7, DESCRIBE 8,
// CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12,
// CREATE_TOKENS 13, DESCRIBE_TOKENS 14. Without an authorizer every one is allowed.
constexpr int32_t kAllClusterOperations = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) |
                                          (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14);

}  // namespace

boost::asio::awaitable<HandlerResult> DescribeClusterHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::DescribeClusterRequest& req) const {
  const BrokerServices& broker = *ctx.broker;

  DescribeClusterResponse resp;
  resp.endpoint_type = req.endpoint_type;
  if (header.api_version >= 1 && req.endpoint_type != kBrokerEndpoints) {
    resp.error_code = kUnsupportedEndpointType;
    resp.error_message = "this node answers for brokers (endpoint type 1) only, not type " +
                         std::to_string(req.endpoint_type);
    co_return respond(header, resp);
  }
  auto image = broker.image();
  resp.cluster_id = image->cluster_id();
  resp.controller_id = advertised_controller_id(broker, *image);
  for (const auto& [node_id, b] : image->brokers()) {
    const metadata::Endpoint* endpoint = advertised_endpoint(b, ctx.listener);
    // Fenced brokers only when asked (v2, KIP-1073): clients must not be sent to them.
    const bool with_fenced = header.api_version >= 2 && req.include_fenced_brokers;
    if (endpoint == nullptr || (b.fenced && !with_fenced)) continue;
    DescribeClusterResponse::DescribeClusterBroker db;
    db.broker_id = node_id;
    db.is_fenced = b.fenced;
    db.host = endpoint->host();
    db.port = endpoint->port();
    if (!b.rack.empty()) db.rack = b.rack;
    resp.brokers.push_back(std::move(db));
  }
  resp.cluster_authorized_operations =
      req.include_cluster_authorized_operations ? kAllClusterOperations : kOperationsNotAsked;
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
