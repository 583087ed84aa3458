// File: broker/handlers/delete_topics_handler.h
// DeleteTopics (key 20), v0-6: deletes topics through the controller; v6 names each topic by
// name or by id.
//
// Behaviour:
// - Per topic: UNKNOWN_TOPIC_OR_PARTITION (or UNKNOWN_TOPIC_ID by id), INVALID_REQUEST for a
//   topic listed twice or (v6) with both or neither of name and id; messages from v5.
// - v6 responses carry both the name and the id when the topic was known.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/delete_topics.h"

namespace keel::broker::handlers {

class DeleteTopicsHandler
    : public TypedHandler<DeleteTopicsHandler, protocol::DeleteTopicsRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 6;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::DeleteTopicsRequest& req) const;
};

}  // namespace keel::broker::handlers
