// File: tests/unit/broker/group_shard_test.cc
// The group state machine (broker/group/group_shard.h) with a manual clock: no sleeps, no
// timing thresholds; time moves only when a test advances it.
#include "broker/group/group_shard.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/group/group_coordinator.h"
#include "broker/group/group_records.h"
#include "broker/net/asio.h"
#include "protocol/error_code.h"

namespace keel::broker::group {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using protocol::ErrorCode;

int16_t E(ErrorCode c) { return static_cast<int16_t>(c); }

Bytes bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

template <typename T>
using Slot = std::shared_ptr<std::optional<T>>;

class GroupShardTest : public ::testing::Test {
 protected:
  void make(GroupConfig cfg = config()) {
    GroupShard::Options o;
    o.executor = io_.get_executor();
    o.config = cfg;
    o.clock = &clock_;
    o.random = &random_;
    o.append = [this](const GroupShard::Records& r) {
      log_.insert(log_.end(), r.begin(), r.end());
      return absl::OkStatus();
    };
    shard_ = std::make_unique<GroupShard>(std::move(o));
    shard_->finish_load();
  }

  static GroupConfig config() {
    GroupConfig c;
    c.min_session_timeout_ms = 1000;
    c.max_session_timeout_ms = 60000;
    c.initial_rebalance_delay_ms = 0;
    c.offsets_retention_ms = 60000;
    c.retention_check_interval_ms = 0;
    return c;
  }

  static JoinRequest join_req(const std::string& member, std::optional<std::string> instance = {},
                              const std::string& proto = "range", bool v4 = true) {
    JoinRequest r;
    r.group_id = "g";
    r.member_id = member;
    r.instance_id = std::move(instance);
    r.client_id = "c";
    r.session_timeout_ms = 10000;
    r.rebalance_timeout_ms = 20000;
    r.protocol_type = "consumer";
    r.protocols.push_back({proto, bytes("meta-" + proto)});
    r.require_known_member_id = v4;
    return r;
  }

  void run() {
    io_.restart();
    io_.poll();
  }

  Slot<JoinResult> join(JoinRequest r) {
    auto out = std::make_shared<std::optional<JoinResult>>();
    asio::co_spawn(io_, do_join(shard_.get(), std::move(r), out), asio::detached);
    run();
    return out;
  }

  Slot<SyncResult> sync(const std::string& member, int32_t gen,
                        std::vector<std::pair<std::string, Bytes>> assignments = {}) {
    SyncRequest r;
    r.group_id = "g";
    r.member_id = member;
    r.generation = gen;
    r.assignments = std::move(assignments);
    auto out = std::make_shared<std::optional<SyncResult>>();
    asio::co_spawn(io_, do_sync(shard_.get(), std::move(r), out), asio::detached);
    run();
    return out;
  }

  void advance(std::chrono::milliseconds d) {
    clock_.advance_ms(d.count());
    shard_->tick();
    run();
  }

  // A dynamic member joined through MEMBER_ID_REQUIRED; returns its id.
  std::string first_join() {
    auto r = join(join_req(""));
    EXPECT_TRUE(r->has_value());
    EXPECT_EQ((*r)->error, E(ErrorCode::kMemberIdRequired));
    return (*r)->member_id;
  }

  static asio::awaitable<void> do_join(GroupShard* s, JoinRequest r, Slot<JoinResult> out) {
    auto op = s->join(std::move(r));
    *out = co_await std::move(op);
  }
  static asio::awaitable<void> do_sync(GroupShard* s, SyncRequest r, Slot<SyncResult> out) {
    auto op = s->sync(std::move(r));
    *out = co_await std::move(op);
  }

  asio::io_context io_;
  storage::ManualClock clock_;
  storage::SeededRandom random_{42};
  GroupShard::Records log_;
  std::unique_ptr<GroupShard> shard_;
};

TEST_F(GroupShardTest, MemberIdRequiredThenJoinAndSync) {
  make();
  const std::string id = first_join();
  EXPECT_FALSE(id.empty());
  auto j = join(join_req(id));
  ASSERT_TRUE(j->has_value());
  EXPECT_EQ((*j)->error, 0);
  EXPECT_EQ((*j)->generation, 1);
  EXPECT_EQ((*j)->leader, id);
  EXPECT_EQ((*j)->protocol_name, "range");
  ASSERT_EQ((*j)->members.size(), 1u);
  EXPECT_EQ((*j)->members[0].metadata, bytes("meta-range"));
  EXPECT_EQ(shard_->state("g"), GroupState::kCompletingRebalance);
  auto s = sync(id, 1, {{id, bytes("assign")}});
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->error, 0);
  EXPECT_EQ((*s)->assignment, bytes("assign"));
  EXPECT_EQ(shard_->state("g"), GroupState::kStable);
  EXPECT_EQ(shard_->heartbeat("g", 1, id, std::nullopt), 0);
  EXPECT_EQ(shard_->heartbeat("g", 0, id, std::nullopt), E(ErrorCode::kIllegalGeneration));
  EXPECT_EQ(shard_->heartbeat("g", 1, "nobody", std::nullopt), E(ErrorCode::kUnknownMemberId));
}

TEST_F(GroupShardTest, InitialRebalanceDelayWaits) {
  GroupConfig c = config();
  c.initial_rebalance_delay_ms = 3000;
  make(c);
  auto j = join(join_req("", std::nullopt, "range", /*v4=*/false));
  EXPECT_FALSE(j->has_value());
  advance(1000ms);
  EXPECT_FALSE(j->has_value());
  advance(2500ms);
  ASSERT_TRUE(j->has_value());
  EXPECT_EQ((*j)->error, 0);
  EXPECT_EQ((*j)->generation, 1);
}

TEST_F(GroupShardTest, ResignAnswersWaitersAndLaterRequestsWithNotCoordinator) {
  GroupConfig c = config();
  c.initial_rebalance_delay_ms = 3000;
  make(c);
  auto j = join(join_req("", std::nullopt, "range", /*v4=*/false));
  ASSERT_FALSE(j->has_value());  // waiting out the initial delay
  shard_->resign();
  run();
  ASSERT_TRUE(j->has_value());
  EXPECT_EQ((*j)->error, E(ErrorCode::kNotCoordinator));
  EXPECT_TRUE(shard_->resigned());
  EXPECT_EQ(shard_->heartbeat("g", 1, (*j)->member_id, std::nullopt),
            E(ErrorCode::kNotCoordinator));
  EXPECT_EQ(shard_->fetch_offsets("g", std::nullopt).first, E(ErrorCode::kNotCoordinator));
  // A load finishing late does not bring a resigned shard back.
  shard_->finish_load();
  EXPECT_FALSE(shard_->loaded());
  auto again = join(join_req("", std::nullopt, "range", /*v4=*/false));
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->error, E(ErrorCode::kNotCoordinator));
}

TEST_F(GroupShardTest, SecondMemberRebalancesAndFollowerWaitsForLeader) {
  make();
  const std::string a = first_join();
  auto ja = join(join_req(a));
  ASSERT_TRUE(ja->has_value());
  ASSERT_TRUE(sync(a, 1, {{a, bytes("all")}})->has_value());

  const std::string b = first_join();
  auto jb = join(join_req(b));
  EXPECT_FALSE(jb->has_value());  // waits for a to rejoin
  EXPECT_EQ(shard_->state("g"), GroupState::kPreparingRebalance);
  EXPECT_EQ(shard_->heartbeat("g", 1, a, std::nullopt), E(ErrorCode::kRebalanceInProgress));
  auto ja2 = join(join_req(a));
  ASSERT_TRUE(ja2->has_value());
  ASSERT_TRUE(jb->has_value());
  EXPECT_EQ((*ja2)->generation, 2);
  EXPECT_EQ((*jb)->generation, 2);
  EXPECT_EQ((*ja2)->leader, a);  // the leader stays
  EXPECT_EQ((*ja2)->members.size(), 2u);
  EXPECT_TRUE((*jb)->members.empty());

  auto sb = sync(b, 2);
  EXPECT_FALSE(sb->has_value());  // follower waits for the leader's assignments
  auto sa = sync(a, 2, {{a, bytes("p0")}, {b, bytes("p1")}});
  ASSERT_TRUE(sa->has_value());
  ASSERT_TRUE(sb->has_value());
  EXPECT_EQ((*sa)->assignment, bytes("p0"));
  EXPECT_EQ((*sb)->assignment, bytes("p1"));
  // Offsets from a member of the current generation; stale generation refused.
  CommitRequest cr;
  cr.group_id = "g";
  cr.generation = 2;
  cr.member_id = b;
  cr.offsets.push_back({"t", 0, OffsetValue{42, -1, std::string("md"), -1}});
  EXPECT_EQ(shard_->commit(cr), std::vector<int16_t>{0});
  cr.generation = 1;
  EXPECT_EQ(shard_->commit(cr), std::vector<int16_t>{E(ErrorCode::kIllegalGeneration)});
  auto [err, offs] = shard_->fetch_offsets("g", TopicPartitions{{"t", {0, 1}}});
  EXPECT_EQ(err, 0);
  ASSERT_EQ(offs.size(), 2u);
  EXPECT_EQ(offs[0].offset, 42);
  EXPECT_EQ(offs[0].metadata, "md");
  EXPECT_EQ(offs[1].offset, -1);
}

TEST_F(GroupShardTest, SessionTimeoutRemovesMemberAndRebalances) {
  make();
  const std::string a = first_join();
  ASSERT_TRUE(join(join_req(a))->has_value());
  const std::string b = first_join();
  auto jb = join(join_req(b));
  auto ja = join(join_req(a));
  ASSERT_TRUE(jb->has_value());
  ASSERT_TRUE(sync(a, 2, {{a, bytes("x")}, {b, bytes("y")}})->has_value());
  ASSERT_TRUE(sync(b, 2)->has_value());
  // b keeps heartbeating, a goes silent.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(shard_->heartbeat("g", 2, b, std::nullopt), 0);
    advance(1000ms);
  }
  EXPECT_EQ(shard_->state("g"), GroupState::kPreparingRebalance);
  EXPECT_EQ(shard_->heartbeat("g", 2, b, std::nullopt), E(ErrorCode::kRebalanceInProgress));
  auto jb2 = join(join_req(b));
  ASSERT_TRUE(jb2->has_value());
  EXPECT_EQ((*jb2)->generation, 3);
  EXPECT_EQ((*jb2)->leader, b);
  EXPECT_EQ((*jb2)->members.size(), 1u);
}

TEST_F(GroupShardTest, LeaveOfLastMemberEmptiesGroup) {
  make();
  const std::string a = first_join();
  ASSERT_TRUE(join(join_req(a))->has_value());
  ASSERT_TRUE(sync(a, 1, {{a, bytes("x")}})->has_value());
  EXPECT_EQ(shard_->leave("g", {{a, std::nullopt}}), std::vector<int16_t>{0});
  EXPECT_EQ(shard_->state("g"), GroupState::kEmpty);
  EXPECT_EQ(shard_->generation("g"), 2);
  EXPECT_EQ(shard_->leave("g", {{a, std::nullopt}}),
            std::vector<int16_t>{E(ErrorCode::kUnknownMemberId)});
}

TEST_F(GroupShardTest, StaticMemberRejoinsWithoutRebalance) {
  make();
  auto j = join(join_req("", std::string("inst-1")));
  ASSERT_TRUE(j->has_value());
  EXPECT_EQ((*j)->error, 0);  // static members skip MEMBER_ID_REQUIRED
  const std::string old_id = (*j)->member_id;
  ASSERT_TRUE(sync(old_id, 1, {{old_id, bytes("mine")}})->has_value());
  // Restart: a new join with no member id but the same instance id.
  auto j2 = join(join_req("", std::string("inst-1")));
  ASSERT_TRUE(j2->has_value());
  EXPECT_EQ((*j2)->error, 0);
  EXPECT_EQ((*j2)->generation, 1);  // no rebalance
  EXPECT_NE((*j2)->member_id, old_id);
  EXPECT_EQ(shard_->state("g"), GroupState::kStable);
  auto s = sync((*j2)->member_id, 1);
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->assignment, bytes("mine"));
  // The old incarnation is fenced.
  EXPECT_EQ(shard_->heartbeat("g", 1, old_id, std::string("inst-1")),
            E(ErrorCode::kFencedInstanceId));
}

TEST_F(GroupShardTest, JoinErrors) {
  GroupConfig c = config();
  c.max_size = 1;
  make(c);
  JoinRequest bad = join_req("");
  bad.session_timeout_ms = 10;
  EXPECT_EQ((*join(bad))->error, E(ErrorCode::kInvalidSessionTimeout));
  EXPECT_EQ((*join(join_req("ghost")))->error, E(ErrorCode::kUnknownMemberId));
  const std::string a = first_join();
  ASSERT_TRUE(join(join_req(a))->has_value());
  EXPECT_EQ((*join(join_req("", std::nullopt, "roundrobin")))->error,
            E(ErrorCode::kInconsistentGroupProtocol));
  EXPECT_EQ((*join(join_req("")))->error, E(ErrorCode::kGroupMaxSizeReached));
  EXPECT_EQ(shard_->delete_group("g"), E(ErrorCode::kNonEmptyGroup));
  EXPECT_EQ(shard_->delete_group("nope"), E(ErrorCode::kGroupIdNotFound));
}

TEST_F(GroupShardTest, OffsetsReplayAndTombstones) {
  make();
  CommitRequest cr;
  cr.group_id = "g";
  cr.offsets.push_back({"t", 0, OffsetValue{5, 3, std::nullopt, -1}});
  cr.offsets.push_back({"t", 1, OffsetValue{7, -1, std::string("x"), -1}});
  EXPECT_EQ(shard_->commit(cr), (std::vector<int16_t>{0, 0}));
  auto [e1, d1] = shard_->delete_offsets("g", TopicPartitions{{"t", {1}}});
  EXPECT_EQ(e1, 0);
  EXPECT_EQ(d1, std::vector<int16_t>{0});

  // A new shard reading the same records back.
  GroupShard::Records records = log_;
  make();
  for (const auto& [k, v] : records) {
    auto key = decode_key(k);
    ASSERT_TRUE(key.ok());
    std::optional<std::span<const uint8_t>> value;
    if (v) value = std::span<const uint8_t>(*v);
    shard_->replay(*key, value);
  }
  shard_->finish_load();
  auto [err, offs] = shard_->fetch_offsets("g", std::nullopt);
  ASSERT_EQ(offs.size(), 1u);
  EXPECT_EQ(offs[0].offset, 5);
  EXPECT_EQ(offs[0].leader_epoch, 3);
  EXPECT_EQ(shard_->list().size(), 1u);
  EXPECT_EQ(shard_->delete_group("g"), 0);
  EXPECT_TRUE(shard_->list().empty());
}

TEST_F(GroupShardTest, RetentionExpiresOffsetsOfEmptyGroups) {
  make();
  CommitRequest cr;
  cr.group_id = "g";
  cr.offsets.push_back({"t", 0, OffsetValue{5, -1, std::nullopt, -1}});
  ASSERT_EQ(shard_->commit(cr), std::vector<int16_t>{0});
  advance(30000ms);
  EXPECT_EQ(shard_->fetch_offsets("g", std::nullopt).second.size(), 1u);
  advance(31000ms);
  EXPECT_TRUE(shard_->fetch_offsets("g", std::nullopt).second.empty());
  EXPECT_TRUE(shard_->list().empty());
}

TEST_F(GroupShardTest, LoadedMembersAreStableAndExpire) {
  GroupValue gv;
  gv.protocol_type = "consumer";
  gv.generation = 4;
  gv.protocol = "range";
  gv.leader = "m1";
  gv.members.push_back({"m1", std::nullopt, "c", "h", 5000, 5000, bytes("s"), bytes("a")});
  GroupShard::Options opts;
  opts.executor = io_.get_executor();
  opts.config = config();
  opts.clock = &clock_;
  shard_ = std::make_unique<GroupShard>(std::move(opts));
  auto v = encode_group_value(gv);
  shard_->replay(GroupKey{"g"}, std::span<const uint8_t>(v));
  shard_->finish_load();
  EXPECT_EQ(shard_->state("g"), GroupState::kStable);
  auto s = sync("m1", 4);
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->assignment, bytes("a"));
  advance(6000ms);
  EXPECT_EQ(shard_->state("g"), GroupState::kEmpty);
}

TEST_F(GroupShardTest, LoadInProgressUntilLoaded) {
  GroupShard::Options opts;
  opts.executor = io_.get_executor();
  opts.config = config();
  opts.clock = &clock_;
  shard_ = std::make_unique<GroupShard>(std::move(opts));
  const int16_t loading = E(ErrorCode::kCoordinatorLoadInProgress);
  EXPECT_EQ((*join(join_req("")))->error, loading);
  EXPECT_EQ(shard_->heartbeat("g", 1, "m", std::nullopt), loading);
  EXPECT_EQ(shard_->fetch_offsets("g", std::nullopt).first, loading);
  EXPECT_EQ(shard_->delete_group("g"), loading);
  shard_->finish_load();
  EXPECT_EQ((*join(join_req("")))->error, E(ErrorCode::kMemberIdRequired));
}

TEST_F(GroupShardTest, ShutdownAnswersWaitingMembers) {
  GroupConfig c = config();
  c.initial_rebalance_delay_ms = 3000;
  make(c);
  auto j = join(join_req("", std::nullopt, "range", /*v4=*/false));
  EXPECT_FALSE(j->has_value());
  shard_->shutdown();
  run();
  ASSERT_TRUE(j->has_value());
  EXPECT_EQ((*j)->error, E(ErrorCode::kNotCoordinator));
}

TEST(GroupRecordsTest, RoundTripAndPartitioning) {
  GroupValue gv;
  gv.protocol_type = "consumer";
  gv.generation = 2;
  gv.members.push_back({"m", std::string("i"), "c", "h", 1, 2, {1, 2}, {3}});
  auto decoded = decode_group_value(encode_group_value(gv));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, gv);
  OffsetValue ov{9, 1, std::nullopt, 77};
  EXPECT_EQ(*decode_offset_value(encode_offset_value(ov)), ov);
  auto k = decode_key(encode_key(OffsetKey{"g", "t", 3}));
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(std::get<OffsetKey>(*k), (OffsetKey{"g", "t", 3}));
  EXPECT_FALSE(decode_key(Bytes{0, 9}).ok());
  // Java: "my-group".hashCode() == -1906497762, & 0x7fffffff == 240985886; "" hashes to 0.
  EXPECT_EQ(partition_for_group("my-group", 50), 240985886 % 50);
  EXPECT_EQ(partition_for_group("", 50), 0);
}

}  // namespace
}  // namespace keel::broker::group
