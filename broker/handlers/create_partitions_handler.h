// File: broker/handlers/create_partitions_handler.h
// CreatePartitions (key 37), v0-3: raises topics' partition counts through the controller.
//
// Behaviour: per topic INVALID_PARTITIONS (count not above the current one),
// INVALID_REPLICA_ASSIGNMENT, UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST (topic listed
// twice), with a message; validate_only checks without changing anything.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/create_partitions.h"

namespace keel::broker::handlers {

class CreatePartitionsHandler
    : public TypedHandler<CreatePartitionsHandler, protocol::CreatePartitionsRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 3;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::CreatePartitionsRequest& req) const;
};

}  // namespace keel::broker::handlers
