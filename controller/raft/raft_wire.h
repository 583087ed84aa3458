// File: controller/raft/raft_wire.h
// Conversions between the RaftNode messages (raft_messages.h) and Keel's generated Kafka codecs
// (build/protocol/generated/*.h) for the one metadata partition, `__cluster_metadata`-0
// (topic id 00000000-0000-0000-0000-000000000001 in Fetch v13+, as Kafka's METADATA_TOPIC_ID).
// The envelope's from/to/correlation come from the connection and the request header, not from
// these bodies.
//
// from_wire refuses (INVALID_REQUEST) a message that does not hold exactly one partition, the
// metadata partition. to_wire results may point into their input (FetchResponse records,
// FetchSnapshotResponse bytes): keep the input alive until the message is encoded.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "controller/raft/raft_messages.h"
#include "protocol/generated/begin_quorum_epoch.h"
#include "protocol/generated/describe_quorum.h"
#include "protocol/generated/end_quorum_epoch.h"
#include "protocol/generated/fetch.h"
#include "protocol/generated/fetch_snapshot.h"
#include "protocol/generated/vote.h"

namespace keel::controller::raft::wire {

inline constexpr char kMetadataTopic[] = "__cluster_metadata";
protocol::Uuid metadata_topic_id();

protocol::VoteRequest to_wire(const VoteRequest& m, const std::string& cluster_id);
protocol::VoteResponse to_wire(const VoteResponse& m);
protocol::BeginQuorumEpochRequest to_wire(const BeginQuorumEpochRequest& m,
                                          const std::string& cluster_id);
protocol::BeginQuorumEpochResponse to_wire(const BeginQuorumEpochResponse& m);
protocol::EndQuorumEpochRequest to_wire(const EndQuorumEpochRequest& m,
                                        const std::string& cluster_id);
protocol::EndQuorumEpochResponse to_wire(const EndQuorumEpochResponse& m);
protocol::FetchRequest to_wire(const FetchRequest& m, const std::string& cluster_id);
protocol::FetchResponse to_wire(const FetchResponse& m);
protocol::FetchSnapshotRequest to_wire(const FetchSnapshotRequest& m,
                                       const std::string& cluster_id);
protocol::FetchSnapshotResponse to_wire(const FetchSnapshotResponse& m);
protocol::DescribeQuorumResponse to_wire(const QuorumDescription& m);

absl::StatusOr<VoteRequest> from_wire(const protocol::VoteRequest& m);
// A Vote response does not say whether it answers a pre-vote: the caller knows its request.
absl::StatusOr<VoteResponse> from_wire(const protocol::VoteResponse& m, bool pre_vote);
absl::StatusOr<BeginQuorumEpochRequest> from_wire(const protocol::BeginQuorumEpochRequest& m);
absl::StatusOr<BeginQuorumEpochResponse> from_wire(const protocol::BeginQuorumEpochResponse& m);
absl::StatusOr<EndQuorumEpochRequest> from_wire(const protocol::EndQuorumEpochRequest& m);
absl::StatusOr<EndQuorumEpochResponse> from_wire(const protocol::EndQuorumEpochResponse& m);
absl::StatusOr<FetchRequest> from_wire(const protocol::FetchRequest& m);
absl::StatusOr<FetchResponse> from_wire(const protocol::FetchResponse& m);
absl::StatusOr<FetchSnapshotRequest> from_wire(const protocol::FetchSnapshotRequest& m);
absl::StatusOr<FetchSnapshotResponse> from_wire(const protocol::FetchSnapshotResponse& m);
absl::StatusOr<QuorumDescription> from_wire(const protocol::DescribeQuorumResponse& m);

}  // namespace keel::controller::raft::wire
