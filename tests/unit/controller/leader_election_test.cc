// ElectLeaders as a pure function (controller/control/leader_election.h): preferred elections
// per named partition and for all partitions, the answers for partitions that need none or
// cannot have one, unknown topics and partitions, and UNCLEAN kept clean.
#include "controller/control/leader_election.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

#include "controller/control/cluster_control.h"
#include "controller/control/topic_control.h"
#include "protocol/error_code.h"
#include "storage/random.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;

class ElectLeadersTest : public ::testing::Test {
 protected:
  void commit(const std::vector<metadata::MetadataRecord>& records) {
    MetadataDelta delta(image_);
    for (const auto& r : records) ASSERT_TRUE(delta.replay(r, ++offset_).ok()) << r.DebugString();
    image_ = delta.apply();
  }
  // Brokers 1..n registered and unfenced.
  void start_brokers(int n) {
    for (int id = 1; id <= n; ++id) {
      auto r = register_fenced_broker(*image_, {id, {}, ""}, offset_ + 1);
      commit(r.records);
      epochs_[id] = r.response;
    }
    for (int id = 1; id <= n; ++id) rejoin(id);
  }
  // A caught-up heartbeat: a fenced broker is unfenced and rejoins its ISRs.
  void rejoin(int32_t id) {
    commit(broker_heartbeat(*image_, {id, epochs_[id], offset_, false, false}).records);
    ASSERT_FALSE(image_->broker(id)->fenced);
  }
  void create(const std::string& name, int partitions, int rf) {
    ControlSettings s;
    s.random = &random_;
    auto r =
        create_topics(*image_, s, {{name, partitions, static_cast<int16_t>(rf), {}, {}}}, false);
    ASSERT_TRUE(r.response[0].status.ok()) << r.response[0].status;
    commit(r.records);
  }
  const PartitionImage& partition(const std::string& topic, int32_t id) {
    return image_->topic(topic)->partitions.at(id);
  }
  // Moves every leadership of `id` away and brings it back: the partitions it preferably led
  // now have another leader, with `id` in the ISR again.
  void bounce(int32_t id) {
    commit(fence_broker(*image_, id).records);
    rejoin(id);
  }
  static std::optional<ErrorCode> code(const PartitionElection& e) {
    return protocol::kafka_error_of(e.status);
  }

  std::shared_ptr<const MetadataImage> image_ = std::make_shared<const MetadataImage>();
  int64_t offset_ = -1;
  std::map<int32_t, int64_t> epochs_;
  storage::SeededRandom random_{11};
};

TEST_F(ElectLeadersTest, NamedPartitionsGetTheirPreferredLeaderBack) {
  start_brokers(3);
  create("t", 3, 3);
  const int32_t moved = partition("t", 0).replicas.front();
  bounce(moved);
  std::vector<ElectionTarget> targets = {{"t", {0, 1, 2, 7}}, {"nope", {0}}};
  auto r = elect_leaders(*image_, ElectionType::kPreferred, targets);
  ASSERT_EQ(r.response.size(), 2u);
  ASSERT_EQ(r.response[0].topic, "t");
  ASSERT_EQ(r.response[0].partitions.size(), 4u);
  int elected = 0;
  for (int i = 0; i < 3; ++i) {
    const PartitionElection& e = r.response[0].partitions[i];
    EXPECT_EQ(e.partition, i);
    if (partition("t", i).replicas.front() == moved) {
      EXPECT_TRUE(e.status.ok()) << e.status;
      ++elected;
    } else {
      EXPECT_EQ(code(e), ErrorCode::kElectionNotNeeded) << e.status;
    }
  }
  EXPECT_GE(elected, 1);
  EXPECT_EQ(r.records.size(), static_cast<size_t>(elected));
  EXPECT_EQ(code(r.response[0].partitions[3]), ErrorCode::kUnknownTopicOrPartition);
  ASSERT_EQ(r.response[1].partitions.size(), 1u);
  EXPECT_EQ(code(r.response[1].partitions[0]), ErrorCode::kUnknownTopicOrPartition);
  commit(r.records);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(partition("t", i).leader, partition("t", i).replicas.front()) << i;
  }
  auto again = elect_leaders(*image_, ElectionType::kPreferred, targets);
  EXPECT_TRUE(again.records.empty());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(code(again.response[0].partitions[i]), ErrorCode::kElectionNotNeeded);
  }
}

TEST_F(ElectLeadersTest, PreferredReplicaOutOfTheIsrOrFencedIsNotAvailable) {
  start_brokers(3);
  create("t", 1, 3);
  const int32_t preferred = partition("t", 0).replicas.front();
  commit(fence_broker(*image_, preferred).records);
  ASSERT_NE(partition("t", 0).leader, preferred);
  auto out_of_isr =
      elect_leaders(*image_, ElectionType::kPreferred, std::vector<ElectionTarget>{{"t", {0}}});
  EXPECT_TRUE(out_of_isr.records.empty());
  EXPECT_EQ(code(out_of_isr.response[0].partitions[0]), ErrorCode::kPreferredLeaderNotAvailable);
  // Back in the ISR but fenced again (as the image would show between a session expiry and the
  // ISR change): still not eligible.
  rejoin(preferred);
  metadata::MetadataRecord fence;
  auto* c = fence.mutable_broker_registration_change();
  c->set_node_id(preferred);
  c->set_broker_epoch(epochs_[preferred]);
  c->set_fenced(true);
  commit({fence});
  auto fenced = elect_leaders(*image_, ElectionType::kPreferred, std::nullopt);
  ASSERT_EQ(fenced.response.size(), 1u);
  ASSERT_EQ(fenced.response[0].partitions.size(), 1u);
  EXPECT_EQ(code(fenced.response[0].partitions[0]), ErrorCode::kPreferredLeaderNotAvailable);
}

TEST_F(ElectLeadersTest, AllPartitionsListsOnlyThoseThatNeededAnElection) {
  start_brokers(3);
  create("a", 3, 3);
  create("b", 2, 1);
  const int32_t moved = partition("a", 0).replicas.front();
  bounce(moved);
  auto r = elect_leaders(*image_, ElectionType::kPreferred, std::nullopt);
  // Every topic appears (Kafka's rule), each with the partitions not ELECTION_NOT_NEEDED.
  ASSERT_EQ(r.response.size(), 2u);
  EXPECT_EQ(r.response[0].topic, "a");
  EXPECT_EQ(r.response[1].topic, "b");
  EXPECT_TRUE(r.response[1].partitions.empty());
  ASSERT_FALSE(r.response[0].partitions.empty());
  for (const PartitionElection& e : r.response[0].partitions) {
    EXPECT_TRUE(e.status.ok()) << e.status;
    EXPECT_EQ(partition("a", e.partition).replicas.front(), moved);
  }
  EXPECT_EQ(r.records.size(), r.response[0].partitions.size());
  EXPECT_EQ(r.records.size(), elect_preferred_leaders(*image_).size());
  commit(r.records);
  auto none = elect_leaders(*image_, ElectionType::kPreferred, std::nullopt);
  EXPECT_TRUE(none.records.empty());
  for (const TopicElections& t : none.response) EXPECT_TRUE(t.partitions.empty()) << t.topic;
}

TEST_F(ElectLeadersTest, APartitionNamedTwiceIsElectedOnce) {
  start_brokers(3);
  create("t", 1, 3);
  bounce(partition("t", 0).replicas.front());
  auto r = elect_leaders(*image_, ElectionType::kPreferred,
                         std::vector<ElectionTarget>{{"t", {0, 0}}, {"t", {0}}});
  EXPECT_EQ(r.records.size(), 1u);
  EXPECT_TRUE(r.response[0].partitions[0].status.ok());
  EXPECT_TRUE(r.response[0].partitions[1].status.ok());
  EXPECT_TRUE(r.response[1].partitions[0].status.ok());
}

TEST_F(ElectLeadersTest, UncleanNeverElectsAnOutOfSyncReplica) {
  start_brokers(2);
  create("led", 1, 2);
  create("solo", 1, 1);
  const int32_t solo = partition("solo", 0).replicas.front();
  commit(fence_broker(*image_, solo).records);
  ASSERT_EQ(partition("solo", 0).leader, -1);
  auto r = elect_leaders(*image_, ElectionType::kUnclean,
                         std::vector<ElectionTarget>{{"led", {0}}, {"solo", {0}}});
  EXPECT_TRUE(r.records.empty());
  EXPECT_EQ(code(r.response[0].partitions[0]), ErrorCode::kElectionNotNeeded);
  EXPECT_EQ(code(r.response[1].partitions[0]), ErrorCode::kEligibleLeadersNotAvailable);
  EXPECT_NE(r.response[1].partitions[0].status.message().find("unclean"), std::string::npos);

  // Leaderless with an in-sync replica that can lead (not a state the controller leaves, but
  // one UNCLEAN must handle): a clean election, as Kafka's UNCLEAN tries first.
  metadata::MetadataRecord offline;
  auto* c = offline.mutable_partition_change();
  c->set_topic_id(uuid_to_bytes(image_->topic("led")->id));
  c->set_partition_id(0);
  c->set_leader(-1);
  commit({offline});
  auto clean =
      elect_leaders(*image_, ElectionType::kUnclean, std::vector<ElectionTarget>{{"led", {0}}});
  EXPECT_TRUE(clean.response[0].partitions[0].status.ok())
      << clean.response[0].partitions[0].status;
  commit(clean.records);
  EXPECT_EQ(partition("led", 0).leader, partition("led", 0).replicas.front());
}

}  // namespace
}  // namespace keel::controller
