// MetadataImage / MetadataDelta: replaying records, what a delta reports as changed, sharing of
// unchanged topics between images, and records that do not apply.
#include "controller/metadata_image.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace keel::controller {
namespace {

Uuid make_id(uint8_t seed) {
  Uuid id;
  for (size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<uint8_t>(seed + i);
  return id;
}

metadata::MetadataRecord topic(const std::string& name, const Uuid& id) {
  metadata::MetadataRecord r;
  r.mutable_topic()->set_name(name);
  r.mutable_topic()->set_topic_id(uuid_to_bytes(id));
  return r;
}

metadata::MetadataRecord partition(const Uuid& id, int32_t p, std::vector<int32_t> replicas,
                                   std::vector<int32_t> isr, int32_t leader) {
  metadata::MetadataRecord r;
  auto* rec = r.mutable_partition();
  rec->set_topic_id(uuid_to_bytes(id));
  rec->set_partition_id(p);
  for (int32_t x : replicas) rec->add_replicas(x);
  for (int32_t x : isr) rec->add_isr(x);
  rec->set_leader(leader);
  return r;
}

metadata::MetadataRecord config(
    const std::string& topic_name, const std::string& name, std::optional<std::string> value,
    metadata::ConfigResourceType type = metadata::CONFIG_RESOURCE_TOPIC) {
  metadata::MetadataRecord r;
  auto* c = r.mutable_config();
  c->set_resource_type(type);
  c->set_resource_name(topic_name);
  c->set_name(name);
  if (value) c->set_value(*value);
  return r;
}

metadata::MetadataRecord remove(const Uuid& id) {
  metadata::MetadataRecord r;
  r.mutable_remove_topic()->set_topic_id(uuid_to_bytes(id));
  return r;
}

metadata::MetadataRecord broker(int32_t node, int64_t epoch, bool fenced = false) {
  metadata::MetadataRecord r;
  auto* b = r.mutable_broker_registration();
  b->set_node_id(node);
  b->set_broker_epoch(epoch);
  b->set_fenced(fenced);
  auto* e = b->add_endpoints();
  e->set_listener_name("PLAINTEXT");
  e->set_host("127.0.0.1");
  e->set_port(9092 + node);
  return r;
}

// Replays `records` at offsets next, next+1, ... and fails the test on an error.
void replay_all(MetadataDelta& delta, const std::vector<metadata::MetadataRecord>& records,
                int64_t* next) {
  for (const auto& r : records) {
    absl::Status s = delta.replay(r, (*next)++);
    ASSERT_TRUE(s.ok()) << s;
  }
}

TEST(MetadataImageTest, EmptyImage) {
  MetadataImage image;
  EXPECT_EQ(image.offset(), -1);
  EXPECT_EQ(image.controller_id(), -1);
  EXPECT_TRUE(image.topics().empty());
  EXPECT_EQ(image.topic("x"), nullptr);
  EXPECT_EQ(image.topic(make_id(1)), nullptr);
  EXPECT_EQ(image.partition("x", 0), nullptr);
  EXPECT_EQ(image.broker(0), nullptr);
}

TEST(MetadataImageTest, ReplaysTopicPartitionsConfigsAndBrokers) {
  MetadataDelta delta(std::make_shared<const MetadataImage>());
  int64_t next = 0;
  const Uuid id = make_id(1);
  replay_all(
      delta,
      {broker(1, 0), broker(2, 1), topic("orders", id), partition(id, 0, {1, 2}, {1, 2}, 1),
       partition(id, 1, {2, 1}, {2}, 2), config("orders", "retention.ms", "1000"),
       config("orders", "cleanup.policy", "compact"), config("orders", "retention.ms", "2000"),
       config("", "log.retention.ms", "5", metadata::CONFIG_RESOURCE_BROKER)},
      &next);
  delta.set_cluster_id("abc");
  delta.set_controller_id(1);
  auto image = delta.apply();
  EXPECT_EQ(image->offset(), 8);
  EXPECT_EQ(image->cluster_id(), "abc");
  EXPECT_EQ(image->controller_id(), 1);

  const TopicImage* t = image->topic("orders");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(image->topic(id), t);
  EXPECT_EQ(t->id, id);
  ASSERT_EQ(t->partitions.size(), 2u);
  const PartitionImage* p1 = image->partition("orders", 1);
  ASSERT_NE(p1, nullptr);
  EXPECT_EQ(p1->replicas, (std::vector<int32_t>{2, 1}));
  EXPECT_EQ(p1->isr, (std::vector<int32_t>{2}));
  EXPECT_EQ(p1->leader, 2);
  EXPECT_EQ(p1->leader_epoch, 0);
  EXPECT_EQ(image->partition("orders", 2), nullptr);
  EXPECT_EQ(t->configs, (std::map<std::string, std::string>{{"cleanup.policy", "compact"},
                                                            {"retention.ms", "2000"}}));

  ASSERT_EQ(image->brokers().size(), 2u);
  const BrokerImage* b2 = image->broker(2);
  ASSERT_NE(b2, nullptr);
  EXPECT_EQ(b2->broker_epoch, 1);
  ASSERT_EQ(b2->endpoints.size(), 1u);
  EXPECT_EQ(b2->endpoints[0].port(), 9094);
  EXPECT_EQ(image->broker_configs().at("").at("log.retention.ms"), "5");

  ASSERT_EQ(delta.changed_topics().size(), 1u);
  EXPECT_EQ(delta.changed_topics().at("orders").get(), t);
  EXPECT_TRUE(delta.removed_topics().empty());
}

TEST(MetadataImageTest, UnchangedTopicsAreSharedBetweenImages) {
  MetadataDelta first(nullptr);  // null base = the empty image
  int64_t next = 0;
  const Uuid a = make_id(1);
  const Uuid b = make_id(2);
  replay_all(
      first,
      {topic("a", a), partition(a, 0, {1}, {1}, 1), topic("b", b), partition(b, 0, {1}, {1}, 1)},
      &next);
  auto image1 = first.apply();

  MetadataDelta second(image1);
  replay_all(second, {config("a", "retention.ms", "1")}, &next);
  auto image2 = second.apply();
  EXPECT_EQ(image2->topics().at("b"), image1->topics().at("b"));  // same pointer
  EXPECT_NE(image2->topics().at("a"), image1->topics().at("a"));
  EXPECT_TRUE(image1->topic("a")->configs.empty());  // the old image is untouched
  EXPECT_EQ(image2->topic("a")->configs.at("retention.ms"), "1");
  ASSERT_EQ(second.changed_topics().size(), 1u);
  EXPECT_TRUE(second.changed_topics().count("a"));

  // A config record that changes nothing leaves the topic shared.
  MetadataDelta third(image2);
  replay_all(third, {config("a", "retention.ms", "1"), config("b", "x", std::nullopt)}, &next);
  auto image3 = third.apply();
  EXPECT_TRUE(third.changed_topics().empty());
  EXPECT_EQ(image3->topics().at("a"), image2->topics().at("a"));
  EXPECT_EQ(image3->offset(), next - 1);
}

TEST(MetadataImageTest, ApplyFreezesThePublishedImage) {
  MetadataDelta delta(nullptr);
  int64_t next = 0;
  const Uuid a = make_id(1);
  replay_all(delta, {topic("a", a), partition(a, 0, {1}, {1}, 1)}, &next);
  auto image1 = delta.apply();
  replay_all(delta, {config("a", "k", "v"), partition(a, 1, {1}, {1}, 1)}, &next);
  auto image2 = delta.apply();
  EXPECT_TRUE(image1->topic("a")->configs.empty());
  EXPECT_EQ(image1->topic("a")->partitions.size(), 1u);
  EXPECT_EQ(image2->topic("a")->configs.at("k"), "v");
  EXPECT_EQ(image2->topic("a")->partitions.size(), 2u);
  // Still changed relative to the (empty) base, now with the latest image.
  EXPECT_EQ(delta.changed_topics().at("a"), image2->topics().at("a"));
}

TEST(MetadataImageTest, RemovalDropsTopicAndConfigs) {
  MetadataDelta first(nullptr);
  int64_t next = 0;
  const Uuid a = make_id(1);
  const Uuid b = make_id(2);
  replay_all(first,
             {topic("a", a), partition(a, 0, {1}, {1}, 1), config("a", "k", "v"), topic("b", b),
              partition(b, 0, {1}, {1}, 1)},
             &next);
  auto image1 = first.apply();

  MetadataDelta second(image1);
  replay_all(second, {remove(a)}, &next);
  auto image2 = second.apply();
  EXPECT_EQ(image2->topic("a"), nullptr);
  EXPECT_EQ(image2->topic(a), nullptr);
  EXPECT_NE(image2->topic("b"), nullptr);
  EXPECT_TRUE(second.changed_topics().empty());
  ASSERT_EQ(second.removed_topics().size(), 1u);
  EXPECT_EQ(second.removed_topics().at(a), "a");

  // Re-created under the same name with a new id: the configs do not come back.
  const Uuid a2 = make_id(3);
  MetadataDelta third(image2);
  replay_all(third, {topic("a", a2), partition(a2, 0, {1}, {1}, 1)}, &next);
  auto image3 = third.apply();
  EXPECT_TRUE(image3->topic("a")->configs.empty());
  EXPECT_EQ(image3->topic("a")->id, a2);
}

TEST(MetadataImageTest, DeleteAndRecreateInOneDeltaReportsBoth) {
  MetadataDelta first(nullptr);
  int64_t next = 0;
  const Uuid a = make_id(1);
  replay_all(first, {topic("a", a), partition(a, 0, {1}, {1}, 1)}, &next);
  auto image1 = first.apply();

  MetadataDelta second(image1);
  const Uuid a2 = make_id(9);
  const Uuid c = make_id(20);
  replay_all(second,
             {remove(a), topic("a", a2), partition(a2, 0, {1}, {1}, 1), topic("c", c), remove(c)},
             &next);
  auto image2 = second.apply();
  EXPECT_EQ(second.removed_topics().size(), 1u);
  EXPECT_EQ(second.removed_topics().at(a), "a");
  ASSERT_EQ(second.changed_topics().size(), 1u);  // "c" came and went: not reported
  EXPECT_EQ(second.changed_topics().at("a")->id, a2);
  EXPECT_EQ(image2->topic("c"), nullptr);
  EXPECT_EQ(image2->topic(a), nullptr);
}

TEST(MetadataImageTest, PartitionChangeBumpsEpochs) {
  MetadataDelta delta(nullptr);
  int64_t next = 0;
  const Uuid a = make_id(1);
  replay_all(delta, {topic("a", a), partition(a, 0, {1, 2, 3}, {1, 2, 3}, 1)}, &next);
  metadata::MetadataRecord shrink;
  auto* c = shrink.mutable_partition_change();
  c->set_topic_id(uuid_to_bytes(a));
  c->set_partition_id(0);
  c->add_isr(1);
  c->add_isr(2);
  c->set_isr_set(true);
  metadata::MetadataRecord elect;
  auto* e = elect.mutable_partition_change();
  e->set_topic_id(uuid_to_bytes(a));
  e->set_partition_id(0);
  e->set_leader(2);
  replay_all(delta, {shrink, elect}, &next);
  auto image = delta.apply();
  const PartitionImage* p = image->partition("a", 0);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->isr, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(p->leader, 2);
  EXPECT_EQ(p->leader_epoch, 1);
  EXPECT_EQ(p->partition_epoch, 2);

  metadata::MetadataRecord bad = elect;
  bad.mutable_partition_change()->set_leader(7);  // not a replica
  EXPECT_FALSE(delta.replay(bad, next).ok());
}

TEST(MetadataImageTest, BrokersReregisterAndUnregister) {
  MetadataDelta delta(nullptr);
  int64_t next = 0;
  replay_all(delta, {broker(1, 0), broker(1, 5)}, &next);
  EXPECT_FALSE(delta.replay(broker(1, 3), next).ok());  // epoch must grow
  metadata::MetadataRecord unregister;
  unregister.mutable_unregister_broker()->set_node_id(1);
  unregister.mutable_unregister_broker()->set_broker_epoch(4);
  EXPECT_FALSE(delta.replay(unregister, next).ok());  // wrong epoch
  unregister.mutable_unregister_broker()->set_broker_epoch(5);
  replay_all(delta, {unregister}, &next);
  EXPECT_TRUE(delta.apply()->brokers().empty());
  replay_all(delta,
             {config("1", "a", "x", metadata::CONFIG_RESOURCE_BROKER),
              config("1", "a", std::nullopt, metadata::CONFIG_RESOURCE_BROKER)},
             &next);
  EXPECT_TRUE(delta.apply()->broker_configs().empty());
  EXPECT_FALSE(delta.replay(config("x1", "a", "x", metadata::CONFIG_RESOURCE_BROKER), next).ok());
}

TEST(MetadataImageTest, RecordsThatDoNotApplyLeaveTheDeltaUnchanged) {
  MetadataDelta delta(nullptr);
  int64_t next = 0;
  const Uuid a = make_id(1);
  replay_all(delta, {topic("a", a), partition(a, 0, {1, 2}, {1}, 1), config("a", "k", "v")}, &next);
  auto before = delta.apply();

  const Uuid unknown = make_id(50);
  metadata::MetadataRecord no_id = topic("z", a);
  no_id.mutable_topic()->set_topic_id("short");
  const std::vector<metadata::MetadataRecord> bad = {
      metadata::MetadataRecord(),          // nothing set
      topic("a", make_id(2)),              // duplicate name
      topic("b", a),                       // duplicate id
      topic("c", Uuid{}),                  // zero id
      no_id,                               // id not 16 bytes
      partition(unknown, 0, {1}, {1}, 1),  // unknown topic
      partition(a, 0, {1}, {1}, 1),        // partition exists
      partition(a, 2, {1}, {1}, 1),        // not dense
      partition(a, 1, {}, {}, -1),         // no replicas
      partition(a, 1, {1, 1}, {1}, 1),     // duplicate replica
      partition(a, 1, {1}, {2}, 1),        // ISR outside replicas
      partition(a, 1, {1}, {1}, 3),        // leader outside replicas
      config("nope", "k", "v"),            // unknown topic
      config("a", "", "v"),                // no config name
      config("a", "k", "v", metadata::CONFIG_RESOURCE_UNKNOWN),
      remove(unknown),
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_FALSE(delta.replay(bad[i], next).ok()) << "record " << i;
  }
  EXPECT_FALSE(delta.replay(config("a", "k", "w"), next - 1).ok());  // offset must grow
  auto after = delta.apply();
  EXPECT_EQ(after->offset(), before->offset());
  EXPECT_EQ(after->topics().size(), 1u);
  EXPECT_EQ(after->topic("a")->partitions.size(), 1u);
  EXPECT_EQ(after->topic("a")->configs.at("k"), "v");
}

TEST(MetadataImageTest, UuidText) {
  Uuid zero;
  EXPECT_EQ(uuid_to_string(zero), "AAAAAAAAAAAAAAAAAAAAAA");
  Uuid ones;
  ones.bytes.fill(0xff);
  EXPECT_EQ(uuid_to_string(ones), "_____________________w");
  EXPECT_EQ(uuid_from_bytes(uuid_to_bytes(make_id(7))), make_id(7));
  EXPECT_FALSE(uuid_from_bytes("abc").has_value());
}

}  // namespace
}  // namespace keel::controller
