// File: broker/handlers/unregister_broker_handler.h
// UnregisterBroker (key 64), v0: an operator removes a broker that is gone for good (its
// registration; partitions it was a replica of keep it in their replica lists).
//
// Behaviour: through the controller (forwarded to the active one); the broker is fenced first
// if it was not, so its leaderships and ISR places move. BROKER_ID_NOT_REGISTERED when unknown;
// with one node, INVALID_REQUEST for the node itself.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/unregister_broker.h"

namespace keel::broker::handlers {

class UnregisterBrokerHandler
    : public TypedHandler<UnregisterBrokerHandler, protocol::UnregisterBrokerRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 0;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::UnregisterBrokerRequest& req) const;
};

}  // namespace keel::broker::handlers
