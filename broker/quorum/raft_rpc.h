// File: broker/quorum/raft_rpc.h
// The RaftNode's requests and responses as Kafka frames between Keel nodes: which API version
// each RPC travels at (KRaft's: Vote 2 for pre-vote, BeginQuorumEpoch 1, EndQuorumEpoch 1,
// Fetch 17, FetchSnapshot 1), the request frame of an outbound Envelope, and the RaftNode
// message of a response frame. raft_wire.h does the field conversions.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "controller/raft/raft_messages.h"
#include "protocol/wire/types.h"

namespace keel::broker::quorum {

namespace raft = controller::raft;

// What a peer remembers of a request it sent, to decode the answer.
struct SentRequest {
  int16_t api_key = 0;
  int16_t api_version = 0;
  bool pre_vote = false;  // Vote responses do not say it; the request did
};

// The request frame (size prefix, header with the envelope's correlation id and `client_id`,
// body) of a request envelope; InvalidArgument for a response.
absl::StatusOr<protocol::Bytes> encode_request(const raft::Envelope& request,
                                               const std::string& cluster_id,
                                               const std::string& client_id, SentRequest* sent);

// The RaftNode message of a response frame answering `sent`.
absl::StatusOr<raft::Message> decode_response(const protocol::Bytes& frame,
                                              const SentRequest& sent);

}  // namespace keel::broker::quorum
