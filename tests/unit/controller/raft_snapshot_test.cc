// Snapshots: taken at the applied offset, the log start moves, a lagging follower installs one
// over FetchSnapshot in chunks, and a restart rebuilds the state machine from snapshot + log.
#include "gtest/gtest.h"
#include "tests/unit/controller/raft_test_util.h"

namespace keel::controller::raft {
namespace {

using testing::TestCluster;

TEST(RaftSnapshot, FileNamesAndChecks) {
  SnapshotId id{42, 7};
  EXPECT_EQ(snapshot_file_name(id), "00000000000000000042-0000000007.checkpoint");
  EXPECT_EQ(parse_snapshot_file_name(snapshot_file_name(id)), std::optional<SnapshotId>(id));
  EXPECT_FALSE(parse_snapshot_file_name("00000000000000000042.log").has_value());
  const std::string file = encode_snapshot_file(id, "state");
  auto state = decode_snapshot_file(id, file);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, "state");
  std::string bad = file;
  bad.back() ^= 1;
  EXPECT_FALSE(decode_snapshot_file(id, bad).ok());
  EXPECT_FALSE(decode_snapshot_file(SnapshotId{43, 7}, file).ok());
}

TEST(RaftSnapshot, LaggingFollowerInstallsASnapshotInChunks) {
  TestCluster cluster(3, [](RaftConfig& c) {
    c.snapshot_min_bytes_between = 40;
    c.fetch_snapshot_max_bytes = 16;
  });
  cluster.run_for(1000);
  RaftNode* leader = cluster.leader();
  ASSERT_NE(leader, nullptr);
  const int32_t lagging = leader->node_id() == 3 ? 2 : 3;
  cluster.drop = [&](const Envelope& e) { return e.from == lagging || e.to == lagging; };
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(leader->append({"payload-" + std::to_string(i)}, cluster.now()).ok());
    cluster.run_for(20);
  }
  ASSERT_EQ(cluster.leader(), leader);
  EXPECT_GT(leader->stats().snapshots_taken, 0);
  EXPECT_GT(leader->log_start_offset(), 0);
  cluster.drop = nullptr;
  cluster.run_for(2000);
  RaftNode& follower = cluster.node(lagging);
  EXPECT_GE(follower.stats().snapshots_installed, 1);
  EXPECT_EQ(follower.high_watermark(), leader->high_watermark());
  EXPECT_EQ(cluster.sm(lagging).payloads, cluster.sm(leader->node_id()).payloads);
  EXPECT_EQ(cluster.sm(lagging).payloads.size(), 30u);
}

TEST(RaftSnapshot, RestartLoadsTheSnapshotThenReplaysTheLog) {
  TestCluster cluster(1, [](RaftConfig& c) { c.snapshot_min_bytes_between = 20; });
  cluster.run_for(500);
  ASSERT_NE(cluster.leader(), nullptr);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(cluster.leader()->append({"v" + std::to_string(i)}, cluster.now()).ok());
    cluster.run_for(10);
  }
  EXPECT_GT(cluster.node(1).stats().snapshots_taken, 0);
  const std::vector<std::string> before = cluster.sm(1).payloads;
  ASSERT_EQ(before.size(), 10u);
  cluster.close(1);
  cluster.open(1);
  EXPECT_EQ(cluster.sm(1).snapshots_loaded, 1);
  cluster.run_for(1000);
  ASSERT_NE(cluster.leader(), nullptr);
  EXPECT_EQ(cluster.sm(1).payloads, before);
}

}  // namespace
}  // namespace keel::controller::raft
