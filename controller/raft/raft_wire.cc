#include "controller/raft/raft_wire.h"

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"

namespace keel::controller::raft::wire {
namespace {

absl::Status not_metadata(std::string_view api) {
  return protocol::kafka_error(
      ErrorCode::kInvalidRequest,
      absl::StrCat(std::string(api), " must hold exactly partition __cluster_metadata-0"));
}

// The one partition of a decoded message, if it is the metadata partition. `Topic` has a name
// field picked by `name_of`; `Partition` an index field picked by `index_of`.
template <class Topic, class NameOf, class IndexOf>
auto single_partition(const std::vector<Topic>& topics, NameOf name_of, IndexOf index_of,
                      std::string_view api)
    -> absl::StatusOr<const typename decltype(Topic::partitions)::value_type*> {
  if (topics.size() != 1 || !name_of(topics[0]) || topics[0].partitions.size() != 1 ||
      index_of(topics[0].partitions[0]) != 0) {
    return not_metadata(api);
  }
  return &topics[0].partitions[0];
}

// The common layout: topics named by `topic_name`, partitions by `partition_index`.
template <class Topic>
auto metadata_partition(const std::vector<Topic>& topics, std::string_view api) {
  return single_partition(
      topics, [](const Topic& t) { return t.topic_name == kMetadataTopic; },
      [](const auto& p) { return p.partition_index; }, api);
}

ErrorCode code_of(int16_t code) { return static_cast<ErrorCode>(code); }
int16_t code_of(ErrorCode code) { return static_cast<int16_t>(code); }

// A top-level error (e.g. the whole request refused) wins over the partition's.
ErrorCode merged(int16_t top, int16_t partition) {
  return top != 0 ? code_of(top) : code_of(partition);
}

// BeginQuorumEpoch and EndQuorumEpoch answers: one partition with an error, the leader id and
// its epoch.
template <class Wire, class Ours>
Wire leader_answer_to_wire(const Ours& m) {
  Wire out;
  typename decltype(Wire::TopicDataResponse::partitions)::value_type p;
  p.partition_index = 0;
  p.error_code = code_of(m.error);
  p.leader_id = m.leader_id;
  p.leader_epoch = m.leader_epoch;
  out.topics.push_back({kMetadataTopic, {p}, {}});
  return out;
}

template <class Ours, class Wire>
absl::StatusOr<Ours> leader_answer_from_wire(const Wire& m, std::string_view api) {
  auto p = metadata_partition(m.topics, api);
  if (!p.ok()) return p.status();
  return Ours{merged(m.error_code, (*p)->error_code), (*p)->leader_id, (*p)->leader_epoch};
}

}  // namespace

protocol::Uuid metadata_topic_id() {
  protocol::Uuid id;
  id.bytes[15] = 1;
  return id;
}

// ---- Vote ----------------------------------------------------------------------------

protocol::VoteRequest to_wire(const VoteRequest& m, const std::string& cluster_id) {
  protocol::VoteRequest out;
  out.cluster_id = cluster_id;
  out.voter_id = -1;
  protocol::VoteRequest::PartitionData p;
  p.partition_index = 0;
  p.replica_epoch = m.candidate_epoch;
  p.replica_id = m.candidate_id;
  p.last_offset_epoch = m.last_offset_epoch;
  p.last_offset = m.last_offset;
  p.pre_vote = m.pre_vote;
  out.topics.push_back({kMetadataTopic, {p}, {}});
  return out;
}

absl::StatusOr<VoteRequest> from_wire(const protocol::VoteRequest& m) {
  auto p = metadata_partition(m.topics, "Vote");
  if (!p.ok()) return p.status();
  return VoteRequest{(*p)->replica_epoch, (*p)->replica_id, (*p)->last_offset_epoch,
                     (*p)->last_offset, (*p)->pre_vote};
}

protocol::VoteResponse to_wire(const VoteResponse& m) {
  protocol::VoteResponse out;
  protocol::VoteResponse::PartitionDataResponse p;
  p.partition_index = 0;
  p.error_code = code_of(m.error);
  p.leader_id = m.leader_id;
  p.leader_epoch = m.leader_epoch;
  p.vote_granted = m.vote_granted;
  out.topics.push_back({kMetadataTopic, {p}, {}});
  return out;
}

absl::StatusOr<VoteResponse> from_wire(const protocol::VoteResponse& m, bool pre_vote) {
  auto p = metadata_partition(m.topics, "Vote response");
  if (!p.ok()) return p.status();
  return VoteResponse{merged(m.error_code, (*p)->error_code), (*p)->leader_id, (*p)->leader_epoch,
                      (*p)->vote_granted, pre_vote};
}

// ---- BeginQuorumEpoch / EndQuorumEpoch -------------------------------------------------

protocol::BeginQuorumEpochRequest to_wire(const BeginQuorumEpochRequest& m,
                                          const std::string& cluster_id) {
  protocol::BeginQuorumEpochRequest out;
  out.cluster_id = cluster_id;
  protocol::BeginQuorumEpochRequest::PartitionData p;
  p.partition_index = 0;
  p.leader_id = m.leader_id;
  p.leader_epoch = m.leader_epoch;
  out.topics.push_back({kMetadataTopic, {p}, {}});
  return out;
}

absl::StatusOr<BeginQuorumEpochRequest> from_wire(const protocol::BeginQuorumEpochRequest& m) {
  auto p = metadata_partition(m.topics, "BeginQuorumEpoch");
  if (!p.ok()) return p.status();
  return BeginQuorumEpochRequest{(*p)->leader_id, (*p)->leader_epoch};
}

protocol::BeginQuorumEpochResponse to_wire(const BeginQuorumEpochResponse& m) {
  return leader_answer_to_wire<protocol::BeginQuorumEpochResponse>(m);
}

absl::StatusOr<BeginQuorumEpochResponse> from_wire(const protocol::BeginQuorumEpochResponse& m) {
  return leader_answer_from_wire<BeginQuorumEpochResponse>(m, "BeginQuorumEpoch response");
}

protocol::EndQuorumEpochRequest to_wire(const EndQuorumEpochRequest& m,
                                        const std::string& cluster_id) {
  protocol::EndQuorumEpochRequest out;
  out.cluster_id = cluster_id;
  protocol::EndQuorumEpochRequest::PartitionData p;
  p.partition_index = 0;
  p.leader_id = m.leader_id;
  p.leader_epoch = m.leader_epoch;
  p.preferred_successors = m.preferred_successors;
  for (int32_t id : m.preferred_successors) p.preferred_candidates.push_back({id, {}, {}});
  out.topics.push_back({kMetadataTopic, {p}, {}});
  return out;
}

absl::StatusOr<EndQuorumEpochRequest> from_wire(const protocol::EndQuorumEpochRequest& m) {
  auto p = metadata_partition(m.topics, "EndQuorumEpoch");
  if (!p.ok()) return p.status();
  EndQuorumEpochRequest out{(*p)->leader_id, (*p)->leader_epoch, (*p)->preferred_successors};
  // v1+ names candidates instead of successors; either list is the same order.
  if (out.preferred_successors.empty()) {
    for (const auto& c : (*p)->preferred_candidates)
      out.preferred_successors.push_back(c.candidate_id);
  }
  return out;
}

protocol::EndQuorumEpochResponse to_wire(const EndQuorumEpochResponse& m) {
  return leader_answer_to_wire<protocol::EndQuorumEpochResponse>(m);
}

absl::StatusOr<EndQuorumEpochResponse> from_wire(const protocol::EndQuorumEpochResponse& m) {
  return leader_answer_from_wire<EndQuorumEpochResponse>(m, "EndQuorumEpoch response");
}

// ---- Fetch ---------------------------------------------------------------------------

protocol::FetchRequest to_wire(const FetchRequest& m, const std::string& cluster_id) {
  protocol::FetchRequest out;
  out.cluster_id = cluster_id;
  out.replica_id = m.replica_id;
  out.replica_state.replica_id = m.replica_id;
  out.max_wait_ms = m.max_wait_ms;
  out.min_bytes = 1;
  out.max_bytes = m.max_bytes;
  protocol::FetchRequest::FetchPartition p;
  p.partition = 0;
  p.current_leader_epoch = m.current_leader_epoch;
  p.fetch_offset = m.fetch_offset;
  p.last_fetched_epoch = m.last_fetched_epoch;
  p.partition_max_bytes = m.max_bytes;
  protocol::FetchRequest::FetchTopic t;
  t.topic = kMetadataTopic;
  t.topic_id = metadata_topic_id();
  t.partitions.push_back(p);
  out.topics.push_back(std::move(t));
  return out;
}

absl::StatusOr<FetchRequest> from_wire(const protocol::FetchRequest& m) {
  auto p = single_partition(
      m.topics,
      [](const auto& t) { return t.topic == kMetadataTopic || t.topic_id == metadata_topic_id(); },
      [](const auto& p) { return p.partition; }, "Fetch");
  if (!p.ok()) return p.status();
  FetchRequest out;
  out.replica_id = m.replica_state.replica_id >= 0 ? m.replica_state.replica_id : m.replica_id;
  out.current_leader_epoch = (*p)->current_leader_epoch;
  out.fetch_offset = (*p)->fetch_offset;
  out.last_fetched_epoch = (*p)->last_fetched_epoch;
  out.max_bytes = std::min(m.max_bytes, (*p)->partition_max_bytes);
  out.max_wait_ms = m.max_wait_ms;
  return out;
}

protocol::FetchResponse to_wire(const FetchResponse& m) {
  protocol::FetchResponse out;
  protocol::FetchResponse::PartitionData p;
  p.partition_index = 0;
  p.error_code = code_of(m.error);
  p.high_watermark = m.high_watermark;
  p.log_start_offset = m.log_start_offset;
  if (m.diverging_epoch) {
    p.diverging_epoch.epoch = m.diverging_epoch->epoch;
    p.diverging_epoch.end_offset = m.diverging_epoch->end_offset;
  }
  p.current_leader.leader_id = m.current_leader.leader_id;
  p.current_leader.leader_epoch = m.current_leader.epoch;
  if (m.snapshot_id) {
    p.snapshot_id.end_offset = m.snapshot_id->end_offset;
    p.snapshot_id.epoch = m.snapshot_id->epoch;
  }
  p.records = protocol::RecordsView(m.records.data(), m.records.size());
  protocol::FetchResponse::FetchableTopicResponse t;
  t.topic = kMetadataTopic;
  t.topic_id = metadata_topic_id();
  t.partitions.push_back(std::move(p));
  out.responses.push_back(std::move(t));
  return out;
}

absl::StatusOr<FetchResponse> from_wire(const protocol::FetchResponse& m) {
  auto p = single_partition(
      m.responses,
      [](const auto& t) { return t.topic == kMetadataTopic || t.topic_id == metadata_topic_id(); },
      [](const auto& p) { return p.partition_index; }, "Fetch response");
  if (!p.ok()) return p.status();
  FetchResponse out;
  out.error = merged(m.error_code, (*p)->error_code);
  out.high_watermark = (*p)->high_watermark;
  out.log_start_offset = (*p)->log_start_offset;
  const auto& d = (*p)->diverging_epoch;
  if (d.epoch >= 0 || d.end_offset >= 0)
    out.diverging_epoch = DivergingEpoch{d.epoch, d.end_offset};
  const auto& s = (*p)->snapshot_id;
  if (s.epoch >= 0 || s.end_offset >= 0) out.snapshot_id = SnapshotId{s.end_offset, s.epoch};
  out.current_leader = {(*p)->current_leader.leader_id, (*p)->current_leader.leader_epoch};
  if ((*p)->records) {  // null records = none
    const std::span<const uint8_t> records = (*p)->records->span();
    out.records.assign(records.begin(), records.end());
  }
  return out;
}

// ---- FetchSnapshot -------------------------------------------------------------------

protocol::FetchSnapshotRequest to_wire(const FetchSnapshotRequest& m,
                                       const std::string& cluster_id) {
  protocol::FetchSnapshotRequest out;
  out.cluster_id = cluster_id;
  out.replica_id = m.replica_id;
  out.max_bytes = m.max_bytes;
  protocol::FetchSnapshotRequest::PartitionSnapshot p;
  p.partition = 0;
  p.current_leader_epoch = m.current_leader_epoch;
  p.snapshot_id.end_offset = m.snapshot_id.end_offset;
  p.snapshot_id.epoch = m.snapshot_id.epoch;
  p.position = m.position;
  out.topics.push_back({kMetadataTopic, {p}, {}});
  return out;
}

absl::StatusOr<FetchSnapshotRequest> from_wire(const protocol::FetchSnapshotRequest& m) {
  auto p = single_partition(
      m.topics, [](const auto& t) { return t.name == kMetadataTopic; },
      [](const auto& p) { return p.partition; }, "FetchSnapshot");
  if (!p.ok()) return p.status();
  return FetchSnapshotRequest{m.replica_id,
                              (*p)->current_leader_epoch,
                              {(*p)->snapshot_id.end_offset, (*p)->snapshot_id.epoch},
                              (*p)->position,
                              m.max_bytes};
}

protocol::FetchSnapshotResponse to_wire(const FetchSnapshotResponse& m) {
  protocol::FetchSnapshotResponse out;
  protocol::FetchSnapshotResponse::PartitionSnapshotResponse p;
  p.index = 0;
  p.error_code = code_of(m.error);
  p.snapshot_id.end_offset = m.snapshot_id.end_offset;
  p.snapshot_id.epoch = m.snapshot_id.epoch;
  p.current_leader.leader_id = m.current_leader.leader_id;
  p.current_leader.leader_epoch = m.current_leader.epoch;
  p.size = m.size;
  p.position = m.position;
  p.unaligned_records = protocol::RecordsView(m.bytes.data(), m.bytes.size());
  out.topics.push_back({kMetadataTopic, {p}, {}});
  return out;
}

absl::StatusOr<FetchSnapshotResponse> from_wire(const protocol::FetchSnapshotResponse& m) {
  auto p = single_partition(
      m.topics, [](const auto& t) { return t.name == kMetadataTopic; },
      [](const auto& p) { return p.index; }, "FetchSnapshot response");
  if (!p.ok()) return p.status();
  FetchSnapshotResponse out;
  out.error = merged(m.error_code, (*p)->error_code);
  out.current_leader = {(*p)->current_leader.leader_id, (*p)->current_leader.leader_epoch};
  out.snapshot_id = {(*p)->snapshot_id.end_offset, (*p)->snapshot_id.epoch};
  out.size = (*p)->size;
  out.position = (*p)->position;
  const std::span<const uint8_t> bytes = (*p)->unaligned_records.span();
  out.bytes.assign(bytes.begin(), bytes.end());
  return out;
}

// ---- DescribeQuorum ------------------------------------------------------------------

protocol::DescribeQuorumResponse to_wire(const QuorumDescription& m) {
  protocol::DescribeQuorumResponse out;
  protocol::DescribeQuorumResponse::PartitionDataResponse p;
  p.partition_index = 0;
  p.error_code = code_of(m.error);
  p.leader_id = m.leader_id;
  p.leader_epoch = m.leader_epoch;
  p.high_watermark = m.high_watermark;
  auto add = [](std::vector<protocol::DescribeQuorumResponse::ReplicaState>& to,
                const std::vector<ReplicaDescription>& from) {
    for (const ReplicaDescription& r : from) {
      protocol::DescribeQuorumResponse::ReplicaState s;
      s.replica_id = r.replica_id;
      s.log_end_offset = r.log_end_offset;
      s.last_fetch_timestamp = r.last_fetch_ms;
      s.last_caught_up_timestamp = r.last_caught_up_ms;
      to.push_back(s);
    }
  };
  add(p.current_voters, m.voters);
  add(p.observers, m.observers);
  out.topics.push_back({kMetadataTopic, {p}, {}});
  return out;
}

absl::StatusOr<QuorumDescription> from_wire(const protocol::DescribeQuorumResponse& m) {
  auto p = metadata_partition(m.topics, "DescribeQuorum response");
  if (!p.ok()) return p.status();
  QuorumDescription out;
  out.error = merged(m.error_code, (*p)->error_code);
  out.leader_id = (*p)->leader_id;
  out.leader_epoch = (*p)->leader_epoch;
  out.high_watermark = (*p)->high_watermark;
  auto add = [](std::vector<ReplicaDescription>& to, const auto& from) {
    for (const auto& s : from) {
      to.push_back(
          {s.replica_id, s.log_end_offset, s.last_fetch_timestamp, s.last_caught_up_timestamp});
    }
  };
  add(out.voters, (*p)->current_voters);
  add(out.observers, (*p)->observers);
  return out;
}

}  // namespace keel::controller::raft::wire
