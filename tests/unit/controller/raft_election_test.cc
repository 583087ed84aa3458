// Elections: one leader per epoch, pre-vote, vote rules, BeginQuorumEpoch, resignation.
#include "gtest/gtest.h"
#include "tests/unit/controller/raft_test_util.h"

namespace keel::controller::raft {
namespace {

using testing::TestCluster;

TEST(RaftElection, ThreeVotersElectOneLeaderWhoCommitsItsLeaderChange) {
  TestCluster cluster(3);
  cluster.run_for(1000);
  RaftNode* leader = cluster.leader();
  ASSERT_NE(leader, nullptr);
  int leaders = 0;
  for (int id = 1; id <= 3; ++id) {
    RaftNode& n = cluster.node(id);
    EXPECT_EQ(n.epoch(), leader->epoch());
    EXPECT_EQ(n.leader_id(), leader->node_id());
    leaders += n.role() == Role::kLeader;
    EXPECT_EQ(n.high_watermark(), 1) << "the LeaderChange record at 0 is committed";
  }
  EXPECT_EQ(leaders, 1);
  EXPECT_EQ(leader->stats().elections_won, 1);
}

TEST(RaftElection, PreVoteDoesNotBumpTheEpochOfAPartitionedNode) {
  TestCluster cluster(3);
  cluster.run_for(1000);
  RaftNode* leader = cluster.leader();
  ASSERT_NE(leader, nullptr);
  const int32_t epoch = leader->epoch();
  const int32_t isolated = leader->node_id() == 3 ? 2 : 3;
  cluster.drop = [&](const Envelope& e) { return e.from == isolated || e.to == isolated; };
  cluster.run_for(3000);
  // It keeps asking for pre-votes but never becomes a candidate: no epoch inflation.
  EXPECT_EQ(cluster.node(isolated).epoch(), epoch);
  EXPECT_GT(cluster.node(isolated).stats().pre_votes_started, 0);
  EXPECT_EQ(cluster.node(isolated).stats().elections_started, 0);
  cluster.drop = nullptr;
  cluster.run_for(1000);
  // Rejoining does not disrupt the leader.
  EXPECT_EQ(cluster.leader(), leader);
  EXPECT_EQ(leader->epoch(), epoch);
  EXPECT_EQ(cluster.node(isolated).role(), Role::kFollower);
}

TEST(RaftElection, VoteRules) {
  storage::MemEnv env;
  storage::ManualClock clock(0);
  testing::RecordingStateMachine sm;
  auto opened = RaftNode::open(&env, &clock, "/n1", testing::test_config(1, {1, 2, 3}), &sm, 1, 0);
  ASSERT_TRUE(opened.ok());
  RaftNode& node = **opened;
  auto ask = [&](int32_t from, VoteRequest req) {
    node.handle(Envelope{from, 1, 1, req}, 5);
    std::vector<Envelope> out = node.take_outbox();
    EXPECT_EQ(out.size(), 1u);
    return std::get<VoteResponse>(out.at(0).message);
  };
  EXPECT_TRUE(ask(2, VoteRequest{2, 2, 0, 0, false}).vote_granted);
  EXPECT_TRUE(ask(2, VoteRequest{2, 2, 0, 0, false}).vote_granted) << "a retry is idempotent";
  EXPECT_FALSE(ask(3, VoteRequest{2, 3, 0, 0, false}).vote_granted) << "one vote per epoch";
  VoteResponse stale = ask(3, VoteRequest{1, 3, 0, 0, false});
  EXPECT_EQ(stale.error, ErrorCode::kFencedLeaderEpoch);
  EXPECT_EQ(stale.leader_epoch, 2);
  EXPECT_EQ(ask(9, VoteRequest{3, 9, 0, 0, false}).error, ErrorCode::kInconsistentVoterSet);
  EXPECT_EQ(ask(2, VoteRequest{3, 3, 0, 0, false}).error, ErrorCode::kInconsistentVoterSet)
      << "the sender must be the candidate";
  EXPECT_EQ(ask(3, VoteRequest{3, 3, -1, 0, false}).error, ErrorCode::kInvalidRequest);
  EXPECT_EQ(node.epoch(), 2);
}

TEST(RaftElection, CandidateBehindIsRefused) {
  TestCluster cluster(3);
  cluster.run_for(1000);
  RaftNode* leader = cluster.leader();
  ASSERT_NE(leader, nullptr);
  ASSERT_TRUE(leader->append({"x", "y"}, cluster.now()).ok());
  cluster.run_for(200);
  const int32_t voter = leader->node_id() == 1 ? 2 : 1;
  RaftNode& node = cluster.node(voter);
  ASSERT_EQ(node.log_end_offset(), 3);
  node.handle(Envelope{leader->node_id() == 3 ? 2 : 3, voter, 77,
                       VoteRequest{node.epoch() + 1, leader->node_id() == 3 ? 2 : 3,
                                   node.log().last_epoch(), 1, false}},
              cluster.now());
  std::vector<Envelope> out = node.take_outbox();
  bool answered = false;
  for (const Envelope& e : out) {
    if (const auto* v = std::get_if<VoteResponse>(&e.message)) {
      EXPECT_FALSE(v->vote_granted);
      answered = true;
    }
  }
  EXPECT_TRUE(answered);
}

TEST(RaftElection, ResignHandsOverAndOldLeaderFollows) {
  TestCluster cluster(3);
  cluster.run_for(1000);
  RaftNode* leader = cluster.leader();
  ASSERT_NE(leader, nullptr);
  const int32_t old_id = leader->node_id();
  const int32_t epoch = leader->epoch();
  leader->resign(cluster.now());
  EXPECT_EQ(leader->role(), Role::kResigned);
  EXPECT_FALSE(leader->append({"late"}, cluster.now()).ok());
  cluster.run_for(2000);
  RaftNode* next = cluster.leader();
  ASSERT_NE(next, nullptr);
  EXPECT_GT(next->epoch(), epoch);
  EXPECT_EQ(cluster.node(old_id).role(), Role::kFollower);
}

TEST(RaftElection, CheckQuorumResignsALeaderCutOffFromTheMajority) {
  TestCluster cluster(3);
  cluster.run_for(1000);
  RaftNode* leader = cluster.leader();
  ASSERT_NE(leader, nullptr);
  const int32_t id = leader->node_id();
  cluster.drop = [&](const Envelope& e) { return e.from == id || e.to == id; };
  cluster.run_for(1000);
  EXPECT_NE(cluster.node(id).role(), Role::kLeader);
  RaftNode* next = cluster.leader();
  ASSERT_NE(next, nullptr);
  EXPECT_NE(next->node_id(), id);
}

TEST(RaftElection, AppendOnANonLeaderIsNotController) {
  TestCluster cluster(3);
  cluster.run_for(1000);
  for (int id = 1; id <= 3; ++id) {
    RaftNode& n = cluster.node(id);
    if (n.role() == Role::kLeader) continue;
    EXPECT_EQ(protocol::to_error_code(n.append({"a"}, cluster.now()).status()),
              ErrorCode::kNotController);
  }
}

}  // namespace
}  // namespace keel::controller::raft

namespace keel::controller::raft {
namespace {

TEST(RaftObserver, FollowsTheLeaderWithoutEverStanding) {
  testing::TestCluster cluster(3);
  cluster.open(4);  // not among the voters {1, 2, 3}: an observer
  cluster.run_for(1000);
  RaftNode* leader = cluster.leader();
  ASSERT_NE(leader, nullptr);
  RaftNode& observer = cluster.node(4);
  EXPECT_FALSE(observer.is_voter());
  ASSERT_TRUE(leader->append({"a", "b"}, cluster.now()).ok());
  cluster.run_for(300);
  EXPECT_EQ(observer.role(), Role::kFollower);
  EXPECT_EQ(observer.leader_id(), leader->node_id());
  EXPECT_EQ(cluster.sm(4).payloads, (std::vector<std::string>{"a", "b"}));
  QuorumDescription d = leader->describe_quorum();
  ASSERT_EQ(d.observers.size(), 1u);
  EXPECT_EQ(d.observers[0].replica_id, 4);
  EXPECT_EQ(d.observers[0].log_end_offset, leader->log_end_offset());
  // With the leader gone the observer looks for the next one; it never stands itself.
  const int32_t old = leader->node_id();
  cluster.close(old);
  cluster.run_for(3000);
  EXPECT_EQ(observer.stats().elections_started, 0);
  EXPECT_EQ(observer.stats().pre_votes_started, 0);
  RaftNode* next = cluster.leader();
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(observer.leader_id(), next->node_id());
}

}  // namespace
}  // namespace keel::controller::raft
