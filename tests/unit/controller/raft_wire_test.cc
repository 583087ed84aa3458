// raft_wire: every RaftNode message through the generated codec (encode at the newest version,
// decode, convert back) comes back equal; messages not about __cluster_metadata-0 are refused.
#include "controller/raft/raft_wire.h"

#include <deque>

#include "gtest/gtest.h"

namespace keel::controller::raft::wire {
namespace {

// Decoded messages point into their frame (records views), so frames live for the test.
std::deque<protocol::Bytes> frames;

template <class Wire>
Wire through_bytes(const Wire& message, int16_t version = Wire::kMaxVersion) {
  protocol::Bytes& bytes = frames.emplace_back();
  protocol::Writer w(bytes);
  message.encode(w, version);
  protocol::Reader r(bytes);
  Wire decoded;
  EXPECT_TRUE(decoded.decode(r, version).ok());
  return decoded;
}

TEST(RaftWire, VoteRoundTrips) {
  VoteRequest req{5, 2, 4, 120, true};
  auto back = from_wire(through_bytes(to_wire(req, "cluster")));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->candidate_epoch, 5);
  EXPECT_EQ(back->candidate_id, 2);
  EXPECT_EQ(back->last_offset_epoch, 4);
  EXPECT_EQ(back->last_offset, 120);
  EXPECT_TRUE(back->pre_vote);
  VoteResponse resp{ErrorCode::kFencedLeaderEpoch, 3, 6, false, true};
  auto rback = from_wire(through_bytes(to_wire(resp)), /*pre_vote=*/true);
  ASSERT_TRUE(rback.ok());
  EXPECT_EQ(rback->error, ErrorCode::kFencedLeaderEpoch);
  EXPECT_EQ(rback->leader_id, 3);
  EXPECT_EQ(rback->leader_epoch, 6);
  EXPECT_FALSE(rback->vote_granted);
  EXPECT_TRUE(rback->pre_vote);
}

TEST(RaftWire, QuorumEpochMessagesRoundTrip) {
  auto begin = from_wire(through_bytes(to_wire(BeginQuorumEpochRequest{1, 9}, "c")));
  ASSERT_TRUE(begin.ok());
  EXPECT_EQ(begin->leader_id, 1);
  EXPECT_EQ(begin->leader_epoch, 9);
  auto begin_resp =
      from_wire(through_bytes(to_wire(BeginQuorumEpochResponse{ErrorCode::kNone, 1, 9})));
  ASSERT_TRUE(begin_resp.ok());
  EXPECT_EQ(begin_resp->leader_epoch, 9);
  for (int16_t v = protocol::EndQuorumEpochRequest::kMinVersion;
       v <= protocol::EndQuorumEpochRequest::kMaxVersion; ++v) {
    auto end = from_wire(through_bytes(to_wire(EndQuorumEpochRequest{2, 4, {3, 1}}, "c"), v));
    ASSERT_TRUE(end.ok());
    EXPECT_EQ(end->preferred_successors, (std::vector<int32_t>{3, 1})) << "version " << v;
  }
  auto end_resp = from_wire(
      through_bytes(to_wire(EndQuorumEpochResponse{ErrorCode::kNotLeaderOrFollower, -1, 4})));
  ASSERT_TRUE(end_resp.ok());
  EXPECT_EQ(end_resp->error, ErrorCode::kNotLeaderOrFollower);
}

TEST(RaftWire, FetchRoundTripsAtEveryKraftVersion) {
  FetchRequest req{3, 7, 1234, 6, 1 << 20, 500};
  for (int16_t v = 13; v <= protocol::FetchRequest::kMaxVersion; ++v) {
    auto back = from_wire(through_bytes(to_wire(req, "c"), v));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->replica_id, 3) << v;
    EXPECT_EQ(back->current_leader_epoch, 7);
    EXPECT_EQ(back->fetch_offset, 1234);
    EXPECT_EQ(back->last_fetched_epoch, 6);
    EXPECT_EQ(back->max_bytes, 1 << 20);
    EXPECT_EQ(back->max_wait_ms, 500);
  }
  FetchResponse resp;
  resp.high_watermark = 10;
  resp.log_start_offset = 2;
  resp.records = {1, 2, 3, 4};
  resp.diverging_epoch = DivergingEpoch{5, 8};
  resp.current_leader = {1, 7};
  auto back = from_wire(through_bytes(to_wire(resp)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->high_watermark, 10);
  EXPECT_EQ(back->log_start_offset, 2);
  EXPECT_EQ(back->records, resp.records);
  EXPECT_EQ(back->diverging_epoch, resp.diverging_epoch);
  EXPECT_FALSE(back->snapshot_id.has_value());
  EXPECT_EQ(back->current_leader, resp.current_leader);
  FetchResponse snap;
  snap.snapshot_id = SnapshotId{100, 3};
  auto sback = from_wire(through_bytes(to_wire(snap)));
  ASSERT_TRUE(sback.ok());
  EXPECT_EQ(sback->snapshot_id, snap.snapshot_id);
  EXPECT_FALSE(sback->diverging_epoch.has_value());
}

TEST(RaftWire, FetchSnapshotAndDescribeQuorumRoundTrip) {
  auto req = from_wire(through_bytes(to_wire(FetchSnapshotRequest{2, 4, {100, 3}, 64, 512}, "c")));
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->snapshot_id, (SnapshotId{100, 3}));
  EXPECT_EQ(req->position, 64);
  EXPECT_EQ(req->max_bytes, 512);
  FetchSnapshotResponse resp;
  resp.current_leader = {1, 4};
  resp.snapshot_id = {100, 3};
  resp.size = 300;
  resp.position = 64;
  resp.bytes = {9, 8, 7};
  auto back = from_wire(through_bytes(to_wire(resp)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->bytes, resp.bytes);
  EXPECT_EQ(back->size, 300);
  EXPECT_EQ(back->position, 64);
  QuorumDescription d;
  d.leader_id = 1;
  d.leader_epoch = 4;
  d.high_watermark = 99;
  d.voters = {{1, 100, -1, -1}, {2, 99, 5, 4}};
  d.observers = {{7, 50, 3, 2}};
  auto dback = from_wire(through_bytes(to_wire(d)));
  ASSERT_TRUE(dback.ok());
  EXPECT_EQ(dback->high_watermark, 99);
  ASSERT_EQ(dback->voters.size(), 2u);
  EXPECT_EQ(dback->voters[1].last_caught_up_ms, 4);
  ASSERT_EQ(dback->observers.size(), 1u);
  EXPECT_EQ(dback->observers[0].replica_id, 7);
}

TEST(RaftWire, RefusesOtherPartitions) {
  protocol::VoteRequest wrong = to_wire(VoteRequest{1, 1, 0, 0, false}, "c");
  wrong.topics[0].topic_name = "other";
  EXPECT_EQ(protocol::to_error_code(from_wire(wrong).status()), ErrorCode::kInvalidRequest);
  wrong = to_wire(VoteRequest{1, 1, 0, 0, false}, "c");
  wrong.topics[0].partitions[0].partition_index = 1;
  EXPECT_FALSE(from_wire(wrong).ok());
  wrong.topics.clear();
  EXPECT_FALSE(from_wire(wrong).ok());
  protocol::FetchRequest two = to_wire(FetchRequest{}, "c");
  two.topics.push_back(two.topics[0]);
  EXPECT_FALSE(from_wire(two).ok());
}

}  // namespace
}  // namespace keel::controller::raft::wire
