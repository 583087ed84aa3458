// The metadata state machine under a real RaftNode (one voter, in-memory disk): committed
// controller batches reach the publisher whole, leadership sets the controller id, snapshots
// rebuild the image on restart, and a record that does not apply is refused, not applied.
#include "controller/metadata_state_machine.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "controller/control/cluster_control.h"
#include "controller/control/topic_control.h"
#include "controller/raft/raft_node.h"
#include "storage/mem_env.h"
#include "storage/random.h"

namespace keel::controller {
namespace {

class MetadataStateMachineTest : public ::testing::Test {
 protected:
  void open() {
    node_.reset();
    sm_ = std::make_unique<MetadataStateMachine>(&publisher_, "cluster-1");
    publisher_.subscribe([this](const MetadataDelta&, std::shared_ptr<const MetadataImage> i) {
      published_.push_back(i);
    });
    raft::RaftConfig c;
    c.node_id = 1;
    c.voters = {1};
    c.append_linger_ms = 0;
    c.snapshot_min_bytes_between = snapshot_bytes_;
    auto node = raft::RaftNode::open(&env_, &clock_, "/meta", c, sm_.get(), 7, clock_.now_ms());
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = std::move(*node);
    run_until([&] { return node_->role() == raft::Role::kLeader; });
  }
  template <typename Pred>
  void run_until(Pred pred) {
    for (int i = 0; i < 1000 && !pred(); ++i) {
      clock_.advance_ms(std::max<int64_t>(1, node_->next_deadline_ms() - clock_.now_ms()));
      node_->poll(clock_.now_ms());
      (void)node_->take_outbox();  // a single voter sends nothing that matters
    }
    ASSERT_TRUE(pred());
  }
  // Appends one controller operation's records as one batch and waits for its commit.
  void commit(const std::vector<metadata::MetadataRecord>& records) {
    std::vector<std::string> payloads;
    for (const auto& r : records) payloads.push_back(r.SerializeAsString());
    auto last = node_->append(payloads, clock_.now_ms());
    ASSERT_TRUE(last.ok()) << last.status();
    run_until([&] { return node_->high_watermark() > *last; });
  }

  storage::MemEnv env_;
  storage::ManualClock clock_;
  MetadataPublisher publisher_;
  std::unique_ptr<MetadataStateMachine> sm_;
  std::unique_ptr<raft::RaftNode> node_;
  std::vector<std::shared_ptr<const MetadataImage>> published_;
  int64_t snapshot_bytes_ = 20 << 20;
  storage::SeededRandom random_{11};
};

TEST_F(MetadataStateMachineTest, CommittedBatchesArePublishedWholeWithTheController) {
  open();
  EXPECT_EQ(publisher_.image()->controller_id(), 1);
  EXPECT_EQ(publisher_.image()->cluster_id(), "cluster-1");
  commit(register_broker(*publisher_.image(), {1, {}, ""}, 0).records);
  ControlSettings s;
  s.random = &random_;
  auto topic = create_topics(*publisher_.image(), s, {{"t", 8, 1, {}, {}}}, false);
  ASSERT_EQ(topic.records.size(), 9u);
  const size_t before = published_.size();
  commit(topic.records);
  // One publish for the batch, and it has every partition.
  ASSERT_EQ(published_.size(), before + 1);
  ASSERT_NE(published_.back()->topic("t"), nullptr);
  EXPECT_EQ(published_.back()->topic("t")->partitions.size(), 8u);
  EXPECT_TRUE(sm_->failed().ok());
}

TEST_F(MetadataStateMachineTest, ARecordThatDoesNotApplyIsRefusedAndReported) {
  open();
  metadata::MetadataRecord orphan;  // a partition of a topic that does not exist
  orphan.mutable_partition()->set_topic_id(std::string(16, '\x07'));
  orphan.mutable_partition()->add_replicas(1);
  commit({orphan});
  EXPECT_FALSE(sm_->failed().ok());
  EXPECT_EQ(sm_->bad_records(), 1);
  EXPECT_TRUE(publisher_.image()->topics().empty());
}

TEST_F(MetadataStateMachineTest, SnapshotsRebuildTheImageOnRestart) {
  snapshot_bytes_ = 1;  // snapshot after every commit
  open();
  commit(register_broker(*publisher_.image(), {1, {}, ""}, 0).records);
  ControlSettings s;
  s.random = &random_;
  commit(create_topics(*publisher_.image(), s, {{"kept", 3, 1, {}, {{"retention.ms", "9"}}}}, false)
             .records);
  run_until([&] { return node_->stats().snapshots_taken > 0; });
  const Uuid id = publisher_.image()->topic("kept")->id;
  // A new node process: empty publisher and state machine, same disk.
  publisher_.reset(std::make_shared<const MetadataImage>());
  open();
  EXPECT_EQ(sm_->snapshots_loaded(), 1);
  const TopicImage* t = publisher_.image()->topic("kept");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->id, id);
  EXPECT_EQ(t->partitions.size(), 3u);
  EXPECT_EQ(t->configs.at("retention.ms"), "9");
  EXPECT_NE(publisher_.image()->broker(1), nullptr);
}

}  // namespace
}  // namespace keel::controller
