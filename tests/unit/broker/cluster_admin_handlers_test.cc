// ElectLeaders and UnregisterBroker (broker/handlers/) on a single node: a Node with its
// controller in a temp dir, spoken to over a socket at every version each handler advertises.
// With one node every partition is led by its only (preferred) replica.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/handlers/elect_leaders_handler.h"
#include "broker/node.h"
#include "net_test_util.h"
#include "node_call.h"
#include "protocol/error_code.h"
#include "protocol/generated/api_versions.h"
#include "protocol/generated/create_topics.h"
#include "protocol/generated/elect_leaders.h"
#include "protocol/generated/unregister_broker.h"

namespace keel::broker {
namespace {

namespace p = protocol;
using net::testing::TestClient;
using p::ErrorCode;

constexpr int16_t code(ErrorCode e) { return static_cast<int16_t>(e); }

class ClusterAdminHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/keel-cluster-admin-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::vector<std::string> overrides = {"node.id=1", "listeners=PLAINTEXT://127.0.0.1:0",
                                                "log.dirs=" + dir_ + "/a"};
    absl::StatusOr<BrokerConfig> config = load_broker_config(std::nullopt, overrides);
    ASSERT_TRUE(config.ok()) << config.status();
    absl::StatusOr<std::unique_ptr<Node>> node = Node::start(*config);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = std::move(*node);
    client_ = std::make_unique<TestClient>(node_->ports()[0]);
    ASSERT_TRUE(client_->connected());
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
    return keel::broker::testing::call_node<Response>(*client_, ++correlation_,
                                                      "cluster-admin-test", request, version);
  }

  void create(const std::string& name, int32_t partitions) {
    p::CreateTopicsRequest req;
    p::CreateTopicsRequest::CreatableTopic t;
    t.name = name;
    t.num_partitions = partitions;
    t.replication_factor = 1;
    req.topics.push_back(t);
    auto resp = call<p::CreateTopicsResponse>(req, 4);
    ASSERT_TRUE(resp.has_value());
    ASSERT_EQ(resp->topics.at(0).error_code, 0);
  }

  std::string dir_;
  std::unique_ptr<Node> node_;
  std::unique_ptr<TestClient> client_;
  int32_t correlation_ = 0;
};

TEST_F(ClusterAdminHandlersTest, AdvertisesTheImplementedRanges) {
  auto resp = call<p::ApiVersionsResponse>(p::ApiVersionsRequest{}, 0);
  ASSERT_TRUE(resp.has_value());
  using Range = keel::broker::testing::VersionRange;
  auto range = [&](int16_t key) { return keel::broker::testing::advertised_range(*resp, key); };
  EXPECT_EQ(range(p::ElectLeadersRequest::kApiKey), Range(0, 2));
  EXPECT_EQ(range(p::UnregisterBrokerRequest::kApiKey), Range(0, 0));
}

TEST_F(ClusterAdminHandlersTest, ElectLeadersEveryVersion) {
  create("t", 2);
  for (int16_t v = handlers::ElectLeadersHandler::kMinVersion;
       v <= handlers::ElectLeadersHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("v" + std::to_string(v));
    p::ElectLeadersRequest req;
    req.topic_partitions.emplace();
    req.topic_partitions->push_back({"t", {0, 1, 5}, {}});
    req.topic_partitions->push_back({"nope", {0}, {}});
    auto resp = call<p::ElectLeadersResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    EXPECT_EQ(resp->error_code, 0);
    ASSERT_EQ(resp->replica_election_results.size(), 2u);
    const auto& t = resp->replica_election_results[0];
    EXPECT_EQ(t.topic, "t");
    ASSERT_EQ(t.partition_result.size(), 3u);
    EXPECT_EQ(t.partition_result[0].partition_id, 0);
    EXPECT_EQ(t.partition_result[0].error_code, code(ErrorCode::kElectionNotNeeded));
    EXPECT_EQ(t.partition_result[1].error_code, code(ErrorCode::kElectionNotNeeded));
    EXPECT_EQ(t.partition_result[2].error_code, code(ErrorCode::kUnknownTopicOrPartition));
    const auto& nope = resp->replica_election_results[1];
    ASSERT_EQ(nope.partition_result.size(), 1u);
    EXPECT_EQ(nope.partition_result[0].error_code, code(ErrorCode::kUnknownTopicOrPartition));

    // Every partition: nothing needed an election, so the topic lists none.
    req.topic_partitions = std::nullopt;
    auto all = call<p::ElectLeadersResponse>(req, v);
    ASSERT_TRUE(all.has_value());
    ASSERT_EQ(all->replica_election_results.size(), 1u);
    EXPECT_EQ(all->replica_election_results[0].topic, "t");
    EXPECT_TRUE(all->replica_election_results[0].partition_result.empty());
  }
}

TEST_F(ClusterAdminHandlersTest, ElectLeadersUncleanAndUnknownTypes) {
  create("t", 1);
  p::ElectLeadersRequest req;
  req.election_type = 1;  // unclean: the partition has a leader
  req.topic_partitions.emplace();
  req.topic_partitions->push_back({"t", {0}, {}});
  auto unclean = call<p::ElectLeadersResponse>(req, 1);
  ASSERT_TRUE(unclean.has_value());
  EXPECT_EQ(unclean->error_code, 0);
  EXPECT_EQ(unclean->replica_election_results.at(0).partition_result.at(0).error_code,
            code(ErrorCode::kElectionNotNeeded));
  req.election_type = 7;
  auto bad = call<p::ElectLeadersResponse>(req, 2);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->error_code, code(ErrorCode::kInvalidRequest));
  const auto& r = bad->replica_election_results.at(0).partition_result.at(0);
  EXPECT_EQ(r.error_code, code(ErrorCode::kInvalidRequest));
  EXPECT_NE(r.error_message.value_or("").find("election type 7"), std::string::npos);
}

TEST_F(ClusterAdminHandlersTest, UnregisterBrokerRefusesItselfAndUnknownBrokers) {
  p::UnregisterBrokerRequest req;
  req.broker_id = 1;
  auto self = call<p::UnregisterBrokerResponse>(req, 0);
  ASSERT_TRUE(self.has_value());
  EXPECT_EQ(self->error_code, code(ErrorCode::kInvalidRequest));
  EXPECT_NE(self->error_message.value_or("").find("cannot unregister itself"), std::string::npos);
  req.broker_id = 7;
  auto unknown = call<p::UnregisterBrokerResponse>(req, 0);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->error_code, code(ErrorCode::kBrokerIdNotRegistered));
  EXPECT_TRUE(unknown->error_message.has_value());
}

}  // namespace
}  // namespace keel::broker
