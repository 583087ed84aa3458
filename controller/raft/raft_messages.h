// File: controller/raft/raft_messages.h
// The KRaft RPCs of the metadata quorum as plain structs: the fields of Kafka's Vote (with
// pre-vote, KIP-996), BeginQuorumEpoch, EndQuorumEpoch, Fetch and FetchSnapshot messages
// (protocol/schema/*.schema) for the one metadata partition (`__cluster_metadata`, 0), and the
// DescribeQuorum answer. RaftNode consumes and produces these; the transport (the broker's
// Kafka framing, or the simulation's network) converts them.
//
// Every message travels in an Envelope. A response carries the correlation id of its request,
// so a node matches responses to requests and ignores stale or unsolicited ones.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "protocol/error_code.h"
#include "protocol/wire/types.h"

namespace keel::controller::raft {

using protocol::ErrorCode;

struct LeaderAndEpoch {
  int32_t leader_id = -1;
  int32_t epoch = -1;
  bool operator==(const LeaderAndEpoch&) const = default;
};

// Fetch's DivergingEpoch: the largest epoch of the leader's log <= the follower's last fetched
// epoch, and where it ends in the leader's log.
struct DivergingEpoch {
  int32_t epoch = -1;
  int64_t end_offset = -1;
  bool operator==(const DivergingEpoch&) const = default;
};

// A snapshot: it holds the state after every record below end_offset; epoch is the epoch of
// the record at end_offset - 1.
struct SnapshotId {
  int64_t end_offset = -1;
  int32_t epoch = -1;
  bool operator==(const SnapshotId&) const = default;
};

struct VoteRequest {
  int32_t candidate_epoch = -1;  // a pre-vote carries the epoch the candidate would use
  int32_t candidate_id = -1;
  int32_t last_offset_epoch = -1;  // epoch of the candidate's last record
  int64_t last_offset = -1;        // the candidate's log end offset
  bool pre_vote = false;
};

struct VoteResponse {
  ErrorCode error = ErrorCode::kNone;
  int32_t leader_id = -1;  // the responder's view of the current leader and epoch
  int32_t leader_epoch = -1;
  bool vote_granted = false;
  bool pre_vote = false;  // echoes the request, so a late pre-vote answer never counts as a vote
};

struct BeginQuorumEpochRequest {
  int32_t leader_id = -1;
  int32_t leader_epoch = -1;
};

struct BeginQuorumEpochResponse {
  ErrorCode error = ErrorCode::kNone;
  int32_t leader_id = -1;
  int32_t leader_epoch = -1;
};

struct EndQuorumEpochRequest {
  int32_t leader_id = -1;
  int32_t leader_epoch = -1;
  // Voters ordered by how far their logs reach (furthest first): they should stand first.
  std::vector<int32_t> preferred_successors;
};

struct EndQuorumEpochResponse {
  ErrorCode error = ErrorCode::kNone;
  int32_t leader_id = -1;
  int32_t leader_epoch = -1;
};

struct FetchRequest {
  int32_t replica_id = -1;
  int32_t current_leader_epoch = -1;
  int64_t fetch_offset = 0;         // the follower's (durable) log end offset
  int32_t last_fetched_epoch = -1;  // epoch of the record at fetch_offset - 1
  int32_t max_bytes = 0;
  int32_t max_wait_ms = 0;
};

struct FetchResponse {
  ErrorCode error = ErrorCode::kNone;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  protocol::Bytes records;  // whole record batches from fetch_offset
  std::optional<DivergingEpoch> diverging_epoch;
  std::optional<SnapshotId> snapshot_id;  // fetch_offset is below the log start: fetch this
  LeaderAndEpoch current_leader;
};

struct FetchSnapshotRequest {
  int32_t replica_id = -1;
  int32_t current_leader_epoch = -1;
  SnapshotId snapshot_id;
  int64_t position = 0;
  int32_t max_bytes = 0;
};

struct FetchSnapshotResponse {
  ErrorCode error = ErrorCode::kNone;
  LeaderAndEpoch current_leader;
  SnapshotId snapshot_id;
  int64_t size = 0;  // of the whole snapshot
  int64_t position = 0;
  protocol::Bytes bytes;
};

// DescribeQuorum's answer for the metadata partition.
struct ReplicaDescription {
  int32_t replica_id = -1;
  int64_t log_end_offset = -1;  // the offset it last fetched from (durably stored below it)
  int64_t last_fetch_ms = -1;
  int64_t last_caught_up_ms = -1;  // last fetch that reached the leader's log end
};

struct QuorumDescription {
  ErrorCode error = ErrorCode::kNone;  // NOT_LEADER_OR_FOLLOWER when asked of a non-leader
  int32_t leader_id = -1;
  int32_t leader_epoch = -1;
  int64_t high_watermark = -1;
  std::vector<ReplicaDescription> voters;
  std::vector<ReplicaDescription> observers;
};

using Message =
    std::variant<VoteRequest, VoteResponse, BeginQuorumEpochRequest, BeginQuorumEpochResponse,
                 EndQuorumEpochRequest, EndQuorumEpochResponse, FetchRequest, FetchResponse,
                 FetchSnapshotRequest, FetchSnapshotResponse>;

struct Envelope {
  int32_t from = -1;
  int32_t to = -1;
  int64_t correlation_id = 0;
  Message message;
};

// True for the request alternatives of Message.
bool is_request(const Message& message);
// The message's name, for logs and test output.
const char* message_name(const Message& message);

}  // namespace keel::controller::raft
