// Brokers in a cluster as pure functions: fenced registration, unfencing once caught up,
// fencing on a missed session with leader elections from the ISR (epoch bumped, last ISR
// member kept), controlled shutdown, preferred leaders, unregistration, session expiry.
#include "controller/control/cluster_control.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

#include "controller/control/broker_heartbeats.h"
#include "controller/control/leader_election.h"
#include "controller/control/topic_control.h"
#include "protocol/error_code.h"
#include "storage/random.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;

class ClusterControlTest : public ::testing::Test {
 protected:
  // Applies records at the next offsets.
  void commit(const std::vector<metadata::MetadataRecord>& records) {
    MetadataDelta delta(image_);
    for (const auto& r : records) ASSERT_TRUE(delta.replay(r, ++offset_).ok()) << r.DebugString();
    image_ = delta.apply();
  }
  // Registers brokers 1..n fenced, then unfences each with a caught-up heartbeat.
  void start_brokers(int n) {
    for (int id = 1; id <= n; ++id) {
      auto r = register_fenced_broker(*image_, {id, {}, ""}, offset_ + 1);
      commit(r.records);
      EXPECT_TRUE(image_->broker(id)->fenced);
      epochs_[id] = r.response;
    }
    for (int id = 1; id <= n; ++id) {
      auto h = heartbeat(id, offset_);
      EXPECT_TRUE(h.is_caught_up);
      EXPECT_FALSE(h.is_fenced);
      EXPECT_FALSE(image_->broker(id)->fenced);
    }
  }
  HeartbeatAnswer heartbeat(int32_t id, int64_t metadata_offset, bool shutdown = false) {
    auto r = broker_heartbeat(*image_, {id, epochs_[id], metadata_offset, false, shutdown});
    commit(r.records);
    return r.response;
  }
  void create(const std::string& name, int partitions, int rf) {
    ControlSettings s;
    s.random = &random_;
    auto r =
        create_topics(*image_, s, {{name, partitions, static_cast<int16_t>(rf), {}, {}}}, false);
    ASSERT_TRUE(r.response[0].status.ok()) << r.response[0].status;
    commit(r.records);
  }
  std::map<int32_t, int> leaders(const std::string& topic) {
    std::map<int32_t, int> out;
    for (const auto& [id, p] : image_->topic(topic)->partitions) ++out[p.leader];
    return out;
  }

  std::shared_ptr<const MetadataImage> image_ = std::make_shared<const MetadataImage>();
  int64_t offset_ = -1;
  std::map<int32_t, int64_t> epochs_;
  storage::SeededRandom random_{5};
};

TEST_F(ClusterControlTest, RegistersFencedAndUnfencesOnlyOnceCaughtUp) {
  auto r = register_fenced_broker(*image_, {7, {}, "rack-a"}, 0);
  commit(r.records);
  epochs_[7] = r.response;
  EXPECT_TRUE(image_->broker(7)->fenced);
  auto behind = broker_heartbeat(*image_, {7, epochs_[7], -1, false, false});
  EXPECT_FALSE(behind.response.is_caught_up);
  EXPECT_TRUE(behind.response.is_fenced);
  EXPECT_TRUE(behind.records.empty());
  EXPECT_FALSE(heartbeat(7, offset_).is_fenced);
  EXPECT_FALSE(image_->broker(7)->fenced);
  // A stale epoch or an unknown broker is refused.
  auto stale = broker_heartbeat(*image_, {7, epochs_[7] + 1, offset_, false, false});
  EXPECT_EQ(protocol::to_error_code(stale.response.status), ErrorCode::kStaleBrokerEpoch);
  auto unknown = broker_heartbeat(*image_, {8, 0, 0, false, false});
  EXPECT_EQ(protocol::to_error_code(unknown.response.status), ErrorCode::kBrokerIdNotRegistered);
}

TEST_F(ClusterControlTest, FencingElectsNewLeadersFromTheIsrAndBumpsTheirEpochs) {
  start_brokers(3);
  create("t", 6, 3);
  EXPECT_EQ(leaders("t"), (std::map<int32_t, int>{{1, 2}, {2, 2}, {3, 2}}));
  std::map<int32_t, int32_t> epochs_before;
  for (const auto& [id, p] : image_->topic("t")->partitions) epochs_before[id] = p.leader_epoch;
  auto f = fence_broker(*image_, 2);
  ASSERT_TRUE(f.response.ok());
  commit(f.records);
  EXPECT_TRUE(image_->broker(2)->fenced);
  for (const auto& [id, p] : image_->topic("t")->partitions) {
    EXPECT_NE(p.leader, 2);
    EXPECT_NE(p.leader, -1);
    EXPECT_EQ(std::count(p.isr.begin(), p.isr.end(), 2), 0);
    EXPECT_EQ(p.isr.size(), 2u);
    if (epochs_before[id] != p.leader_epoch) {
      EXPECT_EQ(p.leader_epoch, epochs_before[id] + 1);
    }
  }
  EXPECT_EQ(leaders("t")[1] + leaders("t")[3], 6);
  EXPECT_TRUE(fence_broker(*image_, 2).records.empty());  // already fenced
}

TEST_F(ClusterControlTest, TheLastIsrMemberStaysAndLeadsAgainWhenItReturns) {
  start_brokers(2);
  create("solo", 1, 1);
  const int32_t owner = image_->topic("solo")->partitions.at(0).leader;
  commit(fence_broker(*image_, owner).records);
  const PartitionImage& offline = image_->topic("solo")->partitions.at(0);
  EXPECT_EQ(offline.leader, -1);
  EXPECT_EQ(offline.isr, std::vector<int32_t>{owner});  // not given up
  // Back: caught up, unfenced, and leading again in the same batch.
  auto back = broker_heartbeat(*image_, {owner, epochs_[owner], offset_, false, false});
  commit(back.records);
  EXPECT_FALSE(back.response.is_fenced);
  EXPECT_EQ(image_->topic("solo")->partitions.at(0).leader, owner);
}

TEST_F(ClusterControlTest, ControlledShutdownMovesLeadershipThenAnswersShouldShutdown) {
  start_brokers(3);
  create("t", 6, 3);
  auto first = heartbeat(1, offset_, true);
  EXPECT_FALSE(first.should_shutdown);  // leaderships are moving
  EXPECT_TRUE(image_->broker(1)->in_controlled_shutdown);
  EXPECT_EQ(leaders("t").count(1), 0u);
  for (const auto& [id, p] : image_->topic("t")->partitions) EXPECT_NE(p.leader, -1);
  EXPECT_TRUE(heartbeat(1, offset_, true).should_shutdown);
  // New topics avoid it.
  create("u", 4, 2);
  for (const auto& [id, p] : image_->topic("u")->partitions) {
    EXPECT_EQ(std::count(p.replicas.begin(), p.replicas.end(), 1), 0);
  }
}

TEST_F(ClusterControlTest, PreferredLeadersComeBackAndUnregisterRemoves) {
  start_brokers(3);
  create("t", 3, 3);
  const auto preferred = leaders("t");
  commit(fence_broker(*image_, 3).records);
  // Broker 3 returns to the ISR (replication would do this; here by hand).
  const auto partitions = image_->topic("t")->partitions;  // a copy: commit() swaps the image
  const Uuid topic_id = image_->topic("t")->id;
  for (const auto& [id, p] : partitions) {
    metadata::MetadataRecord r;
    auto* c = r.mutable_partition_change();
    c->set_topic_id(uuid_to_bytes(topic_id));
    c->set_partition_id(id);
    for (int32_t x : p.replicas) c->add_isr(x);
    c->set_isr_set(true);
    commit({r});
  }
  heartbeat(3, offset_);
  EXPECT_NE(leaders("t"), preferred);
  commit(elect_preferred_leaders(*image_));
  EXPECT_EQ(leaders("t"), preferred);
  EXPECT_TRUE(elect_preferred_leaders(*image_).empty());
  auto gone = unregister_broker(*image_, 2);
  ASSERT_TRUE(gone.response.ok());
  commit(gone.records);
  EXPECT_EQ(image_->broker(2), nullptr);
}

TEST(BrokerHeartbeatsTest, SessionsExpireAfterTheTimeoutWithoutHeartbeats) {
  BrokerHeartbeats h(9000);
  h.touch(1, 0);
  h.touch(2, 5000);
  EXPECT_TRUE(h.expired(9000).empty());
  EXPECT_EQ(h.next_expiry_ms(), 9001);
  EXPECT_EQ(h.expired(9001), std::vector<int32_t>{1});
  h.touch(1, 9001);
  EXPECT_EQ(h.expired(14001), std::vector<int32_t>{2});
  h.forget(2);
  EXPECT_TRUE(h.expired(14001).empty());
}

}  // namespace
}  // namespace keel::controller
