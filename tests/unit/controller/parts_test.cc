// The controller's small parts: topic name rules, replica placement, and metadata batches
// written to and read back from a storage::Log.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "controller/metadata_image.h"
#include "controller/metadata_log.h"
#include "controller/replica_placement.h"
#include "controller/topic_name.h"
#include "protocol/error_code.h"
#include "tests/unit/storage/storage_test_util.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;

TEST(TopicNameTest, Rules) {
  EXPECT_TRUE(validate_topic_name("a").ok());
  EXPECT_TRUE(validate_topic_name("Orders_2024.v1-x").ok());
  EXPECT_TRUE(validate_topic_name(std::string(249, 'a')).ok());
  EXPECT_TRUE(validate_topic_name("...").ok());
  for (const std::string bad : {"", ".", "..", "a b", "a\nb", "a:b", "a\\b", "a*"}) {
    EXPECT_EQ(protocol::to_error_code(validate_topic_name(bad)), ErrorCode::kInvalidTopicException)
        << bad;
  }
  EXPECT_FALSE(validate_topic_name(std::string(250, 'a')).ok());
  EXPECT_EQ(unify_collision_chars("a.b_c.d"), "a_b_c_d");
  EXPECT_TRUE(has_collision_chars("a.b"));
  EXPECT_TRUE(has_collision_chars("a_b"));
  EXPECT_FALSE(has_collision_chars("a-b"));
}

// An image with brokers id -> rack ("" = none), all unfenced.
std::shared_ptr<const MetadataImage> image_with_racks(const std::map<int32_t, std::string>& racks) {
  MetadataDelta delta(std::make_shared<const MetadataImage>());
  int64_t offset = 0;
  for (const auto& [id, rack] : racks) {
    metadata::MetadataRecord r;
    auto* b = r.mutable_broker_registration();
    b->set_node_id(id);
    b->set_broker_epoch(offset);
    b->set_rack(rack);
    EXPECT_TRUE(delta.replay(r, offset++).ok());
  }
  return delta.apply();
}

TEST(ReplicaPlacementTest, RacksInterleaveSoReplicasSpreadOverThem) {
  // Racks a: 1, 2; b: 3, 4; c: 5 -> one of each rack in turn.
  auto image = image_with_racks({{1, "a"}, {2, "a"}, {3, "b"}, {4, "b"}, {5, "c"}});
  const std::vector<int32_t> order = usable_brokers(*image);
  EXPECT_EQ(order, (std::vector<int32_t>{1, 3, 5, 2, 4}));
  std::map<int32_t, std::string> rack_of = {{1, "a"}, {2, "a"}, {3, "b"}, {4, "b"}, {5, "c"}};
  for (const auto& replicas : place_replicas(order, 10, 3, 0)) {
    std::set<std::string> racks;
    for (int32_t r : replicas) racks.insert(rack_of[r]);
    // Three replicas over three racks, except where the list wraps (…2, 4 | 1…): two racks.
    EXPECT_GE(racks.size(), 2u);
  }
  // Without racks: ascending ids, as before.
  EXPECT_EQ(usable_brokers(*image_with_racks({{3, ""}, {1, ""}, {2, ""}})),
            (std::vector<int32_t>{1, 2, 3}));
}

TEST(ReplicaPlacementTest, RoundRobinSpreadsLeadersAndReplicas) {
  const std::vector<int32_t> brokers = {1, 2, 3};
  auto placement = place_replicas(brokers, 6, 2, 1);
  ASSERT_EQ(placement.size(), 6u);
  std::map<int32_t, int> leaders;
  std::map<int32_t, int> replicas;
  for (const auto& p : placement) {
    ASSERT_EQ(p.size(), 2u);
    EXPECT_NE(p[0], p[1]);
    ++leaders[p[0]];
    for (int32_t r : p) ++replicas[r];
  }
  EXPECT_EQ(placement[0][0], 2);  // start 1 = the second broker
  EXPECT_EQ(placement[1][0], 3);
  EXPECT_EQ(placement[2][0], 1);
  for (int32_t b : brokers) {
    EXPECT_EQ(leaders[b], 2) << b;
    EXPECT_EQ(replicas[b], 4) << b;
  }
  // Full replication: every broker in every partition.
  for (const auto& p : place_replicas(brokers, 4, 3, 7)) {
    EXPECT_EQ(std::set<int32_t>(p.begin(), p.end()).size(), 3u);
  }
  EXPECT_TRUE(place_replicas(brokers, 2, 4, 0).empty());  // impossible: nothing
  EXPECT_TRUE(place_replicas({}, 2, 1, 0).empty());
}

TEST(MetadataLogTest, BatchesRoundTripThroughTheLog) {
  storage::testing::TempDir dir("keel_metadata_log");
  storage::ManualClock clock;
  auto log =
      storage::Log::open(storage::Env::posix(), &clock, dir.file(std::string(kMetadataLogDirName)),
                         metadata_log_config(), {});
  ASSERT_TRUE(log.ok()) << log.status();
  // Three batches of 1, 2 and 3 config records.
  int value = 0;
  for (int batch_size = 1; batch_size <= 3; ++batch_size) {
    std::vector<metadata::MetadataRecord> records;
    for (int i = 0; i < batch_size; ++i) {
      metadata::MetadataRecord r;
      r.mutable_config()->set_resource_type(metadata::CONFIG_RESOURCE_BROKER);
      r.mutable_config()->set_name("k");
      r.mutable_config()->set_value(std::to_string(value++));
      records.push_back(r);
    }
    auto batch = encode_metadata_batch(records, clock.now_ms());
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_TRUE((*log)->append(protocol::RecordsView(batch->data(), batch->size()), 0).ok());
  }
  ASSERT_EQ((*log)->log_end_offset(), 6);

  auto read = [&](int64_t from, int64_t to) {
    std::vector<std::pair<int64_t, std::string>> seen;
    absl::Status s =
        read_metadata_log(**log, from, to, [&seen](const metadata::MetadataRecord& r, int64_t o) {
          seen.emplace_back(o, r.config().value());
          return absl::OkStatus();
        });
    EXPECT_TRUE(s.ok()) << s;
    return seen;
  };
  auto all = read(0, 6);
  ASSERT_EQ(all.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(all[i].first, i);
    EXPECT_EQ(all[i].second, std::to_string(i));
  }
  // From the middle of a batch; the bound excludes batches that end at or past it.
  auto middle = read(2, 6);
  ASSERT_EQ(middle.size(), 4u);
  EXPECT_EQ(middle.front().first, 2);

  // The visitor's error stops the read and names the offset.
  absl::Status s = read_metadata_log(**log, 0, 6, [](const metadata::MetadataRecord&, int64_t o) {
    return o == 4 ? absl::InvalidArgumentError("nope") : absl::OkStatus();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("offset 4"), std::string::npos) << s;
  ASSERT_TRUE((*log)->close().ok());
}

}  // namespace
}  // namespace keel::controller
