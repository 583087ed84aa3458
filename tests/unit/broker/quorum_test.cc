// The metadata quorum over real sockets: three Nodes in one process, each with a controller
// listener on 127.0.0.1, run their RaftNodes through the RaftDriver. They elect one leader
// that all agree on, commit an append on all three, elect a new leader with a higher epoch
// when the leader stops, and shrug off garbage and stale RPCs on a controller listener.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/node.h"
#include "controller/metadata_records.pb.h"
#include "controller/raft/raft_wire.h"
#include "net_test_util.h"
#include "node_call.h"
#include "protocol/generated/describe_quorum.h"
#include "protocol/generated/vote.h"
#include "storage/random.h"

namespace keel::broker {
namespace {

using namespace std::chrono_literals;
namespace raft = controller::raft;
using net::testing::eventually;
using Clock = std::chrono::steady_clock;

constexpr auto kQuorumDeadline = 20s;

// A port free right now: bound on port 0, read back, released.
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

int64_t ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

constexpr char kClusterId[] = "UXVvcnVtVGVzdENsdXN0ZX";

// What the quorum replicates is metadata: each payload is a broker config record (the
// state machine would count anything else as a bad record).
std::vector<std::string> config_records(const std::vector<std::string>& keys) {
  std::vector<std::string> out;
  for (const std::string& key : keys) {
    metadata::MetadataRecord r;
    metadata::ConfigRecord* c = r.mutable_config();
    c->set_resource_type(metadata::CONFIG_RESOURCE_BROKER);
    c->set_name("test." + key);
    c->set_value(key);
    out.push_back(r.SerializeAsString());
  }
  return out;
}

struct RunningNode {
  std::unique_ptr<storage::SeededRandom> random;
  std::unique_ptr<Node> node;
};

class QuorumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/keel-quorum-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    for (int i = 0; i < 3; ++i) ports_.push_back(free_port());
    for (size_t i = 0; i < ports_.size(); ++i) {
      voters_ += (i ? "," : "") + std::to_string(i + 1) + "@127.0.0.1:" + std::to_string(ports_[i]);
    }
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

  Node* start(int id) {
    const std::vector<std::string> overrides = {
        "node.id=" + std::to_string(id),
        "listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" +
            std::to_string(ports_[id - 1]),
        "controller.listener.names=CONTROLLER",
        "controller.quorum.voters=" + voters_,
        "cluster.id=" + std::string(kClusterId),
        "controller.quorum.election.timeout.ms=200",
        "controller.quorum.fetch.timeout.ms=400",
        "controller.quorum.election.backoff.max.ms=200",
        "controller.quorum.request.timeout.ms=400",
        "controller.quorum.append.linger.ms=5",
        "log.dirs=" + dir_ + "/node-" + std::to_string(id),
        "keel.shards=1"};
    absl::StatusOr<BrokerConfig> config = load_broker_config(std::nullopt, overrides);
    EXPECT_TRUE(config.ok()) << config.status();
    if (!config.ok()) return nullptr;
    RunningNode n;
    n.random = std::make_unique<storage::SeededRandom>(1000 + id);
    NodeEnvironment env;
    env.random = n.random.get();
    absl::StatusOr<std::unique_ptr<Node>> node = Node::start(*config, env);
    EXPECT_TRUE(node.ok()) << node.status();
    if (!node.ok()) return nullptr;
    EXPECT_NE(node->get()->raft(), nullptr);
    n.node = std::move(*node);
    nodes_.push_back(std::move(n));
    return nodes_.back().node.get();
  }

  bool start_all() { return start(1) && start(2) && start(3); }

  std::vector<Node*> running() {
    std::vector<Node*> out;
    for (RunningNode& n : nodes_) {
      if (n.node && n.node->raft() != nullptr && !stopped_.count(n.node.get())) {
        out.push_back(n.node.get());
      }
    }
    return out;
  }

  // The leader every running node names, when exactly one of them leads and all agree on it
  // and on the epoch (and the epoch is above `min_epoch`).
  std::optional<quorum::RaftStatus> agreed_leader(int32_t min_epoch = -1) {
    std::optional<quorum::RaftStatus> leader;
    int leaders = 0;
    std::vector<quorum::RaftStatus> all;
    for (Node* n : running()) all.push_back(n->raft()->status());
    for (const quorum::RaftStatus& s : all) {
      if (s.role == raft::Role::kLeader) {
        ++leaders;
        leader = s;
      }
    }
    if (leaders != 1 || leader->epoch <= min_epoch) return std::nullopt;
    for (const quorum::RaftStatus& s : all) {
      if (s.epoch != leader->epoch || s.leader_id != leader->leader_id) return std::nullopt;
    }
    return leader;
  }

  Node* node_of(int32_t id) { return nodes_[id - 1].node.get(); }

  void stop_node(int32_t id) {
    Node* n = node_of(id);
    EXPECT_TRUE(n->stop().ok());
    stopped_.insert(n);
  }

  absl::StatusOr<int64_t> append(Node* leader, std::vector<std::string> payloads) {
    std::promise<absl::StatusOr<int64_t>> done;
    std::future<absl::StatusOr<int64_t>> result = done.get_future();
    leader->raft()->append(config_records(payloads),
                           [&done](absl::StatusOr<int64_t> r) { done.set_value(std::move(r)); });
    if (result.wait_for(5s) != std::future_status::ready) {
      return absl::DeadlineExceededError("append not answered");
    }
    return result.get();
  }

  // True once every running node's high watermark passed `offset`.
  bool committed_everywhere(int64_t offset) {
    return eventually(
        [&] {
          for (Node* n : running()) {
            if (n->raft()->status().high_watermark <= offset) return false;
          }
          return true;
        },
        kQuorumDeadline);
  }

  std::string dir_;
  std::vector<uint16_t> ports_;
  std::string voters_;
  std::vector<RunningNode> nodes_;
  std::set<Node*> stopped_;
};

TEST_F(QuorumTest, ThreeNodesElectOneLeaderCommitAndFailOver) {
  const auto t0 = Clock::now();
  ASSERT_TRUE(start_all());
  std::optional<quorum::RaftStatus> leader;
  ASSERT_TRUE(eventually([&] { return (leader = agreed_leader()).has_value(); }, kQuorumDeadline))
      << "no agreed leader";
  const int64_t election_ms = ms_since(t0);
  std::printf("[quorum] leader %d elected in epoch %d after %lld ms (from the first start)\n",
              leader->leader_id, leader->epoch, static_cast<long long>(election_ms));
  RecordProperty("election_ms", std::to_string(election_ms));

  // An append through the leader commits on all three.
  absl::StatusOr<int64_t> offset = append(node_of(leader->leader_id), {"a", "b", "c"});
  ASSERT_TRUE(offset.ok()) << offset.status();
  ASSERT_TRUE(committed_everywhere(*offset)) << "offset " << *offset << " not committed";
  EXPECT_TRUE(eventually([&] {
    for (Node* n : running()) {
      const auto& configs = n->image()->broker_configs();
      auto cluster_wide = configs.find("");
      if (cluster_wide == configs.end() || cluster_wide->second.count("test.c") == 0) return false;
    }
    return true;
  }));

  // DescribeQuorum from a client, on the leader's controller listener and on a follower's
  // client listener (a follower answers NOT_LEADER_OR_FOLLOWER).
  {
    const int32_t follower = leader->leader_id % 3 + 1;
    net::testing::TestClient client(node_of(follower)->ports()[0]);
    ASSERT_TRUE(client.connected());
    protocol::DescribeQuorumRequest req;
    auto resp =
        testing::call_node<protocol::DescribeQuorumResponse>(client, 8, "quorum-test", req, 2);
    ASSERT_TRUE(resp.has_value());
    absl::StatusOr<raft::QuorumDescription> d = raft::wire::from_wire(*resp);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->error, protocol::ErrorCode::kNotLeaderOrFollower);
    EXPECT_EQ(d->leader_id, leader->leader_id);
  }
  {
    net::testing::TestClient client(ports_[leader->leader_id - 1]);
    ASSERT_TRUE(client.connected());
    protocol::DescribeQuorumRequest req;
    auto resp =
        testing::call_node<protocol::DescribeQuorumResponse>(client, 7, "quorum-test", req, 2);
    ASSERT_TRUE(resp.has_value());
    absl::StatusOr<raft::QuorumDescription> d = raft::wire::from_wire(*resp);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->leader_id, leader->leader_id);
    EXPECT_EQ(d->leader_epoch, leader->epoch);
    EXPECT_EQ(d->voters.size(), 3u);
    EXPECT_GT(d->high_watermark, *offset);
  }

  // The leader stops (resigning: EndQuorumEpoch): the other two elect a new one in a higher
  // epoch.
  const int32_t old_leader = leader->leader_id;
  const int32_t old_epoch = leader->epoch;
  const auto t1 = Clock::now();
  stop_node(old_leader);
  std::optional<quorum::RaftStatus> next;
  ASSERT_TRUE(
      eventually([&] { return (next = agreed_leader(old_epoch)).has_value(); }, kQuorumDeadline))
      << "no new leader";
  const int64_t failover_ms = ms_since(t1);
  EXPECT_NE(next->leader_id, old_leader);
  EXPECT_GT(next->epoch, old_epoch);
  std::printf("[quorum] leader %d stopped; leader %d elected in epoch %d after %lld ms\n",
              old_leader, next->leader_id, next->epoch, static_cast<long long>(failover_ms));
  RecordProperty("failover_ms", std::to_string(failover_ms));

  // The two commit on their own.
  absl::StatusOr<int64_t> more = append(node_of(next->leader_id), {"d"});
  ASSERT_TRUE(more.ok()) << more.status();
  EXPECT_TRUE(committed_everywhere(*more));
}

// A leader whose Raft node goes silent (as a crash would: no EndQuorumEpoch) is replaced once
// the followers' fetch timeout passes.
TEST_F(QuorumTest, SilentLeaderIsReplacedAfterTheFetchTimeout) {
  ASSERT_TRUE(start_all());
  std::optional<quorum::RaftStatus> leader;
  ASSERT_TRUE(eventually([&] { return (leader = agreed_leader()).has_value(); }, kQuorumDeadline));
  const auto t1 = Clock::now();
  Node* silent = node_of(leader->leader_id);
  silent->raft()->stop(5s, /*resign=*/false);
  stopped_.insert(silent);
  std::optional<quorum::RaftStatus> next;
  ASSERT_TRUE(eventually([&] { return (next = agreed_leader(leader->epoch)).has_value(); },
                         kQuorumDeadline))
      << "no new leader";
  const int64_t failover_ms = ms_since(t1);
  EXPECT_NE(next->leader_id, leader->leader_id);
  std::printf("[quorum] leader %d silent; leader %d elected in epoch %d after %lld ms\n",
              leader->leader_id, next->leader_id, next->epoch, static_cast<long long>(failover_ms));
  RecordProperty("silent_failover_ms", std::to_string(failover_ms));
  absl::StatusOr<int64_t> offset = append(node_of(next->leader_id), {"y"});
  ASSERT_TRUE(offset.ok()) << offset.status();
  EXPECT_TRUE(committed_everywhere(*offset));
}

TEST_F(QuorumTest, GarbageAndStaleVotesOnTheControllerListenerChangeNothing) {
  ASSERT_TRUE(start_all());
  std::optional<quorum::RaftStatus> leader;
  ASSERT_TRUE(eventually([&] { return (leader = agreed_leader()).has_value(); }, kQuorumDeadline));
  const int32_t target = leader->leader_id % 3 + 1;  // a follower
  const uint16_t port = ports_[target - 1];

  // Bytes that are no Kafka request: an unknown api key, then a negative frame size.
  {
    net::testing::TestClient client(port);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send(net::testing::request_frame(777, 0, 1, {0xde, 0xad, 0xbe, 0xef})));
    EXPECT_TRUE(client.wait_closed());
  }
  {
    net::testing::TestClient client(port);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send({0xff, 0xff, 0xff, 0xf0, 1, 2, 3}));
    EXPECT_TRUE(client.wait_closed());
  }
  // A Vote whose body is cut short.
  {
    net::testing::TestClient client(port);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send(net::testing::request_frame(52, 2, 2, {0x01, 0x02})));
    EXPECT_TRUE(client.wait_closed());
  }
  // A well-formed Vote from a real voter in an epoch long gone: refused, nothing changes.
  {
    net::testing::TestClient client(port);
    ASSERT_TRUE(client.connected());
    raft::VoteRequest stale;
    stale.candidate_epoch = 0;
    stale.candidate_id = 6 - leader->leader_id - target;  // the third voter
    stale.last_offset_epoch = 0;
    stale.last_offset = 0;
    protocol::VoteRequest wire = raft::wire::to_wire(stale, "");
    auto resp = testing::call_node<protocol::VoteResponse>(client, 3, "quorum-test", wire, 2);
    ASSERT_TRUE(resp.has_value());
    absl::StatusOr<raft::VoteResponse> answer = raft::wire::from_wire(*resp, false);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_FALSE(answer->vote_granted);
    EXPECT_EQ(answer->leader_epoch, leader->epoch);
  }
  // A Fetch for a partition that is not the metadata one is refused (closed).
  {
    net::testing::TestClient client(port);
    ASSERT_TRUE(client.connected());
    protocol::FetchRequest fetch;
    fetch.topics.emplace_back().topic = "other";
    protocol::RequestHeader h{1, 17, 4, std::string("quorum-test"), {}};
    ASSERT_TRUE(client.send(protocol::encode_request_frame(h, fetch)));
    EXPECT_TRUE(client.wait_closed());
  }

  // The quorum is as it was and still commits.
  std::optional<quorum::RaftStatus> after = agreed_leader();
  ASSERT_TRUE(eventually([&] { return (after = agreed_leader()).has_value(); }, kQuorumDeadline));
  EXPECT_EQ(after->epoch, leader->epoch);
  absl::StatusOr<int64_t> offset = append(node_of(after->leader_id), {"x"});
  ASSERT_TRUE(offset.ok()) << offset.status();
  EXPECT_TRUE(committed_everywhere(*offset));
}

}  // namespace
}  // namespace keel::broker
