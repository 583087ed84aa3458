// File: broker/handlers/alter_configs_handler.h
// AlterConfigs (key 33), v0-2: the legacy, non-incremental form: the given configs replace all
// dynamic configs of a topic (a config left out returns to its default).
//
// Behaviour, per resource:
// - TOPIC: validated as a whole by the controller (TopicConfigs::validate), all or nothing;
//   UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG; INVALID_REQUEST for a null value, a key given
//   twice or a resource listed twice. validate_only changes nothing.
// - BROKER: Keel's broker configs are read-only (properties file, restart): INVALID_CONFIG for
//   any change; other resource types INVALID_REQUEST.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/alter_configs.h"

namespace keel::broker::handlers {

class AlterConfigsHandler
    : public TypedHandler<AlterConfigsHandler, protocol::AlterConfigsRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 2;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::AlterConfigsRequest& req) const;
};

}  // namespace keel::broker::handlers
