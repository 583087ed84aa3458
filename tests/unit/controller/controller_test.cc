// Controller: formatting, registration, topic and config operations, subscribers, restart,
// meta.properties checks and a corrupt metadata log, on the real file system in a temp dir.
#include "controller/controller.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "controller/meta_properties.h"
#include "controller/metadata_log.h"
#include "protocol/error_code.h"
#include "protocol/records/record_batch_builder.h"
#include "storage/fault_env.h"
#include "storage/log.h"
#include "storage/log_manager.h"
#include "tests/unit/storage/storage_test_util.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;
using storage::Env;
using storage::testing::TempDir;

ErrorCode code_of(const absl::Status& s) { return protocol::to_error_code(s); }

std::string message_of(const absl::Status& s) { return std::string(s.message()); }

NewTopic new_topic(const std::string& name, int32_t partitions = -1, int16_t rf = -1) {
  NewTopic t;
  t.name = name;
  t.num_partitions = partitions;
  t.replication_factor = rf;
  return t;
}

struct Published {
  std::vector<std::string> changed;
  std::vector<std::string> removed;
  int64_t offset = -1;
};

class ControllerTest : public ::testing::Test {
 protected:
  ControllerOptions options(int32_t node_id = 1) {
    ControllerOptions o;
    o.node_id = node_id;
    o.log_dirs = {dir_.file("d1"), dir_.file("d2")};
    metadata::Endpoint endpoint;
    endpoint.set_listener_name("PLAINTEXT");
    endpoint.set_host("127.0.0.1");
    endpoint.set_port(9092);
    o.advertised_endpoints = {endpoint};
    o.rack = "r1";
    o.control.default_num_partitions = 2;
    o.control.validate_topic_configs = [this](const std::map<std::string, std::string>& configs) {
      validated_.push_back(configs);
      for (const auto& [key, value] : configs) {
        if (key == "bad.config") {
          return protocol::kafka_error(ErrorCode::kInvalidConfig, "Unknown config bad.config");
        }
        if (value == "plain-error") return absl::InvalidArgumentError("bad value for " + key);
      }
      return absl::OkStatus();
    };
    o.control.topic_config_default = [](const std::string& name) -> std::optional<std::string> {
      if (name == "cleanup.policy") return "delete";
      return std::nullopt;
    };
    o.log = [this](std::string_view line) { lines_.emplace_back(line); };
    return o;
  }

  std::unique_ptr<Controller> open(ControllerOptions o) {
    auto controller = Controller::open(Env::posix(), &clock_, std::move(o));
    EXPECT_TRUE(controller.ok()) << controller.status();
    if (!controller.ok()) return nullptr;
    (*controller)
        ->subscribe([this](const MetadataDelta& delta, std::shared_ptr<const MetadataImage> image) {
          Published p;
          for (const auto& [name, topic] : delta.changed_topics()) p.changed.push_back(name);
          for (const auto& [id, name] : delta.removed_topics()) p.removed.push_back(name);
          p.offset = image->offset();
          published_.push_back(p);
        });
    return std::move(*controller);
  }
  std::unique_ptr<Controller> open() { return open(options()); }

  std::string metadata_dir() const {
    return storage::join_path(dir_.file("d1"), kMetadataLogDirName);
  }

  TempDir dir_{"keel_controller"};
  storage::ManualClock clock_;
  std::vector<std::string> lines_;
  std::vector<std::map<std::string, std::string>> validated_;
  std::vector<Published> published_;
};

TEST_F(ControllerTest, OpenFormatsLogDirsAndRegistersTheNode) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  auto image = c->image();
  ASSERT_NE(image, nullptr);
  EXPECT_EQ(c->node_id(), 1);
  EXPECT_EQ(image->controller_id(), 1);
  EXPECT_EQ(image->cluster_id().size(), 22u);
  EXPECT_EQ(image->offset(), 0);  // the registration is the first record
  const BrokerImage* broker = image->broker(1);
  ASSERT_NE(broker, nullptr);
  EXPECT_EQ(broker->broker_epoch, 0);
  EXPECT_EQ(broker->rack, "r1");
  EXPECT_FALSE(broker->fenced);
  ASSERT_EQ(broker->endpoints.size(), 1u);
  EXPECT_EQ(broker->endpoints[0].port(), 9092);

  for (const char* d : {"d1", "d2"}) {
    auto props = read_meta_properties(Env::posix(), dir_.file(d));
    ASSERT_TRUE(props.ok()) << props.status();
    ASSERT_TRUE(props->has_value());
    EXPECT_EQ((*props)->cluster_id, image->cluster_id());
    EXPECT_EQ((*props)->node_id, 1);
    EXPECT_EQ((*props)->version, 1);
  }
  auto text = Env::posix()->read_file(dir_.file("d1/meta.properties"));
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("version=1\n"), std::string::npos);
  EXPECT_NE(text->find("node.id=1\n"), std::string::npos);
  EXPECT_TRUE(Env::posix()->exists(metadata_dir()));
  EXPECT_FALSE(Env::posix()->exists(storage::join_path(dir_.file("d2"), kMetadataLogDirName)));
}

TEST_F(ControllerTest, ConfiguredClusterIdIsUsed) {
  ControllerOptions o = options();
  o.cluster_id = "my-cluster";
  auto c = open(o);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->image()->cluster_id(), "my-cluster");
}

TEST_F(ControllerTest, CreateTopicsWritesTopicPartitionsAndConfigs) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  NewTopic orders = new_topic("orders", 3);
  orders.configs = {{"retention.ms", "1000"}, {"cleanup.policy", "compact"}};
  auto results = c->create_topics({orders, new_topic("defaults")}, false);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_FALSE(results[0].topic_id.is_zero());
  EXPECT_NE(results[0].topic_id, results[1].topic_id);
  EXPECT_EQ(results[0].num_partitions, 3);
  EXPECT_EQ(results[0].replication_factor, 1);
  EXPECT_EQ(results[1].num_partitions, 2);  // default_num_partitions

  auto image = c->image();
  const TopicImage* t = image->topic("orders");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->id, results[0].topic_id);
  EXPECT_EQ(image->topic(results[0].topic_id), t);
  ASSERT_EQ(t->partitions.size(), 3u);
  for (const auto& [id, p] : t->partitions) {
    EXPECT_EQ(p.replicas, std::vector<int32_t>{1});
    EXPECT_EQ(p.isr, std::vector<int32_t>{1});
    EXPECT_EQ(p.leader, 1);
    EXPECT_EQ(p.leader_epoch, 0);
  }
  EXPECT_EQ(t->configs, orders.configs);
  ASSERT_FALSE(validated_.empty());
  EXPECT_EQ(validated_.front(), orders.configs);

  // One commit for the whole call: one publication naming both topics.
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0].changed, (std::vector<std::string>{"defaults", "orders"}));
  EXPECT_TRUE(published_[0].removed.empty());
  EXPECT_EQ(published_[0].offset, image->offset());
  // registration (0), then TopicRecord + 3 partitions + 2 configs + TopicRecord + 2 partitions
  EXPECT_EQ(image->offset(), 9);
}

TEST_F(ControllerTest, ValidateOnlyWritesNothing) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  const int64_t before = c->image()->offset();
  auto results = c->create_topics({new_topic("a", 4)}, true);
  ASSERT_TRUE(results[0].status.ok()) << results[0].status;
  EXPECT_EQ(results[0].num_partitions, 4);
  EXPECT_EQ(c->image()->offset(), before);
  EXPECT_EQ(c->image()->topic("a"), nullptr);
  EXPECT_TRUE(published_.empty());

  auto bad = c->create_topics({new_topic("a", 0)}, true);
  EXPECT_EQ(code_of(bad[0].status), ErrorCode::kInvalidPartitions);
}

TEST_F(ControllerTest, DuplicateTopicsAreRefused) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->create_topics({new_topic("a")}, false)[0].status.ok());
  auto results = c->create_topics({new_topic("a"), new_topic("b"), new_topic("b")}, false);
  EXPECT_EQ(code_of(results[0].status), ErrorCode::kTopicAlreadyExists);
  EXPECT_EQ(code_of(results[1].status), ErrorCode::kInvalidRequest);
  EXPECT_EQ(code_of(results[2].status), ErrorCode::kInvalidRequest);
  EXPECT_TRUE(results[0].topic_id.is_zero());
  EXPECT_EQ(c->image()->topic("b"), nullptr);
}

TEST_F(ControllerTest, BadTopicNamesAreRefused) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->create_topics({new_topic("a_b"), new_topic("x.y")}, false)[0].status.ok());
  const std::vector<std::string> bad = {
      "",         ".",   "..",  std::string(250, 'x'), "a b", "a/b",
      "\xc3\xa9", "a.b", "x_y", "__cluster_metadata"};
  std::vector<NewTopic> topics;
  for (const auto& name : bad) topics.push_back(new_topic(name));
  auto results = c->create_topics(topics, false);
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_EQ(code_of(results[i].status), ErrorCode::kInvalidTopicException)
        << "name '" << bad[i] << "': " << results[i].status;
  }
  EXPECT_NE(message_of(results[7].status).find("a_b"), std::string::npos);

  // Legal edge cases; a collision between two new names in one request is refused too.
  auto good = c->create_topics(
      {new_topic(std::string(249, 'x')), new_topic("A-z.0_9"), new_topic("p.q"), new_topic("p_q")},
      false);
  EXPECT_TRUE(good[0].status.ok()) << good[0].status;
  EXPECT_TRUE(good[1].status.ok()) << good[1].status;
  EXPECT_TRUE(good[2].status.ok()) << good[2].status;
  EXPECT_EQ(code_of(good[3].status), ErrorCode::kInvalidTopicException);
}

TEST_F(ControllerTest, PartitionCountAndReplicationFactorAreChecked) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  auto results =
      c->create_topics({new_topic("p0", 0), new_topic("pneg", -2), new_topic("rf3", 1, 3),
                        new_topic("rf0", 1, 0), new_topic("huge", 1 << 30)},
                       false);
  EXPECT_EQ(code_of(results[0].status), ErrorCode::kInvalidPartitions);
  EXPECT_EQ(code_of(results[1].status), ErrorCode::kInvalidPartitions);
  EXPECT_EQ(code_of(results[2].status), ErrorCode::kInvalidReplicationFactor);
  EXPECT_EQ(message_of(results[2].status),
            "Unable to replicate the partition 3 time(s): The target replication factor of 3 "
            "cannot be reached because only 1 broker(s) are registered.");
  EXPECT_EQ(code_of(results[3].status), ErrorCode::kInvalidReplicationFactor);
  EXPECT_EQ(code_of(results[4].status), ErrorCode::kInvalidPartitions);
  EXPECT_TRUE(c->image()->topics().empty());

  ControllerOptions o = options();
  ASSERT_TRUE(c->close().ok());
  c.reset();
  o.control.default_replication_factor = 2;
  c = open(o);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(code_of(c->create_topics({new_topic("d")}, false)[0].status),
            ErrorCode::kInvalidReplicationFactor);
}

TEST_F(ControllerTest, ManualAssignmentsAreChecked) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  auto with = [](const std::string& name, std::map<int32_t, std::vector<int32_t>> a,
                 int32_t partitions = -1) {
    NewTopic t = new_topic(name, partitions);
    t.assignments = std::move(a);
    return t;
  };
  auto results = c->create_topics(
      {with("ok", {{0, {1}}, {1, {1}}}), with("gap", {{0, {1}}, {2, {1}}}),
       with("dup", {{0, {1, 1}}}), with("unknown", {{0, {7}}}), with("empty", {{0, {}}}),
       with("both", {{0, {1}}}, 1), with("start1", {{1, {1}}})},
      false);
  ASSERT_TRUE(results[0].status.ok()) << results[0].status;
  EXPECT_EQ(results[0].num_partitions, 2);
  EXPECT_EQ(results[0].replication_factor, 1);
  EXPECT_EQ(code_of(results[1].status), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(code_of(results[2].status), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(code_of(results[3].status), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(code_of(results[4].status), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(code_of(results[5].status), ErrorCode::kInvalidRequest);
  EXPECT_EQ(code_of(results[6].status), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(c->image()->topics().size(), 1u);
  EXPECT_EQ(c->image()->partition("ok", 1)->leader, 1);
}

TEST_F(ControllerTest, TopicConfigsGoThroughTheValidator) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  NewTopic bad = new_topic("bad");
  bad.configs = {{"bad.config", "1"}};
  NewTopic plain = new_topic("plain");
  plain.configs = {{"retention.ms", "plain-error"}};
  NewTopic empty = new_topic("empty");
  empty.configs = {{"", "1"}};
  auto results = c->create_topics({bad, plain, empty, new_topic("good")}, false);
  EXPECT_EQ(code_of(results[0].status), ErrorCode::kInvalidConfig);
  EXPECT_EQ(code_of(results[1].status), ErrorCode::kInvalidConfig);
  EXPECT_NE(message_of(results[1].status).find("retention.ms"), std::string::npos);
  EXPECT_EQ(code_of(results[2].status), ErrorCode::kInvalidConfig);
  EXPECT_TRUE(results[3].status.ok());
  EXPECT_EQ(c->image()->topics().size(), 1u);
}

TEST_F(ControllerTest, DeleteTopicsByNameAndId) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  NewTopic a = new_topic("a");
  a.configs = {{"retention.ms", "5"}};
  auto created = c->create_topics({a, new_topic("b"), new_topic("c")}, false);
  published_.clear();

  auto deleted = c->delete_topics({"a", "nope", "c", "c"});
  EXPECT_TRUE(deleted[0].ok()) << deleted[0];
  EXPECT_EQ(code_of(deleted[1]), ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(code_of(deleted[2]), ErrorCode::kInvalidRequest);
  EXPECT_EQ(code_of(deleted[3]), ErrorCode::kInvalidRequest);
  EXPECT_EQ(c->image()->topic("a"), nullptr);
  EXPECT_EQ(c->image()->topic(created[0].topic_id), nullptr);
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0].removed, std::vector<std::string>{"a"});
  EXPECT_TRUE(published_[0].changed.empty());

  Uuid unknown;
  unknown.bytes[0] = 1;
  auto by_id = c->delete_topics_by_id({created[1].topic_id, unknown, Uuid{}});
  EXPECT_TRUE(by_id[0].ok()) << by_id[0];
  EXPECT_EQ(code_of(by_id[1]), ErrorCode::kUnknownTopicId);
  EXPECT_EQ(code_of(by_id[2]), ErrorCode::kUnknownTopicId);
  EXPECT_EQ(c->image()->topic("b"), nullptr);
  EXPECT_EQ(c->image()->topics().size(), 1u);
  EXPECT_EQ(published_.back().removed, std::vector<std::string>{"b"});

  // Re-created: a new id, and the old topic's configs are gone.
  auto again = c->create_topics({new_topic("a")}, false);
  ASSERT_TRUE(again[0].status.ok());
  EXPECT_NE(again[0].topic_id, created[0].topic_id);
  EXPECT_TRUE(c->image()->topic("a")->configs.empty());
}

TEST_F(ControllerTest, CreatePartitions) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  auto created = c->create_topics({new_topic("a", 1), new_topic("b", 2), new_topic("c", 2)}, false);
  for (const auto& r : created) ASSERT_TRUE(r.status.ok()) << r.status;
  const Uuid a_id = c->image()->topic("a")->id;
  published_.clear();

  NewPartitions grow{"a", 3, {}};
  NewPartitions shrink{"b", 1, {}};
  NewPartitions same{"c", 2, {}};
  NewPartitions unknown{"nope", 4, {}};
  auto results = c->create_partitions({grow, shrink, same, unknown}, false);
  EXPECT_TRUE(results[0].ok()) << results[0];
  EXPECT_EQ(code_of(results[1]), ErrorCode::kInvalidPartitions);
  EXPECT_EQ(code_of(results[2]), ErrorCode::kInvalidPartitions);
  EXPECT_EQ(code_of(results[3]), ErrorCode::kUnknownTopicOrPartition);
  auto image = c->image();
  ASSERT_EQ(image->topic("a")->partitions.size(), 3u);
  EXPECT_EQ(image->topic("a")->id, a_id);
  EXPECT_EQ(image->partition("a", 2)->leader, 1);
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0].changed, std::vector<std::string>{"a"});

  NewPartitions wrong_count{"b", 4, {{1}}};
  NewPartitions wrong_rf{"c", 3, {{1, 1}}};
  NewPartitions unregistered{"a", 4, {{5}}};
  NewPartitions manual{"b", 4, {{1}, {1}}};
  results = c->create_partitions({wrong_count, wrong_rf, unregistered}, false);
  EXPECT_EQ(code_of(results[0]), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(code_of(results[1]), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(code_of(results[2]), ErrorCode::kInvalidReplicaAssignment);

  results = c->create_partitions({manual}, true);  // validate only
  EXPECT_TRUE(results[0].ok()) << results[0];
  EXPECT_EQ(c->image()->topic("b")->partitions.size(), 2u);
  results = c->create_partitions({manual}, false);
  EXPECT_TRUE(results[0].ok()) << results[0];
  EXPECT_EQ(c->image()->topic("b")->partitions.size(), 4u);
}

TEST_F(ControllerTest, AlterTopicConfigs) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  NewTopic t = new_topic("t");
  t.configs = {{"retention.ms", "1000"}, {"segment.bytes", "2048"}};
  ASSERT_TRUE(c->create_topics({t}, false)[0].status.ok());
  const ConfigResource topic{metadata::CONFIG_RESOURCE_TOPIC, "t"};
  auto configs = [&c] { return c->image()->topic("t")->configs; };

  // set + delete
  ASSERT_TRUE(c->alter_configs(topic,
                               {{"retention.ms", ConfigOp::kSet, "2000"},
                                {"segment.bytes", ConfigOp::kDelete, std::nullopt}},
                               false, false)
                  .ok());
  EXPECT_EQ(configs(), (std::map<std::string, std::string>{{"retention.ms", "2000"}}));

  // append starts from the default ("delete"), then subtract
  ASSERT_TRUE(
      c->alter_configs(topic, {{"cleanup.policy", ConfigOp::kAppend, "compact"}}, false, false)
          .ok());
  EXPECT_EQ(configs().at("cleanup.policy"), "delete,compact");
  ASSERT_TRUE(
      c->alter_configs(topic, {{"cleanup.policy", ConfigOp::kAppend, "compact"}}, false, false)
          .ok());
  EXPECT_EQ(configs().at("cleanup.policy"), "delete,compact");  // already there
  ASSERT_TRUE(
      c->alter_configs(topic, {{"cleanup.policy", ConfigOp::kSubtract, "delete"}}, false, false)
          .ok());
  EXPECT_EQ(configs().at("cleanup.policy"), "compact");

  // the validator sees the whole resulting map; a refusal changes nothing
  validated_.clear();
  absl::Status bad = c->alter_configs(topic, {{"bad.config", ConfigOp::kSet, "1"}}, false, false);
  EXPECT_EQ(code_of(bad), ErrorCode::kInvalidConfig);
  ASSERT_EQ(validated_.size(), 1u);
  EXPECT_EQ(validated_[0].size(), 3u);
  EXPECT_EQ(configs().size(), 2u);

  // validate_only
  const int64_t offset = c->image()->offset();
  ASSERT_TRUE(c->alter_configs(topic, {{"x", ConfigOp::kSet, "1"}}, false, true).ok());
  EXPECT_EQ(c->image()->offset(), offset);
  EXPECT_FALSE(configs().count("x"));

  // replace_all: what is not listed goes
  ASSERT_TRUE(
      c->alter_configs(topic, {{"max.message.bytes", ConfigOp::kSet, "100"}}, true, false).ok());
  EXPECT_EQ(configs(), (std::map<std::string, std::string>{{"max.message.bytes", "100"}}));

  // a change to nothing commits nothing
  const int64_t before = c->image()->offset();
  ASSERT_TRUE(
      c->alter_configs(topic, {{"max.message.bytes", ConfigOp::kSet, "100"}}, false, false).ok());
  EXPECT_EQ(c->image()->offset(), before);

  // errors
  EXPECT_EQ(code_of(c->alter_configs({metadata::CONFIG_RESOURCE_TOPIC, "nope"},
                                     {{"a", ConfigOp::kSet, "1"}}, false, false)),
            ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(code_of(c->alter_configs(
                topic, {{"a", ConfigOp::kSet, "1"}, {"a", ConfigOp::kSet, "2"}}, false, false)),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(code_of(c->alter_configs(topic, {{"a", ConfigOp::kAppend, "1"}}, true, false)),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(code_of(c->alter_configs(topic, {{"", ConfigOp::kSet, "1"}}, false, false)),
            ErrorCode::kInvalidConfig);
}

TEST_F(ControllerTest, AlterBrokerConfigs) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  const ConfigResource cluster{metadata::CONFIG_RESOURCE_BROKER, ""};
  const ConfigResource node{metadata::CONFIG_RESOURCE_BROKER, "1"};
  ASSERT_TRUE(
      c->alter_configs(cluster, {{"log.retention.ms", ConfigOp::kSet, "10"}}, false, false).ok());
  ASSERT_TRUE(c->alter_configs(node, {{"a", ConfigOp::kAppend, "x"}}, false, false).ok());
  ASSERT_TRUE(c->alter_configs(node, {{"a", ConfigOp::kAppend, "y"}}, false, false).ok());
  auto image = c->image();
  EXPECT_EQ(image->broker_configs().at("").at("log.retention.ms"), "10");
  EXPECT_EQ(image->broker_configs().at("1").at("a"), "x,y");
  ASSERT_TRUE(c->alter_configs(node, {{"a", ConfigOp::kDelete, std::nullopt}}, false, false).ok());
  EXPECT_FALSE(c->image()->broker_configs().count("1"));
  EXPECT_EQ(code_of(c->alter_configs({metadata::CONFIG_RESOURCE_BROKER, "x1"},
                                     {{"a", ConfigOp::kSet, "1"}}, false, false)),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(code_of(c->alter_configs({metadata::CONFIG_RESOURCE_UNKNOWN, ""},
                                     {{"a", ConfigOp::kSet, "1"}}, false, false)),
            ErrorCode::kInvalidRequest);
}

TEST_F(ControllerTest, RestartReplaysTheSameImageWithAHigherBrokerEpoch) {
  std::shared_ptr<const MetadataImage> before;
  {
    auto c = open();
    ASSERT_NE(c, nullptr);
    NewTopic t = new_topic("orders", 4);
    t.configs = {{"retention.ms", "7"}};
    ASSERT_TRUE(c->create_topics({t, new_topic("gone"), new_topic("x.y")}, false)[0].status.ok());
    ASSERT_TRUE(c->delete_topics({"gone"})[0].ok());
    ASSERT_TRUE(c->create_partitions({{"x.y", 3, {}}}, false)[0].ok());
    ASSERT_TRUE(c->alter_configs({metadata::CONFIG_RESOURCE_BROKER, ""},
                                 {{"k", ConfigOp::kSet, "v"}}, false, false)
                    .ok());
    before = c->image();
    ASSERT_TRUE(c->close().ok());
    ASSERT_TRUE(c->close().ok());  // idempotent
    EXPECT_EQ(code_of(c->create_topics({new_topic("late")}, false)[0].status),
              ErrorCode::kNotController);
  }
  auto c = open();
  ASSERT_NE(c, nullptr);
  auto after = c->image();
  EXPECT_EQ(after->cluster_id(), before->cluster_id());
  EXPECT_EQ(after->offset(), before->offset() + 1);  // + the new registration
  ASSERT_EQ(after->topics().size(), before->topics().size());
  for (const auto& [name, topic] : before->topics()) {
    const TopicImage* t = after->topic(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->id, topic->id);
    EXPECT_EQ(t->partitions, topic->partitions);
    EXPECT_EQ(t->configs, topic->configs);
  }
  EXPECT_EQ(after->broker_configs(), before->broker_configs());
  EXPECT_GT(after->broker(1)->broker_epoch, before->broker(1)->broker_epoch);
  EXPECT_EQ(after->broker(1)->broker_epoch, before->offset() + 1);

  // A third start: the epoch keeps growing.
  const int64_t epoch2 = after->broker(1)->broker_epoch;
  ASSERT_TRUE(c->close().ok());
  c.reset();
  c = open();
  ASSERT_NE(c, nullptr);
  EXPECT_GT(c->image()->broker(1)->broker_epoch, epoch2);
}

TEST_F(ControllerTest, LogManagerDoesNotLoadTheMetadataLog) {
  {
    auto c = open();
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(c->create_topics({new_topic("a")}, false)[0].status.ok());
  }
  storage::LogManagerOptions o;
  o.log_dirs = {dir_.file("d1"), dir_.file("d2")};
  auto manager = storage::LogManager::open(Env::posix(), &clock_, o);
  ASSERT_TRUE(manager.ok()) << manager.status();
  EXPECT_TRUE((*manager)->partitions().empty());
  ASSERT_TRUE((*manager)->close_all().ok());
  auto c = open();  // and the metadata log is intact
  ASSERT_NE(c, nullptr);
  EXPECT_NE(c->image()->topic("a"), nullptr);
}

TEST_F(ControllerTest, MetaPropertiesMismatchesAreErrors) {
  std::string cluster_id;
  {
    auto c = open();
    ASSERT_NE(c, nullptr);
    cluster_id = c->image()->cluster_id();
  }
  // Another node id.
  auto other_node = Controller::open(Env::posix(), &clock_, options(2));
  ASSERT_FALSE(other_node.ok());
  EXPECT_NE(message_of(other_node.status()).find(dir_.file("d1/meta.properties")),
            std::string::npos)
      << other_node.status();
  EXPECT_NE(message_of(other_node.status()).find("node.id"), std::string::npos);

  // Another configured cluster id.
  ControllerOptions o = options();
  o.cluster_id = "someone-else";
  auto other_cluster = Controller::open(Env::posix(), &clock_, o);
  ASSERT_FALSE(other_cluster.ok());
  EXPECT_NE(message_of(other_cluster.status()).find("cluster.id"), std::string::npos);

  // The log dirs disagree.
  MetaProperties props;
  props.cluster_id = "different";
  props.node_id = 1;
  ASSERT_TRUE(write_meta_properties(Env::posix(), dir_.file("d2"), props).ok());
  auto disagree = Controller::open(Env::posix(), &clock_, options());
  ASSERT_FALSE(disagree.ok());
  EXPECT_NE(message_of(disagree.status()).find(dir_.file("d2/meta.properties")), std::string::npos)
      << disagree.status();

  // Unsupported version, garbage.
  ASSERT_TRUE(Env::posix()
                  ->write_file_atomically(dir_.file("d2/meta.properties"),
                                          "version=0\nbroker.id=1\ncluster.id=" + cluster_id + "\n")
                  .ok());
  auto old_version = Controller::open(Env::posix(), &clock_, options());
  ASSERT_FALSE(old_version.ok());
  EXPECT_NE(message_of(old_version.status()).find("version"), std::string::npos);
  ASSERT_TRUE(
      Env::posix()->write_file_atomically(dir_.file("d2/meta.properties"), "garbage\n").ok());
  EXPECT_FALSE(Controller::open(Env::posix(), &clock_, options()).ok());

  // Fixed: opens again.
  props.cluster_id = cluster_id;
  ASSERT_TRUE(write_meta_properties(Env::posix(), dir_.file("d2"), props).ok());
  EXPECT_NE(open(), nullptr);
}

TEST_F(ControllerTest, MetaPropertiesParsing) {
  MetaProperties props;
  props.cluster_id = "abc";
  props.node_id = 3;
  props.other = {{"directory.id", "xyz"}};
  auto parsed = parse_meta_properties(serialize_meta_properties(props), "p");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, props);
  // Kafka's own file: a comment with a date, any key order.
  parsed = parse_meta_properties(
      "#\n#Tue Jan 02 10:00:00 UTC 2024\nnode.id=1\ndirectory.id=q\nversion=1\n"
      "cluster.id=MkU3OEVBNTcwNTJENDM2Qk\n",
      "p");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->cluster_id, "MkU3OEVBNTcwNTJENDM2Qk");
  EXPECT_FALSE(parse_meta_properties("version=1\nnode.id=1\n", "p").ok());
  EXPECT_FALSE(parse_meta_properties("version=1\ncluster.id=a\nnode.id=x\n", "p").ok());
  EXPECT_FALSE(parse_meta_properties("version=1\ncluster.id=a\nnode.id=-1\n", "p").ok());
  EXPECT_FALSE(validate_cluster_id("a b").ok());
  EXPECT_FALSE(validate_cluster_id("").ok());
  const std::string generated = generate_cluster_id();
  EXPECT_EQ(generated.size(), 22u);
  EXPECT_TRUE(validate_cluster_id(generated).ok());
  EXPECT_NE(generated, generate_cluster_id());
}

// Writes `batch` to the end of the metadata log behind the controller's back.
void append_raw(const std::string& dir, storage::Clock* clock, const protocol::Bytes& batch) {
  auto log = storage::Log::open(Env::posix(), clock, dir, metadata_log_config(), {});
  ASSERT_TRUE(log.ok()) << log.status();
  auto appended = (*log)->append(protocol::RecordsView(batch.data(), batch.size()), 0);
  ASSERT_TRUE(appended.ok()) << appended.status();
  ASSERT_TRUE((*log)->close().ok());
}

TEST_F(ControllerTest, UnparsableMetadataRecordIsReported) {
  int64_t end = 0;
  {
    auto c = open();
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(c->create_topics({new_topic("a")}, false)[0].status.ok());
    end = c->image()->offset() + 1;
  }
  const std::string garbage = "\xff\xff\xff\xff not a protobuf";
  protocol::RecordBatchBuilder builder;
  protocol::RecordInput input;
  input.value =
      protocol::ByteView(reinterpret_cast<const uint8_t*>(garbage.data()), garbage.size());
  builder.append(input);
  auto batch = builder.build();
  ASSERT_TRUE(batch.ok());
  append_raw(metadata_dir(), &clock_, *batch);

  auto c = Controller::open(Env::posix(), &clock_, options());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(message_of(c.status()).find("offset " + std::to_string(end)), std::string::npos)
      << c.status();
  EXPECT_EQ(code_of(c.status()), ErrorCode::kKafkaStorageError);
}

TEST_F(ControllerTest, RecordThatDoesNotApplyIsReported) {
  int64_t end = 0;
  {
    auto c = open();
    ASSERT_NE(c, nullptr);
    end = c->image()->offset() + 1;
  }
  metadata::MetadataRecord orphan;
  orphan.mutable_partition()->set_topic_id(std::string(16, '\x01'));
  orphan.mutable_partition()->add_replicas(1);
  auto batch = encode_metadata_batch({orphan}, 0);
  ASSERT_TRUE(batch.ok());
  append_raw(metadata_dir(), &clock_, *batch);

  auto c = Controller::open(Env::posix(), &clock_, options());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(message_of(c.status()).find("offset " + std::to_string(end)), std::string::npos)
      << c.status();
}

TEST_F(ControllerTest, TornTailIsDroppedByRecovery) {
  std::shared_ptr<const MetadataImage> before;
  {
    auto c = open();
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(c->create_topics({new_topic("a")}, false)[0].status.ok());
    before = c->image();
  }
  // Half a batch at the end of the segment: an append that never completed.
  auto batch = encode_metadata_batch({metadata::MetadataRecord()}, 0);
  ASSERT_TRUE(batch.ok());
  auto segment = Env::posix()->open_writable(metadata_dir() + "/00000000000000000000.log");
  ASSERT_TRUE(segment.ok());
  ASSERT_TRUE((*segment)->append(std::span<const uint8_t>(batch->data(), batch->size() / 2)).ok());
  ASSERT_TRUE((*segment)->close().ok());

  auto c = open();
  ASSERT_NE(c, nullptr);
  EXPECT_NE(c->image()->topic("a"), nullptr);
  EXPECT_EQ(c->image()->offset(), before->offset() + 1);
}

TEST_F(ControllerTest, StorageErrorsCommitNothing) {
  storage::FaultEnv env(Env::posix());
  auto opened = Controller::open(&env, &clock_, options());
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<Controller> c = std::move(*opened);
  ASSERT_TRUE(c->create_topics({new_topic("a")}, false)[0].status.ok());
  const int64_t offset = c->image()->offset();

  // A full disk: the append fails and writes nothing.
  env.fail_writes_with(ENOSPC, storage::FaultEnv::paths_containing(".log"));
  auto full = c->create_topics({new_topic("b")}, false);
  EXPECT_EQ(code_of(full[0].status), ErrorCode::kKafkaStorageError);
  EXPECT_EQ(c->image()->topic("b"), nullptr);
  EXPECT_EQ(c->image()->offset(), offset);
  env.clear_faults();

  // One failed fsync: the batch is not committed and is cut back out of the log.
  auto fail_once = std::make_shared<int>(0);
  env.fail_syncs_with(EIO, [fail_once](const std::string& path) {
    return path.ends_with(".log") && (*fail_once)++ == 0;
  });
  auto unsynced = c->create_topics({new_topic("c")}, false);
  EXPECT_EQ(code_of(unsynced[0].status), ErrorCode::kKafkaStorageError);
  EXPECT_EQ(c->image()->topic("c"), nullptr);
  env.clear_faults();
  auto d = c->create_topics({new_topic("d")}, false);
  ASSERT_TRUE(d[0].status.ok()) << d[0].status;
  EXPECT_EQ(c->image()->offset(), offset + 3);  // TopicRecord + 2 partitions, right after "a"

  // Every fsync fails, so the batch cannot be cut back either: the controller stops.
  env.fail_syncs_with(EIO, storage::FaultEnv::paths_containing(".log"));
  EXPECT_FALSE(c->create_topics({new_topic("e")}, false)[0].status.ok());
  env.clear_faults();
  EXPECT_EQ(code_of(c->create_topics({new_topic("f")}, false)[0].status),
            ErrorCode::kKafkaStorageError);
  EXPECT_FALSE(c->alter_configs({metadata::CONFIG_RESOURCE_BROKER, ""},
                                {{"k", ConfigOp::kSet, "v"}}, false, false)
                   .ok());
  (void)c->close();
  c.reset();

  auto reopened = Controller::open(&env, &clock_, options());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto image = (*reopened)->image();
  EXPECT_NE(image->topic("a"), nullptr);
  EXPECT_EQ(image->topic("b"), nullptr);
  EXPECT_EQ(image->topic("c"), nullptr);
  EXPECT_NE(image->topic("d"), nullptr);
  EXPECT_EQ(image->topic("f"), nullptr);
}

TEST_F(ControllerTest, ConcurrentOperations) {
  auto c = open();
  ASSERT_NE(c, nullptr);
  constexpr int kThreads = 4;
  constexpr int kTopicsEach = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&c, &failures, t] {
      for (int i = 0; i < kTopicsEach; ++i) {
        const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!c->create_topics({new_topic(name)}, false)[0].status.ok()) ++failures;
        auto image = c->image();
        if (image == nullptr || image->topic(name) == nullptr) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(c->image()->topics().size(), static_cast<size_t>(kThreads * kTopicsEach));
  // Publications arrived in commit order.
  ASSERT_EQ(published_.size(), static_cast<size_t>(kThreads * kTopicsEach));
  for (size_t i = 1; i < published_.size(); ++i) {
    EXPECT_GT(published_[i].offset, published_[i - 1].offset);
  }
}

TEST_F(ControllerTest, BadOptions) {
  ControllerOptions o = options();
  o.log_dirs.clear();
  EXPECT_FALSE(Controller::open(Env::posix(), &clock_, o).ok());
  o = options(-1);
  EXPECT_FALSE(Controller::open(Env::posix(), &clock_, o).ok());
  o = options();
  o.cluster_id = "has space";
  EXPECT_FALSE(Controller::open(Env::posix(), &clock_, o).ok());
}

}  // namespace
}  // namespace keel::controller
