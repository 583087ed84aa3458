// The active controller over a real RaftNode (in-memory disk): operations are answered once
// their batch is committed and applied, one at a time in order; brokers register fenced and
// are unfenced by heartbeats; a node that does not lead answers NOT_CONTROLLER for what it
// would have accepted, keeping validation errors.
#include "controller/quorum_controller.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/error_code.h"
#include "storage/mem_env.h"
#include "storage/random.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;

class QuorumControllerTest : public ::testing::Test {
 protected:
  void open(std::vector<int32_t> voters, bool wait_for_leadership = true) {
    sm_ = std::make_unique<MetadataStateMachine>(&publisher_, "c1");
    raft::RaftConfig c;
    c.node_id = 1;
    c.voters = std::move(voters);
    c.append_linger_ms = 0;
    auto node = raft::RaftNode::open(&env_, &clock_, "/m", c, sm_.get(), 3, clock_.now_ms());
    ASSERT_TRUE(node.ok()) << node.status();
    raft_ = std::move(*node);
    ControlSettings s;
    s.random = &random_;
    controller_ = std::make_unique<QuorumController>(raft_.get(), sm_.get(), s,
                                                     [this] { return clock_.now_ms(); });
    if (wait_for_leadership) run_until([&] { return controller_->active(); });
  }
  // One owner step: poll the Raft node, then the controller.
  void tick() {
    clock_.advance_ms(std::max<int64_t>(1, raft_->next_deadline_ms() - clock_.now_ms()));
    raft_->poll(clock_.now_ms());
    (void)raft_->take_outbox();
    controller_->step();
  }
  template <typename Pred>
  void run_until(Pred pred) {
    for (int i = 0; i < 1000 && !pred(); ++i) tick();
    ASSERT_TRUE(pred());
  }

  storage::MemEnv env_;
  storage::ManualClock clock_;
  storage::SeededRandom random_{2};
  MetadataPublisher publisher_;
  std::unique_ptr<MetadataStateMachine> sm_;
  std::unique_ptr<raft::RaftNode> raft_;
  std::unique_ptr<QuorumController> controller_;
};

TEST_F(QuorumControllerTest, OperationsAnswerAfterCommitInOrder) {
  open({1});
  std::optional<absl::StatusOr<int64_t>> epoch;
  controller_->register_broker({1, {}, ""}, [&](absl::StatusOr<int64_t> e) { epoch = e; });
  run_until([&] { return epoch.has_value(); });
  ASSERT_TRUE(epoch->ok()) << epoch->status();
  EXPECT_TRUE(publisher_.image()->broker(1)->fenced);
  std::optional<HeartbeatAnswer> beat;
  controller_->heartbeat({1, **epoch, raft_->applied_offset(), false, false},
                         [&](HeartbeatAnswer a) { beat = a; });
  run_until([&] { return beat.has_value(); });
  EXPECT_TRUE(beat->status.ok());
  EXPECT_FALSE(beat->is_fenced);
  EXPECT_FALSE(publisher_.image()->broker(1)->fenced);

  // Two creations queued back to back: the second is planned on the first's result.
  std::vector<std::vector<CreateTopicResult>> answers;
  auto record = [&](std::vector<CreateTopicResult> r) { answers.push_back(std::move(r)); };
  controller_->create_topics({{"t", 3, 1, {}, {}}}, false, record);
  controller_->create_topics({{"t", 3, 1, {}, {}}}, false, record);
  EXPECT_TRUE(answers.empty());  // nothing is answered before its commit
  run_until([&] { return answers.size() == 2; });
  EXPECT_TRUE(answers[0][0].status.ok()) << answers[0][0].status;
  EXPECT_EQ(protocol::to_error_code(answers[1][0].status), ErrorCode::kTopicAlreadyExists);
  // The answer came after the image had the topic.
  ASSERT_NE(publisher_.image()->topic("t"), nullptr);
  EXPECT_EQ(publisher_.image()->topic("t")->partitions.size(), 3u);

  std::optional<std::vector<absl::Status>> deleted;
  controller_->delete_topics({"t"}, [&](std::vector<absl::Status> s) { deleted = s; });
  run_until([&] { return deleted.has_value(); });
  EXPECT_TRUE((*deleted)[0].ok());
  EXPECT_EQ(publisher_.image()->topic("t"), nullptr);
  EXPECT_EQ(controller_->queued(), 0u);
}

TEST_F(QuorumControllerTest, ElectLeadersAndUnregisterBrokerAnswerAfterCommit) {
  open({1});
  std::map<int32_t, int64_t> epochs;
  auto join = [&](int32_t id) {
    std::optional<absl::StatusOr<int64_t>> epoch;
    controller_->register_broker({id, {}, ""}, [&](absl::StatusOr<int64_t> e) { epoch = e; });
    run_until([&] { return epoch.has_value(); });
    ASSERT_TRUE(epoch->ok()) << epoch->status();
    epochs[id] = **epoch;
  };
  auto beat = [&](int32_t id) {
    std::optional<HeartbeatAnswer> a;
    controller_->heartbeat({id, epochs[id], raft_->applied_offset(), false, false},
                           [&](HeartbeatAnswer x) { a = x; });
    run_until([&] { return a.has_value(); });
    ASSERT_FALSE(a->is_fenced);
  };
  join(1);
  join(2);
  beat(1);
  beat(2);
  std::optional<std::vector<CreateTopicResult>> created;
  controller_->create_topics({{"t", 1, 2, {}, {}}}, false,
                             [&](std::vector<CreateTopicResult> r) { created = r; });
  run_until([&] { return created.has_value(); });
  ASSERT_TRUE((*created)[0].status.ok());
  const int32_t preferred = publisher_.image()->topic("t")->partitions.at(0).replicas.front();
  // Its leadership moves away and it comes back: the other replica leads.
  std::optional<absl::Status> fenced;
  controller_->fence_broker(preferred, [&](absl::Status s) { fenced = s; });
  run_until([&] { return fenced.has_value(); });
  beat(preferred);
  ASSERT_NE(publisher_.image()->topic("t")->partitions.at(0).leader, preferred);

  std::optional<std::vector<TopicElections>> elected;
  controller_->elect_leaders(ElectionType::kPreferred,
                             std::vector<ElectionTarget>{{"t", {0}}, {"x", {0}}},
                             [&](std::vector<TopicElections> r) { elected = r; });
  run_until([&] { return elected.has_value(); });
  EXPECT_TRUE((*elected)[0].partitions.at(0).status.ok()) << (*elected)[0].partitions[0].status;
  EXPECT_EQ(protocol::to_error_code((*elected)[1].partitions.at(0).status),
            ErrorCode::kUnknownTopicOrPartition);
  // Answered after the image has the new leader.
  EXPECT_EQ(publisher_.image()->topic("t")->partitions.at(0).leader, preferred);

  std::vector<absl::Status> unregistered;
  controller_->unregister_broker(2, [&](absl::Status s) { unregistered.push_back(s); });
  controller_->unregister_broker(2, [&](absl::Status s) { unregistered.push_back(s); });
  run_until([&] { return unregistered.size() == 2; });
  EXPECT_TRUE(unregistered[0].ok()) << unregistered[0];
  EXPECT_EQ(protocol::to_error_code(unregistered[1]), ErrorCode::kBrokerIdNotRegistered);
  EXPECT_EQ(publisher_.image()->broker(2), nullptr);
}

TEST_F(QuorumControllerTest, ANodeThatDoesNotLeadAnswersNotController) {
  open({1, 2, 3}, /*wait_for_leadership=*/false);  // no network: never elected
  for (int i = 0; i < 20; ++i) tick();
  ASSERT_FALSE(controller_->active());
  // A change it would accept gets NOT_CONTROLLER; one it refuses keeps its own error.
  std::optional<absl::Status> altered;
  controller_->alter_configs({metadata::CONFIG_RESOURCE_BROKER, ""},
                             {{"log.retention.ms", ConfigOp::kSet, "5"}}, false, false,
                             [&](absl::Status s) { altered = s; });
  ASSERT_TRUE(altered.has_value());  // answered at once
  EXPECT_EQ(protocol::to_error_code(*altered), ErrorCode::kNotController);
  std::optional<std::vector<CreateTopicResult>> r;
  controller_->create_topics({{"bad name!", 1, 1, {}, {}}}, false,
                             [&](std::vector<CreateTopicResult> x) { r = x; });
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(protocol::to_error_code((*r)[0].status), ErrorCode::kInvalidTopicException);
  std::optional<HeartbeatAnswer> beat;
  controller_->heartbeat({9, 0, 0, false, false}, [&](HeartbeatAnswer a) { beat = a; });
  ASSERT_TRUE(beat.has_value());
  EXPECT_FALSE(beat->status.ok());
  // Nothing to elect in an empty image: the unknown topic keeps its own error.
  std::optional<std::vector<TopicElections>> elected;
  controller_->elect_leaders(ElectionType::kPreferred, std::vector<ElectionTarget>{{"x", {0}}},
                             [&](std::vector<TopicElections> e) { elected = e; });
  ASSERT_TRUE(elected.has_value());
  EXPECT_EQ(protocol::to_error_code((*elected)[0].partitions.at(0).status),
            ErrorCode::kUnknownTopicOrPartition);
}

}  // namespace
}  // namespace keel::controller
