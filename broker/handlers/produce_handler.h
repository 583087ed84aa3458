// File: broker/handlers/produce_handler.h
// Produce (key 0), v0-12. Each partition's batches are appended on the partition's owner
// (PartitionManager::on_owner); the log validates them first and appends all or nothing.
//
// Behaviour:
// - acks must be -1, 0 or 1 (INVALID_REQUIRED_ACKS for every partition otherwise); acks=0
//   gets no response at all, even on errors, as in Kafka.
// - acks=-1 checks min.insync.replicas against the ISR before appending
//   (NOT_ENOUGH_REPLICAS). With one in-sync replica a write is committed when written; the
//   replication issue adds waiting for followers.
// - Only the leader (in this node's image, and the hosted replica's role) appends: a
//   partition led by another node is NOT_LEADER_OR_FOLLOWER, from v10 with the current leader
//   and its endpoint (KIP-951); one without a leader is LEADER_NOT_AVAILABLE.
// - Other errors per partition: UNKNOWN_TOPIC_OR_PARTITION, and the log's validation errors
//   (CORRUPT_MESSAGE, INVALID_RECORD, MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE,
//   UNSUPPORTED_COMPRESSION_TYPE) with a message from v8 on.
// - Versions 0-2 carry legacy message sets, which the log refuses (INVALID_RECORD); they are
//   advertised because kafka-python gates on the minimum.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/produce.h"

namespace keel::broker::handlers {

class ProduceHandler : public TypedHandler<ProduceHandler, protocol::ProduceRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 12;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::ProduceRequest& req) const;
};

}  // namespace keel::broker::handlers
