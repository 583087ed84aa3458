// quorum-state persistence: format, corruption, durability across a power cut, identity guard.
#include "controller/raft/quorum_state.h"
#include "gtest/gtest.h"
#include "storage/fault_env.h"
#include "storage/mem_env.h"
#include "tests/unit/controller/raft_test_util.h"

namespace keel::controller::raft {
namespace {

TEST(RaftQuorumState, RoundTripsAndRejectsCorruption) {
  QuorumStateData data{7, 2, 3, {1, 2, 3}};
  const std::string text = encode_quorum_state(data);
  auto decoded = decode_quorum_state(text);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, data);
  std::string flipped = text;
  flipped[text.find("epoch 7") + 6] = '8';
  EXPECT_EQ(decode_quorum_state(flipped).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(decode_quorum_state("").ok());
  EXPECT_FALSE(decode_quorum_state(text.substr(0, text.size() / 2)).ok());
}

TEST(RaftQuorumState, MissingFileIsFreshAndStoreIsDurable) {
  storage::MemEnv mem;
  storage::FaultEnv env(&mem, 1);
  ASSERT_TRUE(env.create_dir("/q").ok());
  ASSERT_TRUE(env.sync_dir("/").ok());
  QuorumStateStore store(&env, "/q");
  auto loaded = store.load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded->has_value());
  QuorumStateData data{3, 1, -1, {1, 2, 3}};
  ASSERT_TRUE(store.store(data).ok());
  env.freeze();
  ASSERT_TRUE(env.crash().ok());  // everything not fsynced is gone
  auto after = QuorumStateStore(&env, "/q").load();
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_TRUE(after->has_value());
  EXPECT_EQ(**after, data);
}

TEST(RaftQuorumState, VoteIsOnDiskBeforeTheAnswerLeaves) {
  storage::MemEnv env;
  storage::ManualClock clock(0);
  testing::RecordingStateMachine sm;
  auto node = RaftNode::open(&env, &clock, "/n2", testing::test_config(2, {1, 2, 3}), &sm, 1, 0);
  ASSERT_TRUE(node.ok()) << node.status();
  (*node)->handle(Envelope{1, 2, 9, VoteRequest{1, 1, 0, 0, false}}, 10);
  std::vector<Envelope> out = (*node)->take_outbox();
  ASSERT_EQ(out.size(), 1u);
  const auto& vote = std::get<VoteResponse>(out[0].message);
  EXPECT_TRUE(vote.vote_granted);
  EXPECT_EQ(out[0].correlation_id, 9);
  auto stored = QuorumStateStore(&env, "/n2/__cluster_metadata-0").load();
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->epoch, 1);
  EXPECT_EQ((*stored)->voted_for, 1);
  // A pre-vote changes nothing on disk.
  (*node)->handle(Envelope{3, 2, 10, VoteRequest{2, 3, 0, 0, true}}, 20);
  stored = QuorumStateStore(&env, "/n2/__cluster_metadata-0").load();
  EXPECT_EQ((*stored)->epoch, 1);
  EXPECT_EQ((*stored)->voted_for, 1);
}

TEST(RaftQuorumState, RestartKeepsTheVoteAndGuardsIdentity) {
  storage::MemEnv env;
  storage::ManualClock clock(0);
  testing::RecordingStateMachine sm;
  {
    auto node = RaftNode::open(&env, &clock, "/n2", testing::test_config(2, {1, 2, 3}), &sm, 1, 0);
    ASSERT_TRUE(node.ok());
    (*node)->handle(Envelope{1, 2, 9, VoteRequest{4, 1, 0, 0, false}}, 10);
  }
  testing::RecordingStateMachine sm2;
  auto node = RaftNode::open(&env, &clock, "/n2", testing::test_config(2, {1, 2, 3}), &sm2, 1, 0);
  ASSERT_TRUE(node.ok());
  EXPECT_EQ((*node)->epoch(), 4);
  EXPECT_EQ((*node)->voted_for(), 1);
  // The same epoch, another candidate: refused, even after the restart.
  (*node)->handle(Envelope{3, 2, 11, VoteRequest{4, 3, 9, 100, false}}, 20);
  std::vector<Envelope> out = (*node)->take_outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(std::get<VoteResponse>(out[0].message).vote_granted);
  node->reset();

  // Other voters than recorded: refused.
  auto wrong = RaftNode::open(&env, &clock, "/n2", testing::test_config(2, {1, 2, 4}), &sm2, 1, 0);
  EXPECT_EQ(protocol::to_error_code(wrong.status()), ErrorCode::kInconsistentVoterSet);
}

TEST(RaftQuorumState, RequireExistingStateRefusesAWipedStateFile) {
  testing::TestCluster cluster(1);
  cluster.run_for(500);
  ASSERT_NE(cluster.leader(), nullptr);
  ASSERT_TRUE(cluster.leader()->append({"a"}, cluster.now()).ok());
  cluster.close(1);
  ASSERT_TRUE(cluster.env().remove_file("/n1/__cluster_metadata-0/quorum-state").ok());
  storage::ManualClock clock(0);
  testing::RecordingStateMachine sm;
  RaftConfig config = testing::test_config(1, {1});
  config.require_existing_state = true;
  auto node = RaftNode::open(&cluster.env(), &clock, "/n1", config, &sm, 1, 0);
  EXPECT_EQ(protocol::to_error_code(node.status()), ErrorCode::kInconsistentVoterSet);
  config.require_existing_state = false;
  EXPECT_TRUE(RaftNode::open(&cluster.env(), &clock, "/n1", config, &sm, 1, 0).ok());
}

}  // namespace
}  // namespace keel::controller::raft
