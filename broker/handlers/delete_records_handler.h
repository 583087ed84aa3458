// File: broker/handlers/delete_records_handler.h
// DeleteRecords (key 21), v0-2: advances partitions' log start offsets.
//
// Behaviour, per partition, on its owner: offset -1 means the high watermark; above the high
// watermark (or negative) OFFSET_OUT_OF_RANGE; the reply's low watermark is the new log start
// offset. UNKNOWN_TOPIC_OR_PARTITION for an unknown partition, NOT_LEADER_OR_FOLLOWER when this
// node does not lead it (in its image, or its hosted replica follows), POLICY_VIOLATION on a
// compact-only topic (as Kafka).
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/delete_records.h"

namespace keel::broker::handlers {

class DeleteRecordsHandler
    : public TypedHandler<DeleteRecordsHandler, protocol::DeleteRecordsRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 2;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::DeleteRecordsRequest& req) const;
};

}  // namespace keel::broker::handlers
