// A node is an object: three Nodes run in one process, each with its own data dirs, shards,
// timers and seeded randomness, and each serves its own identity. Same seed, same draws: two
// nodes formatted with equal seeds get equal cluster ids, another seed a different one,
// which shows the randomness the node uses is the injected one.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/node.h"
#include "net_test_util.h"
#include "node_call.h"
#include "protocol/generated/metadata.h"
#include "storage/random.h"

namespace keel::broker {
namespace {

struct RunningNode {
  std::unique_ptr<storage::SeededRandom> random;
  std::unique_ptr<Node> node;
};

class MultiNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/keel-multi-node-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (RunningNode& n : nodes_) {
      if (n.node) {
        EXPECT_TRUE(n.node->stop().ok());
      }
    }
    nodes_.clear();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Starts node `id` on an ephemeral port with one shard, drawing from a generator of `seed`.
  Node* start(int id, uint64_t seed) {
    const std::string data = dir_ + "/node-" + std::to_string(id);
    const std::vector<std::string> overrides = {"node.id=" + std::to_string(id),
                                                "listeners=PLAINTEXT://127.0.0.1:0",
                                                "log.dirs=" + data, "keel.shards=1"};
    absl::StatusOr<BrokerConfig> config = load_broker_config(std::nullopt, overrides);
    EXPECT_TRUE(config.ok()) << config.status();
    if (!config.ok()) return nullptr;
    RunningNode n;
    n.random = std::make_unique<storage::SeededRandom>(seed);
    NodeEnvironment env;
    env.random = n.random.get();
    absl::StatusOr<std::unique_ptr<Node>> node = Node::start(*config, env);
    EXPECT_TRUE(node.ok()) << node.status();
    if (!node.ok()) return nullptr;
    n.node = std::move(*node);
    nodes_.push_back(std::move(n));
    return nodes_.back().node.get();
  }

  std::optional<protocol::MetadataResponse> metadata(Node* node) {
    net::testing::TestClient client(node->ports()[0]);
    EXPECT_TRUE(client.connected());
    protocol::MetadataRequest req;
    return testing::call_node<protocol::MetadataResponse>(client, 1, "multi-node", req, 12);
  }

  std::string dir_;
  std::vector<RunningNode> nodes_;
};

TEST_F(MultiNodeTest, ThreeNodesInOneProcessEachServeTheirOwnIdentity) {
  Node* a = start(1, 100);
  Node* b = start(2, 100);
  Node* c = start(3, 200);
  ASSERT_TRUE(a && b && c);
  std::vector<std::optional<protocol::MetadataResponse>> answers = {metadata(a), metadata(b),
                                                                    metadata(c)};
  for (size_t i = 0; i < answers.size(); ++i) {
    ASSERT_TRUE(answers[i].has_value());
    ASSERT_EQ(answers[i]->brokers.size(), 1u);  // until the cluster issue: quorums of one
    EXPECT_EQ(answers[i]->brokers[0].node_id, static_cast<int32_t>(i + 1));
    ASSERT_TRUE(answers[i]->cluster_id.has_value());
  }
  EXPECT_EQ(*answers[0]->cluster_id, *answers[1]->cluster_id);  // same seed, same draw
  EXPECT_NE(*answers[0]->cluster_id, *answers[2]->cluster_id);
  // Stopping one leaves the others serving.
  ASSERT_TRUE(nodes_[1].node->stop().ok());
  EXPECT_TRUE(metadata(a).has_value());
  EXPECT_TRUE(metadata(c).has_value());
}

}  // namespace
}  // namespace keel::broker
