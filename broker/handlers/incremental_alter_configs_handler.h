// File: broker/handlers/incremental_alter_configs_handler.h
// IncrementalAlterConfigs (key 44), v0-1: SET, DELETE, APPEND and SUBTRACT on single topic
// configs; the others keep their values.
//
// Behaviour, per resource:
// - TOPIC: the changed set is validated as a whole by the controller, all or nothing;
//   APPEND/SUBTRACT only on list configs (cleanup.policy, *.replication.throttled.replicas),
//   else INVALID_CONFIG; INVALID_REQUEST for an unknown operation, a null value other than
//   with DELETE, a key given twice or a resource listed twice; UNKNOWN_TOPIC_OR_PARTITION.
// - BROKER: read-only in Keel (INVALID_CONFIG for any change); other types INVALID_REQUEST.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/incremental_alter_configs.h"

namespace keel::broker::handlers {

class IncrementalAlterConfigsHandler
    : public TypedHandler<IncrementalAlterConfigsHandler,
                          protocol::IncrementalAlterConfigsRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 1;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::IncrementalAlterConfigsRequest& req) const;
};

}  // namespace keel::broker::handlers
