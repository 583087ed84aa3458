// File: broker/handlers/metadata_handler.h
// Metadata (key 3), v0-13: brokers, cluster id, controller, and topics with their partitions
// from the metadata image.
//
// Behaviour:
// - All topics when the list is null (v1+) or empty (v0 only: v0 has no null).
// - An unknown topic is created when the request allows it (v4+ flag; always before v4) and
//   auto.create.topics.enable is on, with the node's defaults; the reply then already lists
//   its partitions, since creation commits before it returns. Otherwise
//   UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID for an id, v10+); a bad name
//   INVALID_TOPIC_EXCEPTION.
// - Brokers are the unfenced registered ones with their advertised endpoint; the controller
//   id is one of them (controller_id.h: advertised_controller_id), never a fenced node.
// - A partition whose leader is -1 or fenced has leader -1 and LEADER_NOT_AVAILABLE.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/metadata.h"

namespace keel::broker::handlers {

class MetadataHandler : public TypedHandler<MetadataHandler, protocol::MetadataRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 13;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::MetadataRequest& req) const;
};

}  // namespace keel::broker::handlers
