// The control managers as pure functions (controller/control/): an image and a request in,
// records and an answer out, nothing written. Seeded randomness makes their choices (topic
// ids, placement) repeatable.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "controller/control/broker_control.h"
#include "controller/control/config_control.h"
#include "controller/control/partition_control.h"
#include "controller/control/topic_control.h"
#include "protocol/error_code.h"
#include "storage/random.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;

ErrorCode code(const absl::Status& s) { return protocol::to_error_code(s); }

// An image with brokers 1..n registered and unfenced, built by replaying records.
std::shared_ptr<const MetadataImage> image_with_brokers(int n) {
  MetadataDelta delta(std::make_shared<const MetadataImage>());
  for (int id = 1; id <= n; ++id) {
    auto r = register_broker(MetadataImage(), {id, {}, ""}, id);
    EXPECT_EQ(r.response, id);
    for (const auto& record : r.records) EXPECT_TRUE(delta.replay(record, id).ok());
  }
  return delta.apply();
}

std::shared_ptr<const MetadataImage> applied(const std::shared_ptr<const MetadataImage>& base,
                                             const std::vector<metadata::MetadataRecord>& records) {
  MetadataDelta delta(base);
  int64_t offset = base->offset() + 1;
  for (const auto& record : records) EXPECT_TRUE(delta.replay(record, offset++).ok());
  return delta.apply();
}

TEST(TopicControlTest, CreateEmitsTopicPartitionAndConfigRecordsAndRepeatsWithTheSeed) {
  auto image = image_with_brokers(3);
  storage::SeededRandom r1(9), r2(9);
  ControlSettings s1, s2;
  s1.random = &r1;
  s2.random = &r2;
  NewTopic t{"orders", 6, 3, {}, {{"retention.ms", "1000"}}};
  auto a = create_topics(*image, s1, {t}, false);
  auto b = create_topics(*image, s2, {t}, false);
  ASSERT_TRUE(a.response[0].status.ok()) << a.response[0].status;
  EXPECT_EQ(a.records.size(), 1u + 6u + 1u);  // topic, partitions, config
  EXPECT_EQ(a.response[0].topic_id, b.response[0].topic_id);
  EXPECT_EQ(a.records.size(), b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].SerializeAsString(), b.records[i].SerializeAsString());
  }
  // Applied, the image has the topic with leaders spread 2/2/2.
  auto next = applied(image, a.records);
  const TopicImage* topic = next->topic("orders");
  ASSERT_NE(topic, nullptr);
  std::map<int32_t, int> leaders;
  for (const auto& [id, p] : topic->partitions) ++leaders[p.leader];
  EXPECT_EQ(leaders, (std::map<int32_t, int>{{1, 2}, {2, 2}, {3, 2}}));
  // The image is unchanged by planning: the same request again still succeeds on it.
  EXPECT_TRUE(create_topics(*image, s1, {t}, false).response[0].status.ok());
  // But not on the next image.
  EXPECT_EQ(code(create_topics(*next, s1, {t}, false).response[0].status),
            ErrorCode::kTopicAlreadyExists);
}

TEST(TopicControlTest, ValidateOnlyAndFailuresEmitNoRecords) {
  auto image = image_with_brokers(1);
  ControlSettings s;
  auto v = create_topics(*image, s, {{"a", 1, 1, {}, {}}}, true);
  EXPECT_TRUE(v.response[0].status.ok());
  EXPECT_TRUE(v.records.empty());
  auto bad = create_topics(*image, s, {{"b", 1, 3, {}, {}}, {"c", 2, 1, {}, {}}}, false);
  EXPECT_EQ(code(bad.response[0].status), ErrorCode::kInvalidReplicationFactor);
  EXPECT_TRUE(bad.response[1].status.ok());
  EXPECT_EQ(bad.records.size(), 3u);  // only c: topic + 2 partitions
  auto dup = create_topics(*image, s, {{"d", 1, 1, {}, {}}, {"d", 1, 1, {}, {}}}, false);
  EXPECT_EQ(code(dup.response[0].status), ErrorCode::kInvalidRequest);
  EXPECT_TRUE(dup.records.empty());
}

TEST(TopicControlTest, DeleteByNameAndIdEmitOneRemovalPerFoundTopic) {
  auto image = image_with_brokers(1);
  ControlSettings s;
  auto created = create_topics(*image, s, {{"x", 1, 1, {}, {}}, {"y", 1, 1, {}, {}}}, false);
  auto next = applied(image, created.records);
  auto byname = delete_topics(*next, {"x", "nope"});
  EXPECT_TRUE(byname.response[0].ok());
  EXPECT_EQ(code(byname.response[1]), ErrorCode::kUnknownTopicOrPartition);
  ASSERT_EQ(byname.records.size(), 1u);
  EXPECT_TRUE(byname.records[0].has_remove_topic());
  auto byid = delete_topics_by_id(*next, {created.response[1].topic_id, Uuid{}});
  EXPECT_TRUE(byid.response[0].ok());
  EXPECT_EQ(code(byid.response[1]), ErrorCode::kUnknownTopicId);
  EXPECT_EQ(byid.records.size(), 1u);
  EXPECT_EQ(applied(next, byname.records)->topic("x"), nullptr);
}

TEST(PartitionControlTest, AddsPartitionsContinuingTheRoundRobin) {
  auto image = image_with_brokers(3);
  ControlSettings s;
  auto created = create_topics(*image, s, {{"t", 1, 2, {}, {}}}, false);
  auto next = applied(image, created.records);
  auto more = create_partitions(*next, {{"t", 4, {}}}, false);
  ASSERT_TRUE(more.response[0].ok()) << more.response[0];
  EXPECT_EQ(more.records.size(), 3u);
  EXPECT_EQ(applied(next, more.records)->topic("t")->partitions.size(), 4u);
  EXPECT_EQ(code(create_partitions(*next, {{"t", 1, {}}}, false).response[0]),
            ErrorCode::kInvalidPartitions);
  EXPECT_TRUE(create_partitions(*next, {{"t", 4, {}}}, true).records.empty());
}

TEST(ConfigControlTest, AlterEmitsTheDiffAndIsAllOrNothing) {
  auto image = image_with_brokers(1);
  ControlSettings s;
  s.topic_config_default = [](const std::string& name) -> std::optional<std::string> {
    if (name == "cleanup.policy") return "delete";
    return std::nullopt;
  };
  auto created = create_topics(*image, s, {{"c", 1, 1, {}, {{"retention.ms", "5"}}}}, false);
  auto next = applied(image, created.records);
  ConfigResource topic{metadata::CONFIG_RESOURCE_TOPIC, "c"};
  auto r = alter_configs(*next, s, topic,
                         {{"retention.ms", ConfigOp::kDelete, std::nullopt},
                          {"cleanup.policy", ConfigOp::kAppend, "compact"}},
                         false, false);
  ASSERT_TRUE(r.response.ok()) << r.response;
  EXPECT_EQ(r.records.size(), 2u);
  auto after = applied(next, r.records);
  EXPECT_EQ(after->topic("c")->configs,
            (std::map<std::string, std::string>{{"cleanup.policy", "delete,compact"}}));
  // One bad change fails the whole request with no records.
  auto bad = alter_configs(
      *next, s, topic, {{"segment.ms", ConfigOp::kSet, "1"}, {"segment.ms", ConfigOp::kSet, "2"}},
      false, false);
  EXPECT_EQ(code(bad.response), ErrorCode::kInvalidRequest);
  EXPECT_TRUE(bad.records.empty());
  EXPECT_EQ(
      code(alter_configs(*next, s, {metadata::CONFIG_RESOURCE_TOPIC, "nope"}, {}, false, false)
               .response),
      ErrorCode::kUnknownTopicOrPartition);
}

}  // namespace
}  // namespace keel::controller
