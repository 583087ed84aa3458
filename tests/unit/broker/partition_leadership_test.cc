// File: tests/unit/broker/partition_leadership_test.cc
// A broker (node 1) in a cluster image with node 2 alive and node 3 fenced: Produce, Fetch,
// ListOffsets and DeleteRecords are served for the partitions node 1 leads only; elsewhere
// NOT_LEADER_OR_FOLLOWER with the current leader where the version carries it (KIP-951), or
// LEADER_NOT_AVAILABLE for a leaderless Produce. Leadership moves with each published change,
// a follower replica refuses appends, and Metadata/DescribeCluster name live brokers only.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net_test_util.h"
#include "node_call.h"
#include "protocol/error_code.h"
#include "protocol/generated/delete_records.h"
#include "protocol/generated/describe_cluster.h"
#include "protocol/generated/fetch.h"
#include "protocol/generated/list_offsets.h"
#include "protocol/generated/metadata.h"
#include "protocol/generated/produce.h"
#include "protocol/records/record_batch_builder.h"
#include "published_broker.h"
#include "tests/unit/storage/storage_test_util.h"

namespace keel::broker {
namespace {

namespace p = protocol;
using net::testing::TestClient;
using p::ErrorCode;
using testing::broker_record;
using testing::leader_record;
using testing::partition_record;
using testing::topic_record;

constexpr int16_t code(ErrorCode e) { return static_cast<int16_t>(e); }
constexpr uint8_t kOrders = 1;

p::Bytes batch() {
  p::RecordBatchBuilder builder;
  const std::string value = "value";
  p::RecordInput rec;
  rec.timestamp = 1700000000000;
  rec.value = p::ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size());
  builder.append(rec);
  return *builder.build();
}

class PartitionLeadershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = std::make_unique<testing::PublishedBroker>(dir_.path());
    ASSERT_TRUE(broker_->start().ok());
    client_ = std::make_unique<TestClient>(broker_->port());
    ASSERT_TRUE(client_->connected());
    ASSERT_TRUE(broker_->publish(
        {broker_record(1, "127.0.0.1", broker_->port()), broker_record(2, "10.0.0.2", 9092),
         broker_record(3, "10.0.0.3", 9092, /*fenced=*/true), topic_record("orders", kOrders),
         partition_record(kOrders, 0, {1, 2}, 1),   // led here
         partition_record(kOrders, 1, {1, 2}, 2),   // followed here, led by node 2
         partition_record(kOrders, 2, {2, 3}, -1),  // leaderless, not hosted here
         partition_record(kOrders, 3, {1, 3}, 3)},  // led by a fenced node
        /*controller_id=*/3));
  }

  template <typename Response, typename Request>
  std::optional<Response> call(const Request& request, int16_t version) {
    return testing::call_node<Response>(*client_, ++correlation_, "leadership", request, version);
  }

  p::ProduceResponse produce(const std::vector<int32_t>& partitions, int16_t version) {
    p::ProduceRequest req;
    req.acks = 1;
    req.timeout_ms = 5000;
    p::ProduceRequest::TopicProduceData td;
    td.name = "orders";
    for (int32_t i : partitions) {
      p::ProduceRequest::PartitionProduceData pd;
      pd.index = i;
      pd.records = p::RecordsView(batch_);
      td.partition_data.push_back(pd);
    }
    req.topic_data.push_back(td);
    std::optional<p::ProduceResponse> resp = call<p::ProduceResponse>(req, version);
    EXPECT_TRUE(resp.has_value());
    EXPECT_TRUE(resp && resp->responses.size() == 1 &&
                resp->responses[0].partition_responses.size() == partitions.size());
    return resp.value_or(p::ProduceResponse{});
  }

  p::FetchRequest fetch_request(int32_t partition, int32_t max_wait_ms = 0) {
    p::FetchRequest req;
    req.max_wait_ms = max_wait_ms;
    req.min_bytes = 1;
    p::FetchRequest::FetchTopic t;
    t.topic = "orders";
    t.topic_id = broker_->image()->topic("orders")->id;
    p::FetchRequest::FetchPartition fp;
    fp.partition = partition;
    fp.fetch_offset = 0;
    fp.partition_max_bytes = 1 << 20;
    t.partitions.push_back(fp);
    req.topics.push_back(t);
    return req;
  }

  storage::testing::TempDir dir_{"keel_partition_leadership"};
  std::unique_ptr<testing::PublishedBroker> broker_;
  std::unique_ptr<TestClient> client_;
  int32_t correlation_ = 0;
  p::Bytes batch_ = batch();
};

TEST_F(PartitionLeadershipTest, ProduceIsTakenByTheLeaderOnlyAndNamesTheCurrentLeaderFromV10) {
  // A followed partition is hosted (its log exists for replication), a foreign one is not.
  EXPECT_NE(broker_->partitions().get("orders", 1), nullptr);
  EXPECT_EQ(broker_->partitions().get("orders", 2), nullptr);
  for (int16_t v = 3; v <= 12; ++v) {
    SCOPED_TRACE("Produce v" + std::to_string(v));
    p::ProduceResponse resp = produce({0, 1, 2, 3}, v);
    ASSERT_EQ(resp.responses.size(), 1u);
    const auto& parts = resp.responses[0].partition_responses;
    ASSERT_EQ(parts.size(), 4u);
    EXPECT_EQ(parts[0].error_code, 0);
    EXPECT_EQ(parts[0].base_offset, v - 3);
    EXPECT_EQ(parts[1].error_code, code(ErrorCode::kNotLeaderOrFollower));
    EXPECT_EQ(parts[2].error_code, code(ErrorCode::kLeaderNotAvailable));
    // A fenced leader is no place to retry: no current leader.
    EXPECT_EQ(parts[3].error_code, code(ErrorCode::kNotLeaderOrFollower));
    EXPECT_EQ(parts[3].current_leader.leader_id, -1);
    EXPECT_EQ(parts[2].current_leader.leader_id, -1);
    if (v >= 10) {
      EXPECT_EQ(parts[1].current_leader.leader_id, 2);
      EXPECT_EQ(parts[1].current_leader.leader_epoch, 0);
      ASSERT_EQ(resp.node_endpoints.size(), 1u);
      EXPECT_EQ(resp.node_endpoints[0].node_id, 2);
      EXPECT_EQ(resp.node_endpoints[0].host, "10.0.0.2");
      EXPECT_EQ(resp.node_endpoints[0].port, 9092);
    } else {
      EXPECT_EQ(parts[1].current_leader.leader_id, -1);  // not on the wire before v10
      EXPECT_TRUE(resp.node_endpoints.empty());
    }
  }
}

TEST_F(PartitionLeadershipTest, AFollowerReplicaRefusesAppends) {
  std::shared_ptr<Partition> follower = broker_->partitions().get("orders", 1);
  ASSERT_NE(follower, nullptr);
  std::promise<absl::Status> appended;
  boost::asio::post(follower->owner(), [&] {
    appended.set_value(
        follower->append_as_leader(p::RecordsView(batch_.data(), batch_.size())).status());
  });
  std::future<absl::Status> result = appended.get_future();
  ASSERT_EQ(result.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  const absl::Status s = result.get();
  EXPECT_EQ(p::to_error_code(s), ErrorCode::kNotLeaderOrFollower) << s;
}

TEST_F(PartitionLeadershipTest, ReadsAndWritesFollowLeadershipAsItMoves) {
  ASSERT_EQ(produce({0}, 12).responses[0].partition_responses[0].error_code, 0);
  // Node 2 takes partition 0 (leader epoch 1), this node takes partition 1.
  ASSERT_TRUE(broker_->publish({leader_record(kOrders, 0, 2), leader_record(kOrders, 1, 1)}));

  p::ProduceResponse moved = produce({0, 1}, 12);
  const auto& parts = moved.responses[0].partition_responses;
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].error_code, code(ErrorCode::kNotLeaderOrFollower));
  EXPECT_EQ(parts[0].current_leader.leader_id, 2);
  EXPECT_EQ(parts[0].current_leader.leader_epoch, 1);
  EXPECT_EQ(parts[1].error_code, 0);
  EXPECT_EQ(parts[1].base_offset, 0);

  // Consumer fetches: the old leader's log is still here, but it is not served.
  for (int16_t v : {4, 12, 15, 16, 17}) {
    SCOPED_TRACE("Fetch v" + std::to_string(v));
    auto resp = call<p::FetchResponse>(fetch_request(0), v);
    ASSERT_TRUE(resp.has_value());
    ASSERT_EQ(resp->responses.size(), 1u);
    const auto& pd = resp->responses[0].partitions.at(0);
    EXPECT_EQ(pd.error_code, code(ErrorCode::kNotLeaderOrFollower));
    if (v >= 16) {
      EXPECT_EQ(pd.current_leader.leader_id, 2);
      EXPECT_EQ(pd.current_leader.leader_epoch, 1);
      ASSERT_EQ(resp->node_endpoints.size(), 1u);
      EXPECT_EQ(resp->node_endpoints[0].node_id, 2);
    } else {
      EXPECT_EQ(pd.current_leader.leader_id, -1);
      EXPECT_TRUE(resp->node_endpoints.empty());
    }
    auto led = call<p::FetchResponse>(fetch_request(1), v);
    ASSERT_TRUE(led.has_value());
    const auto& lp = led->responses.at(0).partitions.at(0);
    EXPECT_EQ(lp.error_code, 0);
    EXPECT_EQ(lp.high_watermark, 1);
    EXPECT_FALSE(lp.records.value_or(p::RecordsView{}).empty());
  }

  p::ListOffsetsRequest lo;
  lo.replica_id = -1;
  p::ListOffsetsRequest::ListOffsetsTopic lt;
  lt.name = "orders";
  for (int32_t i : {0, 1}) {
    p::ListOffsetsRequest::ListOffsetsPartition lp;
    lp.partition_index = i;
    lp.timestamp = -1;  // latest
    lt.partitions.push_back(lp);
  }
  lo.topics.push_back(lt);
  auto listed = call<p::ListOffsetsResponse>(lo, 7);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->topics.at(0).partitions.size(), 2u);
  EXPECT_EQ(listed->topics[0].partitions[0].error_code, code(ErrorCode::kNotLeaderOrFollower));
  EXPECT_EQ(listed->topics[0].partitions[1].error_code, 0);
  EXPECT_EQ(listed->topics[0].partitions[1].offset, 1);

  p::DeleteRecordsRequest dr;
  dr.timeout_ms = 5000;
  p::DeleteRecordsRequest::DeleteRecordsTopic dt;
  dt.name = "orders";
  for (int32_t i : {0, 1}) {
    p::DeleteRecordsRequest::DeleteRecordsPartition dp;
    dp.partition_index = i;
    dp.offset = 1;
    dt.partitions.push_back(dp);
  }
  dr.topics.push_back(dt);
  auto deleted = call<p::DeleteRecordsResponse>(dr, 2);
  ASSERT_TRUE(deleted.has_value());
  ASSERT_EQ(deleted->topics.at(0).partitions.size(), 2u);
  EXPECT_EQ(deleted->topics[0].partitions[0].error_code, code(ErrorCode::kNotLeaderOrFollower));
  EXPECT_EQ(deleted->topics[0].partitions[1].error_code, 0);
  EXPECT_EQ(deleted->topics[0].partitions[1].low_watermark, 1);
}

TEST_F(PartitionLeadershipTest, AWaitingFetchAnswersAsSoonAsLeadershipMoves) {
  // Nothing to read on partition 0 yet: the fetch waits up to a minute for data.
  ASSERT_TRUE(
      testing::send_request(*client_, ++correlation_, "leadership", fetch_request(0, 60000), 12));
  const int32_t waiting = correlation_;
  EXPECT_FALSE(client_->read_frame(std::chrono::milliseconds(200)).has_value());
  ASSERT_TRUE(broker_->publish({leader_record(kOrders, 0, 2)}));
  auto resp = testing::read_response<p::FetchResponse, p::FetchRequest>(
      *client_, waiting, 12, std::chrono::milliseconds(10000));
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->responses.at(0).partitions.at(0).error_code,
            code(ErrorCode::kNotLeaderOrFollower));
}

TEST_F(PartitionLeadershipTest, MetadataAndDescribeClusterNameLiveBrokersOnly) {
  auto check = [this](int32_t expected_controller) {
    for (int16_t v = 1; v <= 13; ++v) {
      SCOPED_TRACE("Metadata v" + std::to_string(v));
      p::MetadataRequest req;
      req.topics = std::nullopt;  // all
      auto resp = call<p::MetadataResponse>(req, v);
      ASSERT_TRUE(resp.has_value());
      std::vector<int32_t> ids;
      for (const auto& b : resp->brokers) ids.push_back(b.node_id);
      EXPECT_EQ(ids, (std::vector<int32_t>{1, 2}));
      EXPECT_EQ(resp->controller_id, expected_controller);
      ASSERT_EQ(resp->topics.size(), 1u);
      const auto& parts = resp->topics[0].partitions;
      ASSERT_EQ(parts.size(), 4u);
      EXPECT_EQ(parts[0].leader_id, 1);
      EXPECT_EQ(parts[0].error_code, 0);
      EXPECT_EQ(parts[1].leader_id, 2);
      EXPECT_EQ(parts[1].error_code, 0);
      for (size_t i : {2u, 3u}) {  // leaderless, and led by the fenced node 3
        EXPECT_EQ(parts[i].leader_id, -1);
        EXPECT_EQ(parts[i].error_code, code(ErrorCode::kLeaderNotAvailable));
        if (v >= 5) {
          EXPECT_EQ(parts[i].offline_replicas, (std::vector<int32_t>{3}));
        }
      }
    }
    for (int16_t v = 0; v <= 1; ++v) {
      SCOPED_TRACE("DescribeCluster v" + std::to_string(v));
      p::DescribeClusterRequest req;
      auto resp = call<p::DescribeClusterResponse>(req, v);
      ASSERT_TRUE(resp.has_value());
      ASSERT_EQ(resp->brokers.size(), 2u);
      EXPECT_EQ(resp->brokers[0].broker_id, 1);
      EXPECT_EQ(resp->brokers[1].broker_id, 2);
      EXPECT_EQ(resp->controller_id, expected_controller);
    }
  };
  {
    SCOPED_TRACE("the image's controller (3) is fenced: this node is named");
    check(1);
  }
  ASSERT_TRUE(broker_->publish({}, /*controller_id=*/2));
  {
    SCOPED_TRACE("a live controller is named as it is");
    check(2);
  }
  ASSERT_TRUE(broker_->publish({}, /*controller_id=*/9));
  {
    SCOPED_TRACE("an unregistered controller is not named");
    check(1);
  }
}

}  // namespace
}  // namespace keel::broker
