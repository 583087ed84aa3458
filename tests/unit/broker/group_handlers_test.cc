// File: tests/unit/broker/group_handlers_test.cc
// The consumer group handlers against a real node (controller, partitions, the group
// coordinator and its __consumer_offsets), spoken to over a socket with the generated codecs,
// at every version each handler advertises. Single-member groups with no initial rebalance
// delay, so no request waits on a timer.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/handlers/delete_groups_handler.h"
#include "broker/handlers/describe_groups_handler.h"
#include "broker/handlers/find_coordinator_handler.h"
#include "broker/handlers/heartbeat_handler.h"
#include "broker/handlers/join_group_handler.h"
#include "broker/handlers/leave_group_handler.h"
#include "broker/handlers/list_groups_handler.h"
#include "broker/handlers/offset_commit_handler.h"
#include "broker/handlers/offset_delete_handler.h"
#include "broker/handlers/offset_fetch_handler.h"
#include "broker/handlers/sync_group_handler.h"
#include "broker/node.h"
#include "net_test_util.h"
#include "node_call.h"
#include "protocol/error_code.h"
#include "protocol/generated/api_versions.h"
#include "protocol/generated/create_topics.h"
#include "protocol/generated/delete_groups.h"
#include "protocol/generated/describe_groups.h"
#include "protocol/generated/find_coordinator.h"
#include "protocol/generated/heartbeat.h"
#include "protocol/generated/join_group.h"
#include "protocol/generated/leave_group.h"
#include "protocol/generated/list_groups.h"
#include "protocol/generated/offset_commit.h"
#include "protocol/generated/offset_delete.h"
#include "protocol/generated/offset_fetch.h"
#include "protocol/generated/sync_group.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/header.h"

namespace keel::broker {
namespace {

namespace p = protocol;
using net::testing::TestClient;
using p::ErrorCode;

constexpr int16_t code(ErrorCode e) { return static_cast<int16_t>(e); }

p::Bytes bytes(const std::string& s) { return p::Bytes(s.begin(), s.end()); }

class GroupHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/keel-group-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::vector<std::string> overrides = {"node.id=1",
                                                "listeners=PLAINTEXT://127.0.0.1:0",
                                                "log.dirs=" + dir_,
                                                "num.partitions=2",
                                                "offsets.topic.num.partitions=3",
                                                "group.initial.rebalance.delay.ms=0",
                                                "group.min.session.timeout.ms=100"};
    absl::StatusOr<BrokerConfig> config = load_broker_config(std::nullopt, overrides);
    ASSERT_TRUE(config.ok()) << config.status();
    absl::StatusOr<std::unique_ptr<Node>> node = Node::start(*config);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = std::move(*node);
    client_ = std::make_unique<TestClient>(node_->ports()[0]);
    ASSERT_TRUE(client_->connected());
    // The offsets topic is created on first use; until it is loaded the coordinator is
    // not available (retriable).
    bool ready = false;
    for (int i = 0; i < 500 && !ready; ++i) {
      p::FindCoordinatorRequest req;
      req.key = "probe";
      auto resp = call<p::FindCoordinatorResponse>(req, 1);
      ASSERT_TRUE(resp.has_value());
      if (resp->error_code == 0) {
        p::ListGroupsRequest lg;
        auto listed = call<p::ListGroupsResponse>(lg, 0);
        p::HeartbeatRequest hb;
        hb.group_id = "probe";
        auto beat = call<p::HeartbeatResponse>(hb, 0);
        ready = beat && beat->error_code == code(ErrorCode::kUnknownMemberId);
      }
      if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(ready) << "the group coordinator never became available";
    p::CreateTopicsRequest ct;
    p::CreateTopicsRequest::CreatableTopic t;
    t.name = "t";
    t.num_partitions = 2;
    t.replication_factor = 1;
    ct.topics.push_back(t);
    ct.timeout_ms = 10000;
    auto created = call<p::CreateTopicsResponse>(ct, 4);
    ASSERT_TRUE(created.has_value());
    ASSERT_EQ(created->topics[0].error_code, 0);
  }

  void TearDown() override {
    client_.reset();
    if (node_) {
      EXPECT_TRUE(node_->stop().ok());
    }
    node_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  template <typename Response, typename Request>
  std::optional<Response> call(const Request& request, int16_t version) {
    return keel::broker::testing::call_node<Response>(*client_, ++correlation_, "group-test",
                                                      request, version);
  }

  p::JoinGroupRequest join_request(const std::string& group, const std::string& member) {
    p::JoinGroupRequest req;
    req.group_id = group;
    req.member_id = member;
    req.session_timeout_ms = 10000;
    req.rebalance_timeout_ms = 10000;
    req.protocol_type = "consumer";
    p::JoinGroupRequest::JoinGroupRequestProtocol proto;
    proto.name = "range";
    proto.metadata = bytes("subscription");
    req.protocols.push_back(proto);
    return req;
  }

  // Commits `offset` for t-0 as a standalone consumer (generation -1) at v2.
  void commit(const std::string& group, int64_t offset) {
    p::OffsetCommitRequest req;
    req.group_id = group;
    req.generation_id_or_member_epoch = -1;
    p::OffsetCommitRequest::OffsetCommitRequestTopic t;
    t.name = "t";
    p::OffsetCommitRequest::OffsetCommitRequestPartition part;
    part.partition_index = 0;
    part.committed_offset = offset;
    part.committed_metadata = "md";
    t.partitions.push_back(part);
    req.topics.push_back(t);
    auto resp = call<p::OffsetCommitResponse>(req, 2);
    ASSERT_TRUE(resp.has_value());
    ASSERT_EQ(resp->topics[0].partitions[0].error_code, 0);
  }

  std::string dir_;
  std::unique_ptr<Node> node_;
  std::unique_ptr<TestClient> client_;
  int32_t correlation_ = 0;
};

TEST_F(GroupHandlersTest, AdvertisesTheImplementedRanges) {
  p::ApiVersionsRequest req;
  auto resp = call<p::ApiVersionsResponse>(req, 0);
  ASSERT_TRUE(resp.has_value());
  using Range = keel::broker::testing::VersionRange;
  auto range = [&](int16_t key) { return keel::broker::testing::advertised_range(*resp, key); };
  EXPECT_EQ(range(p::OffsetCommitRequest::kApiKey), Range(0, 9));
  EXPECT_EQ(range(p::OffsetFetchRequest::kApiKey), Range(0, 9));
  EXPECT_EQ(range(p::FindCoordinatorRequest::kApiKey), Range(0, 4));
  EXPECT_EQ(range(p::JoinGroupRequest::kApiKey), Range(0, 9));
  EXPECT_EQ(range(p::HeartbeatRequest::kApiKey), Range(0, 4));
  EXPECT_EQ(range(p::LeaveGroupRequest::kApiKey), Range(0, 5));
  EXPECT_EQ(range(p::SyncGroupRequest::kApiKey), Range(0, 5));
  EXPECT_EQ(range(p::DescribeGroupsRequest::kApiKey), Range(0, 5));
  EXPECT_EQ(range(p::ListGroupsRequest::kApiKey), Range(0, 5));
  EXPECT_EQ(range(p::DeleteGroupsRequest::kApiKey), Range(0, 2));
  EXPECT_EQ(range(p::OffsetDeleteRequest::kApiKey), Range(0, 0));
}

TEST_F(GroupHandlersTest, FindCoordinatorEveryVersion) {
  for (int16_t v = handlers::FindCoordinatorHandler::kMinVersion;
       v <= handlers::FindCoordinatorHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("v" + std::to_string(v));
    p::FindCoordinatorRequest req;
    if (v >= 4) {
      req.coordinator_keys = {"a", "b"};
    } else {
      req.key = "a";
    }
    auto resp = call<p::FindCoordinatorResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    if (v >= 4) {
      ASSERT_EQ(resp->coordinators.size(), 2u);
      for (const auto& c : resp->coordinators) {
        EXPECT_EQ(c.error_code, 0);
        EXPECT_EQ(c.node_id, 1);
      }
    } else {
      EXPECT_EQ(resp->error_code, 0);
      EXPECT_EQ(resp->node_id, 1);
      EXPECT_EQ(resp->host, "127.0.0.1");  // (port: as advertised; 0 with an ephemeral listener)
    }
    if (v >= 1) {
      req.key_type = 1;  // transactions: not yet
      auto txn = call<p::FindCoordinatorResponse>(req, v);
      ASSERT_TRUE(txn.has_value());
      const int16_t e = v >= 4 ? txn->coordinators[0].error_code : txn->error_code;
      EXPECT_EQ(e, code(ErrorCode::kCoordinatorNotAvailable));
    }
  }
}

TEST_F(GroupHandlersTest, JoinSyncHeartbeatLeaveEveryVersion) {
  for (int16_t v = handlers::JoinGroupHandler::kMinVersion;
       v <= handlers::JoinGroupHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("JoinGroup v" + std::to_string(v));
    const std::string group = "g-v" + std::to_string(v);
    auto first = call<p::JoinGroupResponse>(join_request(group, ""), v);
    ASSERT_TRUE(first.has_value());
    std::string member = first->member_id;
    if (v >= 4) {
      ASSERT_EQ(first->error_code, code(ErrorCode::kMemberIdRequired));
      ASSERT_FALSE(member.empty());
      first = call<p::JoinGroupResponse>(join_request(group, member), v);
      ASSERT_TRUE(first.has_value());
    }
    ASSERT_EQ(first->error_code, 0);
    EXPECT_EQ(first->generation_id, 1);
    EXPECT_EQ(first->member_id, member);
    EXPECT_EQ(first->leader, member);
    EXPECT_EQ(first->protocol_name, std::optional<std::string>("range"));
    if (v >= 7) {
      EXPECT_EQ(first->protocol_type, std::optional<std::string>("consumer"));
    }
    ASSERT_EQ(first->members.size(), 1u);
    EXPECT_EQ(first->members[0].metadata, bytes("subscription"));

    const int16_t sv = std::min<int16_t>(v, handlers::SyncGroupHandler::kMaxVersion);
    p::SyncGroupRequest sync;
    sync.group_id = group;
    sync.generation_id = 1;
    sync.member_id = member;
    if (sv >= 5) {
      sync.protocol_type = "consumer";
      sync.protocol_name = "range";
    }
    p::SyncGroupRequest::SyncGroupRequestAssignment a;
    a.member_id = member;
    a.assignment = bytes("assignment");
    sync.assignments.push_back(a);
    auto synced = call<p::SyncGroupResponse>(sync, sv);
    ASSERT_TRUE(synced.has_value());
    EXPECT_EQ(synced->error_code, 0);
    EXPECT_EQ(synced->assignment, bytes("assignment"));

    const int16_t hv = std::min<int16_t>(v, handlers::HeartbeatHandler::kMaxVersion);
    p::HeartbeatRequest hb;
    hb.group_id = group;
    hb.generation_id = 1;
    hb.member_id = member;
    auto beat = call<p::HeartbeatResponse>(hb, hv);
    ASSERT_TRUE(beat.has_value());
    EXPECT_EQ(beat->error_code, 0);
    hb.generation_id = 7;
    beat = call<p::HeartbeatResponse>(hb, hv);
    ASSERT_TRUE(beat.has_value());
    EXPECT_EQ(beat->error_code, code(ErrorCode::kIllegalGeneration));

    const int16_t lv = std::min<int16_t>(v, handlers::LeaveGroupHandler::kMaxVersion);
    p::LeaveGroupRequest leave;
    leave.group_id = group;
    if (lv >= 3) {
      p::LeaveGroupRequest::MemberIdentity who;
      who.member_id = member;
      leave.members.push_back(who);
      p::LeaveGroupRequest::MemberIdentity ghost;
      ghost.member_id = "ghost";
      leave.members.push_back(ghost);
    } else {
      leave.member_id = member;
    }
    auto left = call<p::LeaveGroupResponse>(leave, lv);
    ASSERT_TRUE(left.has_value());
    EXPECT_EQ(left->error_code, 0);
    if (lv >= 3) {
      ASSERT_EQ(left->members.size(), 2u);
      EXPECT_EQ(left->members[0].error_code, 0);
      EXPECT_EQ(left->members[1].error_code, code(ErrorCode::kUnknownMemberId));
    }
    hb.generation_id = 2;
    beat = call<p::HeartbeatResponse>(hb, hv);
    ASSERT_TRUE(beat.has_value());
    EXPECT_EQ(beat->error_code, code(ErrorCode::kUnknownMemberId));
  }
}

TEST_F(GroupHandlersTest, OffsetCommitAndFetchEveryVersion) {
  for (int16_t v = handlers::OffsetCommitHandler::kMinVersion;
       v <= handlers::OffsetCommitHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("OffsetCommit v" + std::to_string(v));
    const std::string group = "oc-v" + std::to_string(v);
    p::OffsetCommitRequest req;
    req.group_id = group;
    req.generation_id_or_member_epoch = -1;
    p::OffsetCommitRequest::OffsetCommitRequestTopic t;
    t.name = "t";
    p::OffsetCommitRequest::OffsetCommitRequestPartition part;
    part.partition_index = 1;
    part.committed_offset = 100 + v;
    part.committed_leader_epoch = v >= 6 ? 3 : -1;
    part.committed_metadata = "meta-" + std::to_string(v);
    t.partitions.push_back(part);
    req.topics.push_back(t);
    p::OffsetCommitRequest::OffsetCommitRequestTopic unknown;
    unknown.name = "no-such-topic";
    unknown.partitions.push_back(part);
    req.topics.push_back(unknown);
    auto resp = call<p::OffsetCommitResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    ASSERT_EQ(resp->topics.size(), 2u);
    EXPECT_EQ(resp->topics[0].partitions[0].error_code, 0);
    EXPECT_EQ(resp->topics[1].partitions[0].error_code, code(ErrorCode::kUnknownTopicOrPartition));
  }
  for (int16_t v = handlers::OffsetFetchHandler::kMinVersion;
       v <= handlers::OffsetFetchHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("OffsetFetch v" + std::to_string(v));
    for (int16_t cv = 0; cv <= 9; ++cv) {
      const std::string group = "oc-v" + std::to_string(cv);
      p::OffsetFetchRequest req;
      std::vector<int32_t> parts = {0, 1};
      if (v >= 8) {
        p::OffsetFetchRequest::OffsetFetchRequestGroup g;
        g.group_id = group;
        p::OffsetFetchRequest::OffsetFetchRequestTopics t;
        t.name = "t";
        t.partition_indexes = parts;
        g.topics = std::vector<p::OffsetFetchRequest::OffsetFetchRequestTopics>{t};
        req.groups.push_back(g);
      } else {
        req.group_id = group;
        p::OffsetFetchRequest::OffsetFetchRequestTopic t;
        t.name = "t";
        t.partition_indexes = parts;
        req.topics = std::vector<p::OffsetFetchRequest::OffsetFetchRequestTopic>{t};
      }
      auto resp = call<p::OffsetFetchResponse>(req, v);
      ASSERT_TRUE(resp.has_value());
      std::vector<std::tuple<int32_t, int64_t, int32_t, std::optional<std::string>, int16_t>> got;
      if (v >= 8) {
        ASSERT_EQ(resp->groups.size(), 1u);
        EXPECT_EQ(resp->groups[0].error_code, 0);
        ASSERT_EQ(resp->groups[0].topics.size(), 1u);
        for (const auto& pp : resp->groups[0].topics[0].partitions) {
          got.emplace_back(pp.partition_index, pp.committed_offset, pp.committed_leader_epoch,
                           pp.metadata, pp.error_code);
        }
      } else {
        EXPECT_EQ(resp->error_code, 0);
        ASSERT_EQ(resp->topics.size(), 1u);
        for (const auto& pp : resp->topics[0].partitions) {
          got.emplace_back(pp.partition_index, pp.committed_offset, pp.committed_leader_epoch,
                           pp.metadata, pp.error_code);
        }
      }
      ASSERT_EQ(got.size(), 2u);
      EXPECT_EQ(std::get<1>(got[0]), -1);  // nothing committed for t-0
      EXPECT_EQ(std::get<1>(got[1]), 100 + cv);
      EXPECT_EQ(std::get<3>(got[1]), "meta-" + std::to_string(cv));
      const int32_t epoch = cv >= 6 ? 3 : -1;
      if (v >= 5) {
        EXPECT_EQ(std::get<2>(got[1]), epoch);
      }
    }
    if (v >= 2) {
      // Null topics: every committed offset of the group.
      p::OffsetFetchRequest all;
      if (v >= 8) {
        p::OffsetFetchRequest::OffsetFetchRequestGroup g;
        g.group_id = "oc-v3";
        g.topics = std::nullopt;
        all.groups.push_back(g);
        p::OffsetFetchRequest::OffsetFetchRequestGroup g2 = g;
        g2.group_id = "oc-v4";
        all.groups.push_back(g2);
      } else {
        all.group_id = "oc-v3";
        all.topics = std::nullopt;
      }
      auto resp = call<p::OffsetFetchResponse>(all, v);
      ASSERT_TRUE(resp.has_value());
      if (v >= 8) {
        ASSERT_EQ(resp->groups.size(), 2u);
        EXPECT_EQ(resp->groups[1].group_id, "oc-v4");
        ASSERT_EQ(resp->groups[1].topics.size(), 1u);
        EXPECT_EQ(resp->groups[1].topics[0].partitions[0].committed_offset, 104);
      } else {
        ASSERT_EQ(resp->topics.size(), 1u);
        ASSERT_EQ(resp->topics[0].partitions.size(), 1u);
        EXPECT_EQ(resp->topics[0].partitions[0].committed_offset, 103);
      }
    }
  }
}

TEST_F(GroupHandlersTest, ListDescribeDeleteEveryVersion) {
  // A live group (Stable, one member) and two empty ones with offsets.
  auto joined = call<p::JoinGroupResponse>(join_request("live", ""), 3);
  ASSERT_TRUE(joined.has_value());
  ASSERT_EQ(joined->error_code, 0);
  p::SyncGroupRequest sync;
  sync.group_id = "live";
  sync.generation_id = joined->generation_id;
  sync.member_id = joined->member_id;
  p::SyncGroupRequest::SyncGroupRequestAssignment a;
  a.member_id = joined->member_id;
  a.assignment = bytes("x");
  sync.assignments.push_back(a);
  auto synced = call<p::SyncGroupResponse>(sync, 3);
  ASSERT_TRUE(synced.has_value());
  ASSERT_EQ(synced->error_code, 0);
  for (int i = 0; i < 3; ++i) commit("empty-" + std::to_string(i), 5);

  for (int16_t v = handlers::ListGroupsHandler::kMinVersion;
       v <= handlers::ListGroupsHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("ListGroups v" + std::to_string(v));
    p::ListGroupsRequest req;
    if (v >= 4) req.states_filter = {"stable"};
    auto resp = call<p::ListGroupsResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    EXPECT_EQ(resp->error_code, 0);
    std::map<std::string, std::string> groups;
    for (const auto& g : resp->groups) groups[g.group_id] = g.protocol_type;
    EXPECT_EQ(groups.count("live"), 1u);
    EXPECT_EQ(groups["live"], "consumer");
    EXPECT_EQ(groups.count("empty-0"), v >= 4 ? 0u : 1u);
    if (v >= 4) {
      for (const auto& g : resp->groups) EXPECT_EQ(g.group_state, "Stable");
    }
  }
  for (int16_t v = handlers::DescribeGroupsHandler::kMinVersion;
       v <= handlers::DescribeGroupsHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("DescribeGroups v" + std::to_string(v));
    p::DescribeGroupsRequest req;
    req.groups = {"live", "empty-0", "never"};
    auto resp = call<p::DescribeGroupsResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    ASSERT_EQ(resp->groups.size(), 3u);
    EXPECT_EQ(resp->groups[0].group_state, "Stable");
    EXPECT_EQ(resp->groups[0].protocol_type, "consumer");
    EXPECT_EQ(resp->groups[0].protocol_data, "range");
    ASSERT_EQ(resp->groups[0].members.size(), 1u);
    EXPECT_EQ(resp->groups[0].members[0].client_id, "group-test");
    EXPECT_EQ(resp->groups[0].members[0].member_metadata, bytes("subscription"));
    EXPECT_EQ(resp->groups[0].members[0].member_assignment, bytes("x"));
    EXPECT_EQ(resp->groups[1].group_state, "Empty");
    EXPECT_EQ(resp->groups[2].group_state, "Dead");
    EXPECT_EQ(resp->groups[2].error_code, 0);
  }
  // OffsetDelete: the live group subscribes (per its consumer metadata, which here is not a
  // consumer subscription, so every topic counts as in use); an empty group's offsets go.
  {
    p::OffsetDeleteRequest req;
    req.group_id = "empty-0";
    p::OffsetDeleteRequest::OffsetDeleteRequestTopic t;
    t.name = "t";
    p::OffsetDeleteRequest::OffsetDeleteRequestPartition part;
    part.partition_index = 0;
    t.partitions.push_back(part);
    req.topics.push_back(t);
    auto resp = call<p::OffsetDeleteResponse>(req, 0);
    ASSERT_TRUE(resp.has_value());
    EXPECT_EQ(resp->error_code, 0);
    EXPECT_EQ(resp->topics[0].partitions[0].error_code, 0);
    req.group_id = "never";
    resp = call<p::OffsetDeleteResponse>(req, 0);
    ASSERT_TRUE(resp.has_value());
    EXPECT_EQ(resp->error_code, code(ErrorCode::kGroupIdNotFound));
  }
  for (int16_t v = handlers::DeleteGroupsHandler::kMinVersion;
       v <= handlers::DeleteGroupsHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("DeleteGroups v" + std::to_string(v));
    p::DeleteGroupsRequest req;
    req.groups_names = {"live", "empty-" + std::to_string(v), "never"};
    auto resp = call<p::DeleteGroupsResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    ASSERT_EQ(resp->results.size(), 3u);
    EXPECT_EQ(resp->results[0].error_code, code(ErrorCode::kNonEmptyGroup));
    EXPECT_EQ(resp->results[1].error_code, 0);
    EXPECT_EQ(resp->results[2].error_code, code(ErrorCode::kGroupIdNotFound));
  }
  p::ListGroupsRequest req;
  auto resp = call<p::ListGroupsResponse>(req, 0);
  ASSERT_TRUE(resp.has_value());
  ASSERT_EQ(resp->groups.size(), 1u);
  EXPECT_EQ(resp->groups[0].group_id, "live");
}

}  // namespace
}  // namespace keel::broker
