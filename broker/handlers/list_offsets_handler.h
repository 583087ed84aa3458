// File: broker/handlers/list_offsets_handler.h
// ListOffsets (key 2), v1-8: offsets by timestamp, answered on each partition's owner.
//
// Timestamps: -2 earliest (log start offset), -1 latest (the high watermark, which is also
// the last stable offset while there are no transactions), -3 the record with the largest
// timestamp (v7+), -4 earliest local (v8+, = earliest without tiered storage); otherwise the
// first offset whose record timestamp is >= the given one, or offset -1 when none is below
// the high watermark. current_leader_epoch (v4+) is checked as in Fetch. Only the leader
// answers: a partition this node does not lead (in its image, or its replica follows) is
// NOT_LEADER_OR_FOLLOWER, whoever asks.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/list_offsets.h"

namespace keel::broker::handlers {

class ListOffsetsHandler : public TypedHandler<ListOffsetsHandler, protocol::ListOffsetsRequest> {
 public:
  static constexpr int16_t kMinVersion = 1;
  static constexpr int16_t kMaxVersion = 8;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::ListOffsetsRequest& req) const;
};

}  // namespace keel::broker::handlers
