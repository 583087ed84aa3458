// File: broker/handlers/create_topics_handler.h
// CreateTopics (key 19), v0-7: creates topics through the controller (this node's; there is
// no other controller to forward to).
//
// Behaviour:
// - num_partitions / replication_factor -1 take num.partitions / default.replication.factor;
//   manual assignments, configs and validate_only are passed to the controller, which
//   validates everything (names, counts, assignment, configs via TopicConfigs) first.
// - Per-topic error code and message (v1+): INVALID_TOPIC_EXCEPTION, TOPIC_ALREADY_EXISTS,
//   INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT,
//   INVALID_CONFIG (also for a null config value), INVALID_REQUEST (a name given twice,
//   reported once).
// - v5+: num_partitions, replication_factor and every config of the topic (value, source,
//   read-only, sensitive) as it was created, or would be with validate_only; v7: topic id.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/create_topics.h"

namespace keel::broker::handlers {

class CreateTopicsHandler
    : public TypedHandler<CreateTopicsHandler, protocol::CreateTopicsRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 7;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::CreateTopicsRequest& req) const;
};

}  // namespace keel::broker::handlers
