// File: broker/handlers/describe_configs_handler.h
// DescribeConfigs (key 32), v0-4: the configs of topics and of this broker.
//
// Behaviour:
// - TOPIC: every topic config from TopicConfigs::describe (the topic's own settings over the
//   node's defaults), UNKNOWN_TOPIC_OR_PARTITION for an unknown topic (INVALID_TOPIC_EXCEPTION
//   for an illegal name).
// - BROKER with this node's id or an empty name: every broker property
//   (describe_broker_configs); another id or a non-number: INVALID_REQUEST.
// - Other resource types (broker loggers, ...): INVALID_REQUEST.
// - configuration_keys filters by name (null or empty = all; unknown names are skipped).
//   Synonyms only when include_synonyms (v1+), documentation only when
//   include_documentation (v3+), config_type v3+; v0 reports is_default instead of a source.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/describe_configs.h"

namespace keel::broker::handlers {

class DescribeConfigsHandler
    : public TypedHandler<DescribeConfigsHandler, protocol::DescribeConfigsRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::DescribeConfigsRequest& req) const;
};

}  // namespace keel::broker::handlers
