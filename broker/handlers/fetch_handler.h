// File: broker/handlers/fetch_handler.h
// Fetch (key 1), v4-17, for consumers. Sessionless: every request lists its partitions and
// the reply's session id is 0 (clients then keep sending full requests).
//
// Behaviour:
// - Reads whole stored batches from each partition's owner, starting at the batch holding
//   fetch_offset, below the high watermark (also the last stable offset: no transactions
//   yet), within partition_max_bytes and the request's max_bytes; the first partition with
//   data may exceed them by one batch (KIP-74), so a large batch never blocks a consumer.
// - Long poll: while fewer than min_bytes are ready and max_wait_ms has not passed, the
//   request waits for an append to any of its partitions (FetchWaiter), without a thread.
// - v13+ name topics by id (UNKNOWN_TOPIC_ID when unknown). current_leader_epoch (v9+)
//   newer than ours is UNKNOWN_LEADER_EPOCH, older FENCED_LEADER_EPOCH.
// - Offsets outside [log start, log end] are OFFSET_OUT_OF_RANGE; a session id other than
//   0 is FETCH_SESSION_ID_NOT_FOUND.
// - Consumer fetches (replica_id < 0) read from the leader only: a partition this node does
//   not lead (in its image, or its hosted replica follows) is NOT_LEADER_OR_FOLLOWER, from v16
//   with the current leader and its endpoint (KIP-951).
// - Replica fetches (replica_id >= 0) arrive with the replication issue; today they are
//   served like consumer fetches, by whichever replica hosts the log.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/fetch.h"

namespace keel::broker::handlers {

class FetchHandler : public TypedHandler<FetchHandler, protocol::FetchRequest> {
 public:
  static constexpr int16_t kMinVersion = 4;
  static constexpr int16_t kMaxVersion = 17;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::FetchRequest& req) const;
};

}  // namespace keel::broker::handlers
