// Replication: the commit rule, divergence truncation, and malformed or out-of-epoch input on
// both sides of Fetch.
#include "gtest/gtest.h"
#include "protocol/records/record_batch_builder.h"
#include "tests/unit/controller/raft_test_util.h"

namespace keel::controller::raft {
namespace {

using testing::TestCluster;

protocol::Bytes make_batch(int64_t base_offset, int32_t epoch, std::vector<std::string> values) {
  protocol::BatchOptions options;
  options.base_offset = base_offset;
  options.partition_leader_epoch = epoch;
  protocol::RecordBatchBuilder builder(options);
  for (const std::string& v : values) {
    protocol::RecordInput input;
    input.value = protocol::ByteView(reinterpret_cast<const uint8_t*>(v.data()), v.size());
    builder.append(input);
  }
  return *builder.build();
}

TEST(RaftCommit, HighWatermarkNeedsAMajorityAndAppliesInOrderOnce) {
  // Followers tolerate the silent phases below without standing for election.
  TestCluster cluster(3, [](RaftConfig& c) { c.fetch_timeout_ms = 1000; });
  cluster.run_for(1000);
  RaftNode* leader = cluster.leader();
  ASSERT_NE(leader, nullptr);
  const int32_t id = leader->node_id();
  const int64_t hw = leader->high_watermark();
  // Followers never get data: nothing commits.
  cluster.drop = [&](const Envelope& e) { return e.from == id; };
  ASSERT_TRUE(leader->append({"a", "b"}, cluster.now()).ok());
  cluster.run_for(100);
  EXPECT_EQ(leader->high_watermark(), hw);
  EXPECT_TRUE(cluster.sm(id).payloads.empty());
  // One follower is enough for a majority of three.
  const int32_t follower = id == 1 ? 2 : 1;
  cluster.drop = [&](const Envelope& e) { return e.to != follower && e.from == id; };
  cluster.run_for(100);
  EXPECT_EQ(leader->high_watermark(), leader->log_end_offset());
  EXPECT_EQ(cluster.sm(id).payloads, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(leader->append({"c"}, cluster.now()).ok());
  cluster.drop = nullptr;
  cluster.run_for(300);
  for (int n = 1; n <= 3; ++n) {
    EXPECT_EQ(cluster.sm(n).payloads, (std::vector<std::string>{"a", "b", "c"})) << n;
    EXPECT_TRUE(std::is_sorted(cluster.sm(n).offsets.begin(), cluster.sm(n).offsets.end()));
  }
}

TEST(RaftCommit, LeaderCountsOnlyWhatIsFsynced) {
  TestCluster cluster(1, [](RaftConfig& c) { c.append_linger_ms = 25; });
  cluster.run_for(500);
  RaftNode* leader = cluster.leader();
  ASSERT_NE(leader, nullptr);
  const int64_t hw = leader->high_watermark();
  ASSERT_TRUE(leader->append({"a"}, cluster.now()).ok());
  EXPECT_EQ(leader->high_watermark(), hw);
  EXPECT_LT(leader->log().durable_offset(), leader->log_end_offset());
  cluster.run_for(30);
  EXPECT_EQ(leader->high_watermark(), leader->log_end_offset());
}

// A follower driven by hand: `leader` (id 1 or 3) sends it what the test scripts.
class RaftFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RaftConfig config = testing::test_config(2, {1, 2, 3});
    config.fetch_timeout_ms = 10000;  // the scripted leader is slow; nobody stands meanwhile
    auto opened = RaftNode::open(&env_, &clock_, "/n2", config, &sm_, 1, 0);
    ASSERT_TRUE(opened.ok());
    node_ = std::move(*opened);
  }
  // The follower's outstanding Fetch.
  Envelope fetch() {
    std::optional<Envelope> found;
    for (Envelope& e : node_->take_outbox()) {
      if (std::holds_alternative<FetchRequest>(e.message)) found = e;
    }
    EXPECT_TRUE(found.has_value());
    return found.value_or(Envelope{});
  }
  void answer(const Envelope& req, FetchResponse resp) {
    resp.current_leader = {req.to, node_->epoch()};
    if (resp.high_watermark < 0) resp.high_watermark = 0;
    resp.log_start_offset = 0;
    node_->handle(Envelope{req.to, 2, req.correlation_id, resp}, now_ += 1);
  }
  void begin(int32_t leader, int32_t epoch) {
    node_->handle(Envelope{leader, 2, 1000 + epoch, BeginQuorumEpochRequest{leader, epoch}},
                  now_ += 1);
  }

  storage::MemEnv env_;
  storage::ManualClock clock_{0};
  testing::RecordingStateMachine sm_;
  std::unique_ptr<RaftNode> node_;
  int64_t now_ = 0;
};

TEST_F(RaftFollowerTest, TruncatesByDivergingEpochNeverByHighWatermark) {
  begin(1, 1);
  Envelope f = fetch();
  EXPECT_EQ(std::get<FetchRequest>(f.message).fetch_offset, 0);
  FetchResponse r;
  // Two batches: truncation works at batch boundaries.
  r.records = make_batch(0, 1, {"a", "b", "c"});
  protocol::Bytes second = make_batch(3, 1, {"d", "e"});
  r.records.insert(r.records.end(), second.begin(), second.end());
  answer(f, r);
  EXPECT_EQ(node_->log_end_offset(), 5);
  EXPECT_EQ(node_->high_watermark(), 0);

  begin(3, 3);
  f = fetch();
  EXPECT_EQ(std::get<FetchRequest>(f.message).fetch_offset, 5);
  EXPECT_EQ(std::get<FetchRequest>(f.message).last_fetched_epoch, 1);
  FetchResponse diverging;
  diverging.diverging_epoch = DivergingEpoch{1, 3};
  answer(f, diverging);
  EXPECT_EQ(node_->log_end_offset(), 3);
  EXPECT_EQ(node_->stats().divergence_truncations, 1);
  EXPECT_EQ(node_->high_watermark(), 0) << "a divergence answer proves nothing about our log";

  f = fetch();
  EXPECT_EQ(std::get<FetchRequest>(f.message).fetch_offset, 3);
  FetchResponse more;
  more.records = make_batch(3, 3, {"x", "y"});
  more.high_watermark = 4;
  answer(f, more);
  EXPECT_EQ(node_->log_end_offset(), 5);
  EXPECT_EQ(node_->high_watermark(), 4);
  EXPECT_EQ(sm_.payloads, (std::vector<std::string>{"a", "b", "c", "x"}));
}

TEST_F(RaftFollowerTest, GarbageAndLiesInFetchResponsesNeverReachTheLog) {
  begin(1, 2);
  Envelope f = fetch();
  FetchResponse good;
  good.records = make_batch(0, 2, {"a"});
  answer(f, good);
  ASSERT_EQ(node_->log_end_offset(), 1);
  const int64_t dropped = node_->stats().dropped_messages;

  auto try_records = [&](protocol::Bytes bytes) {
    node_->poll(now_ += 100);  // the backoff passes; a new Fetch goes out
    Envelope req = fetch();
    FetchResponse r;
    r.records = std::move(bytes);
    answer(req, r);
    EXPECT_EQ(node_->log_end_offset(), 1);
  };
  try_records(protocol::Bytes(100, 0xab));    // not batches at all
  try_records(make_batch(5, 2, {"gap"}));     // does not continue the log
  try_records(make_batch(1, 7, {"future"}));  // epoch above the leader's
  protocol::Bytes flipped = make_batch(1, 2, {"crc"});
  flipped.back() ^= 1;
  try_records(flipped);  // CRC mismatch
  EXPECT_EQ(node_->stats().dropped_messages, dropped + 4);

  // A response nobody asked for, and one from the wrong node, are ignored.
  node_->poll(now_ += 100);
  Envelope req = fetch();
  FetchResponse r;
  r.records = make_batch(1, 2, {"b"});
  node_->handle(Envelope{1, 2, req.correlation_id + 100, r}, now_ += 1);
  node_->handle(Envelope{3, 2, req.correlation_id, r}, now_ += 1);
  EXPECT_EQ(node_->log_end_offset(), 1);
  // Negative fields are dropped.
  FetchResponse negative;
  negative.diverging_epoch = DivergingEpoch{-5, -1};
  answer(req, negative);
  EXPECT_EQ(node_->log_end_offset(), 1);
  EXPECT_TRUE(node_->failed().ok());
}

TEST(RaftFetchServing, LeaderValidatesFetches) {
  TestCluster cluster(3);
  cluster.run_for(1000);
  RaftNode* leader = cluster.leader();
  ASSERT_NE(leader, nullptr);
  ASSERT_TRUE(leader->append({"a", "b"}, cluster.now()).ok());
  cluster.run_for(100);
  const int32_t id = leader->node_id();
  const int32_t other = id == 1 ? 2 : 1;
  const int32_t epoch = leader->epoch();
  auto fetch = [&](RaftNode& to, int32_t from, FetchRequest req) {
    to.handle(Envelope{from, to.node_id(), 4242, req}, cluster.now());
    for (Envelope& e : to.take_outbox()) {
      if (e.correlation_id == 4242) return std::get<FetchResponse>(e.message);
    }
    ADD_FAILURE() << "no answer";
    return FetchResponse{};
  };
  EXPECT_EQ(fetch(*leader, other, FetchRequest{other, epoch, -1, 0, 1000, 0}).error,
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(fetch(*leader, other, FetchRequest{other + 10, epoch, 0, 0, 1000, 0}).error,
            ErrorCode::kInvalidRequest)
      << "replica id must be the sender";
  FetchResponse fenced = fetch(*leader, other, FetchRequest{other, epoch - 1, 0, 0, 1000, 0});
  EXPECT_EQ(fenced.error, ErrorCode::kFencedLeaderEpoch);
  EXPECT_EQ(fenced.current_leader, (LeaderAndEpoch{id, epoch}));
  FetchResponse not_leader = fetch(cluster.node(other), id == 3 ? 2 : 3,
                                   FetchRequest{id == 3 ? 2 : 3, epoch, 0, 0, 1000, 0});
  EXPECT_EQ(not_leader.error, ErrorCode::kNotLeaderOrFollower);
  // Beyond the log end: told where its epoch really ends.
  FetchResponse beyond = fetch(*leader, other, FetchRequest{other, epoch, 999, epoch, 1000, 0});
  EXPECT_EQ(beyond.error, ErrorCode::kNone);
  ASSERT_TRUE(beyond.diverging_epoch.has_value());
  EXPECT_EQ(beyond.diverging_epoch->epoch, epoch);
  EXPECT_EQ(beyond.diverging_epoch->end_offset, leader->log_end_offset());
  EXPECT_TRUE(beyond.records.empty());
  // A valid fetch returns the batches.
  FetchResponse ok = fetch(*leader, other, FetchRequest{other, epoch, 0, 0, 1 << 20, 0});
  EXPECT_EQ(ok.error, ErrorCode::kNone);
  EXPECT_FALSE(ok.records.empty());
  EXPECT_EQ(ok.high_watermark, leader->high_watermark());
  EXPECT_TRUE(leader->failed().ok());
  EXPECT_EQ(leader->role(), Role::kLeader);
}

TEST(RaftFetchServing, DescribeQuorumReportsReplicas) {
  TestCluster cluster(3);
  cluster.run_for(1000);
  RaftNode* leader = cluster.leader();
  ASSERT_NE(leader, nullptr);
  QuorumDescription d = leader->describe_quorum();
  EXPECT_EQ(d.error, ErrorCode::kNone);
  EXPECT_EQ(d.leader_id, leader->node_id());
  ASSERT_EQ(d.voters.size(), 3u);
  for (const ReplicaDescription& v : d.voters) EXPECT_EQ(v.log_end_offset, 1);
  const int32_t other = leader->node_id() == 1 ? 2 : 1;
  EXPECT_EQ(cluster.node(other).describe_quorum().error, ErrorCode::kNotLeaderOrFollower);
}

}  // namespace
}  // namespace keel::controller::raft
