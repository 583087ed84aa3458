// File: tests/unit/broker/coordinator_leadership_test.cc
// The group coordinator follows `__consumer_offsets` leadership in a cluster image: a group
// whose offsets partition node 2 leads is answered on node 1 with node 2 as coordinator
// (FindCoordinator) and NOT_COORDINATOR (every group request); when node 1 takes the
// partition it loads the groups from it, and when it loses it, it resigns (waiting joins
// answer NOT_COORDINATOR). A fenced or missing leader is COORDINATOR_NOT_AVAILABLE.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/group/group_coordinator.h"
#include "net_test_util.h"
#include "node_call.h"
#include "protocol/error_code.h"
#include "protocol/generated/describe_groups.h"
#include "protocol/generated/find_coordinator.h"
#include "protocol/generated/heartbeat.h"
#include "protocol/generated/join_group.h"
#include "protocol/generated/leave_group.h"
#include "protocol/generated/offset_commit.h"
#include "protocol/generated/offset_fetch.h"
#include "protocol/generated/sync_group.h"
#include "published_broker.h"
#include "tests/unit/storage/storage_test_util.h"

namespace keel::broker {
namespace {

namespace p = protocol;
using net::testing::TestClient;
using p::ErrorCode;
using testing::broker_record;
using testing::fence_record;
using testing::leader_record;
using testing::partition_record;
using testing::topic_record;

constexpr int16_t code(ErrorCode e) { return static_cast<int16_t>(e); }
constexpr uint8_t kOffsets = 7;
constexpr uint8_t kOrders = 1;
constexpr int32_t kOffsetsPartitions = 3;
const std::string kGroup = "payments";

class CoordinatorLeadershipTest : public ::testing::Test {
 protected:
  // The group's offsets partition is led by `leader`, the others by this node.
  void start(int32_t leader, std::vector<std::string> overrides = {}) {
    overrides.push_back("offsets.topic.num.partitions=" + std::to_string(kOffsetsPartitions));
    broker_ = std::make_unique<testing::PublishedBroker>(dir_.path(), overrides);
    ASSERT_TRUE(broker_->start().ok());
    client_ = std::make_unique<TestClient>(broker_->port());
    ASSERT_TRUE(client_->connected());
    std::vector<metadata::MetadataRecord> records = {
        broker_record(1, "127.0.0.1", broker_->port()), broker_record(2, "10.0.0.2", 9092),
        topic_record(std::string(group::kOffsetsTopic), kOffsets)};
    for (int32_t i = 0; i < kOffsetsPartitions; ++i) {
      records.push_back(partition_record(kOffsets, i, {1, 2}, i == partition_ ? leader : 1));
    }
    records.push_back(topic_record("orders", kOrders));
    records.push_back(partition_record(kOrders, 0, {1}, 1));
    ASSERT_TRUE(broker_->publish(records, /*controller_id=*/1));
  }

  void move_to(int32_t leader) {
    ASSERT_TRUE(broker_->publish({leader_record(kOffsets, partition_, leader)}));
  }

  template <typename Response, typename Request>
  std::optional<Response> call(const Request& request, int16_t version) {
    return testing::call_node<Response>(*client_, ++correlation_, "coordinator", request, version);
  }

  // FindCoordinator v1 and v4 agree; returns v4's answer.
  p::FindCoordinatorResponse::Coordinator find() {
    p::FindCoordinatorRequest old;
    old.key = kGroup;
    auto v1 = call<p::FindCoordinatorResponse>(old, 1);
    p::FindCoordinatorRequest req;
    req.coordinator_keys = {kGroup};
    auto v4 = call<p::FindCoordinatorResponse>(req, 4);
    EXPECT_TRUE(v1 && v4 && v4->coordinators.size() == 1);
    if (!v1 || !v4 || v4->coordinators.size() != 1) return {};
    const auto& c = v4->coordinators[0];
    EXPECT_EQ(v1->error_code, c.error_code);
    EXPECT_EQ(v1->node_id, c.node_id);
    EXPECT_EQ(v1->port, c.port);
    return c;
  }

  p::JoinGroupRequest join_request() {
    p::JoinGroupRequest req;
    req.group_id = kGroup;
    req.session_timeout_ms = 30000;
    req.rebalance_timeout_ms = 30000;
    req.protocol_type = "consumer";
    p::JoinGroupRequest::JoinGroupRequestProtocol proto;
    proto.name = "range";
    proto.metadata = p::Bytes{1, 2, 3};
    req.protocols.push_back(proto);
    return req;
  }

  int16_t commit(int64_t offset) {
    p::OffsetCommitRequest req;
    req.group_id = kGroup;
    req.generation_id_or_member_epoch = -1;
    p::OffsetCommitRequest::OffsetCommitRequestTopic t;
    t.name = "orders";
    p::OffsetCommitRequest::OffsetCommitRequestPartition part;
    part.partition_index = 0;
    part.committed_offset = offset;
    t.partitions.push_back(part);
    req.topics.push_back(t);
    auto resp = call<p::OffsetCommitResponse>(req, 8);
    EXPECT_TRUE(resp.has_value());
    if (!resp || resp->topics.empty() || resp->topics[0].partitions.empty()) return -1;
    return resp->topics[0].partitions[0].error_code;
  }

  // The group's error and the committed offset of orders-0.
  std::pair<int16_t, int64_t> fetch_offset() {
    p::OffsetFetchRequest req;
    req.group_id = kGroup;
    p::OffsetFetchRequest::OffsetFetchRequestTopic t;
    t.name = "orders";
    t.partition_indexes = {0};
    req.topics = std::vector<p::OffsetFetchRequest::OffsetFetchRequestTopic>{t};
    auto resp = call<p::OffsetFetchResponse>(req, 7);
    EXPECT_TRUE(resp.has_value());
    if (!resp) return {-1, -1};
    if (resp->error_code != 0 || resp->topics.empty()) return {resp->error_code, -1};
    return {0, resp->topics[0].partitions.at(0).committed_offset};
  }

  // Every group request but FindCoordinator, each answered NOT_COORDINATOR.
  void expect_not_coordinator() {
    auto joined = call<p::JoinGroupResponse>(join_request(), 5);
    ASSERT_TRUE(joined.has_value());
    EXPECT_EQ(joined->error_code, code(ErrorCode::kNotCoordinator));
    p::SyncGroupRequest sync;
    sync.group_id = kGroup;
    sync.generation_id = 1;
    sync.member_id = "m";
    auto synced = call<p::SyncGroupResponse>(sync, 3);
    ASSERT_TRUE(synced.has_value());
    EXPECT_EQ(synced->error_code, code(ErrorCode::kNotCoordinator));
    p::HeartbeatRequest hb;
    hb.group_id = kGroup;
    hb.generation_id = 1;
    hb.member_id = "m";
    auto beat = call<p::HeartbeatResponse>(hb, 3);
    ASSERT_TRUE(beat.has_value());
    EXPECT_EQ(beat->error_code, code(ErrorCode::kNotCoordinator));
    p::LeaveGroupRequest leave;
    leave.group_id = kGroup;
    p::LeaveGroupRequest::MemberIdentity member;
    member.member_id = "m";
    leave.members.push_back(member);
    auto left = call<p::LeaveGroupResponse>(leave, 3);
    ASSERT_TRUE(left.has_value());
    EXPECT_EQ(left->error_code, code(ErrorCode::kNotCoordinator));
    EXPECT_EQ(commit(1), code(ErrorCode::kNotCoordinator));
    EXPECT_EQ(fetch_offset().first, code(ErrorCode::kNotCoordinator));
    p::DescribeGroupsRequest describe;
    describe.groups = {kGroup};
    auto described = call<p::DescribeGroupsResponse>(describe, 5);
    ASSERT_TRUE(described.has_value());
    ASSERT_EQ(described->groups.size(), 1u);
    EXPECT_EQ(described->groups[0].error_code, code(ErrorCode::kNotCoordinator));
  }

  storage::testing::TempDir dir_{"keel_coordinator_leadership"};
  const int32_t partition_ = group::partition_for_group(kGroup, kOffsetsPartitions);
  std::unique_ptr<testing::PublishedBroker> broker_;
  std::unique_ptr<TestClient> client_;
  int32_t correlation_ = 0;
};

TEST_F(CoordinatorLeadershipTest, TheCoordinatorMovesWithTheOffsetsPartitionAndReloadsItsGroups) {
  start(/*leader=*/2, {"group.initial.rebalance.delay.ms=0"});
  // Shards only for the partitions this node leads.
  EXPECT_EQ(broker_->groups().shards().size(), size_t{kOffsetsPartitions - 1});
  auto c = find();
  EXPECT_EQ(c.error_code, 0);
  EXPECT_EQ(c.node_id, 2);
  EXPECT_EQ(c.host, "10.0.0.2");
  EXPECT_EQ(c.port, 9092);
  expect_not_coordinator();

  move_to(1);
  EXPECT_EQ(broker_->groups().shards().size(), size_t{kOffsetsPartitions});
  c = find();
  EXPECT_EQ(c.error_code, 0);
  EXPECT_EQ(c.node_id, 1);
  EXPECT_EQ(c.port, broker_->port());
  // Loaded once settled: served at once.
  EXPECT_EQ(commit(42), 0);
  auto joined = call<p::JoinGroupResponse>(join_request(), 3);
  ASSERT_TRUE(joined.has_value());
  ASSERT_EQ(joined->error_code, 0);
  // The leader's assignment completes the rebalance and writes the group record.
  p::SyncGroupRequest sync;
  sync.group_id = kGroup;
  sync.generation_id = joined->generation_id;
  sync.member_id = joined->member_id;
  p::SyncGroupRequest::SyncGroupRequestAssignment assignment;
  assignment.member_id = joined->member_id;
  assignment.assignment = p::Bytes{9};
  sync.assignments.push_back(assignment);
  auto synced = call<p::SyncGroupResponse>(sync, 3);
  ASSERT_TRUE(synced.has_value());
  ASSERT_EQ(synced->error_code, 0);
  EXPECT_EQ(fetch_offset(), std::make_pair(int16_t{0}, int64_t{42}));

  move_to(2);
  EXPECT_EQ(broker_->groups().shards().size(), size_t{kOffsetsPartitions - 1});
  EXPECT_EQ(find().node_id, 2);
  expect_not_coordinator();

  // Back on this node under a new leader epoch: the groups are read back from the log.
  move_to(1);
  EXPECT_EQ(fetch_offset(), std::make_pair(int16_t{0}, int64_t{42}));
  p::DescribeGroupsRequest describe;
  describe.groups = {kGroup};
  auto described = call<p::DescribeGroupsResponse>(describe, 5);
  ASSERT_TRUE(described.has_value());
  ASSERT_EQ(described->groups.size(), 1u);
  EXPECT_EQ(described->groups[0].error_code, 0);
  EXPECT_EQ(described->groups[0].group_state, "Stable");
  ASSERT_EQ(described->groups[0].members.size(), 1u);
  EXPECT_EQ(described->groups[0].members[0].member_id, joined->member_id);
}

TEST_F(CoordinatorLeadershipTest, AFencedOrMissingLeaderIsNotAvailable) {
  start(/*leader=*/2);
  ASSERT_EQ(find().node_id, 2);
  ASSERT_TRUE(broker_->publish({fence_record(2, true)}));
  auto c = find();
  EXPECT_EQ(c.error_code, code(ErrorCode::kCoordinatorNotAvailable));
  EXPECT_EQ(c.node_id, -1);
  auto joined = call<p::JoinGroupResponse>(join_request(), 5);
  ASSERT_TRUE(joined.has_value());
  EXPECT_EQ(joined->error_code, code(ErrorCode::kCoordinatorNotAvailable));

  ASSERT_TRUE(broker_->publish({fence_record(2, false)}));
  EXPECT_EQ(find().node_id, 2);
  move_to(-1);
  c = find();
  EXPECT_EQ(c.error_code, code(ErrorCode::kCoordinatorNotAvailable));
  EXPECT_EQ(c.node_id, -1);
}

TEST_F(CoordinatorLeadershipTest, ResigningAnswersAWaitingJoinGroupWithNotCoordinator) {
  // The first join waits out the initial rebalance delay: a minute.
  start(/*leader=*/1, {"group.initial.rebalance.delay.ms=60000"});
  ASSERT_TRUE(testing::send_request(*client_, ++correlation_, "coordinator", join_request(), 3));
  const int32_t waiting = correlation_;
  TestClient observer(broker_->port());
  ASSERT_TRUE(observer.connected());
  // Bounded: until the join is parked in the group (each probe is a round trip).
  bool parked = false;
  for (int i = 0; i < 1000 && !parked; ++i) {
    p::DescribeGroupsRequest describe;
    describe.groups = {kGroup};
    auto d =
        testing::call_node<p::DescribeGroupsResponse>(observer, i + 1, "observer", describe, 5);
    ASSERT_TRUE(d.has_value());
    parked = d->groups.size() == 1 && d->groups[0].group_state == "PreparingRebalance";
  }
  ASSERT_TRUE(parked);

  move_to(2);
  auto joined = testing::read_response<p::JoinGroupResponse, p::JoinGroupRequest>(
      *client_, waiting, 3, std::chrono::milliseconds(10000));
  ASSERT_TRUE(joined.has_value());
  EXPECT_EQ(joined->error_code, code(ErrorCode::kNotCoordinator));
  EXPECT_EQ(broker_->groups().shards().size(), size_t{kOffsetsPartitions - 1});
}

}  // namespace
}  // namespace keel::broker
