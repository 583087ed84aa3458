// Tests of the admin handlers (broker/handlers/admin_handlers.h) against a real node: a
// Node with its controller and partitions in a temp dir, spoken to over a socket with the
// generated codecs, at every version each handler advertises.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/handlers/alter_configs_handler.h"
#include "broker/handlers/create_partitions_handler.h"
#include "broker/handlers/create_topics_handler.h"
#include "broker/handlers/delete_records_handler.h"
#include "broker/handlers/delete_topics_handler.h"
#include "broker/handlers/describe_cluster_handler.h"
#include "broker/handlers/describe_configs_handler.h"
#include "broker/handlers/describe_log_dirs_handler.h"
#include "broker/handlers/incremental_alter_configs_handler.h"
#include "broker/node.h"
#include "net_test_util.h"
#include "node_call.h"
#include "protocol/error_code.h"
#include "protocol/generated/alter_configs.h"
#include "protocol/generated/api_versions.h"
#include "protocol/generated/create_partitions.h"
#include "protocol/generated/create_topics.h"
#include "protocol/generated/delete_records.h"
#include "protocol/generated/delete_topics.h"
#include "protocol/generated/describe_cluster.h"
#include "protocol/generated/describe_configs.h"
#include "protocol/generated/describe_log_dirs.h"
#include "protocol/generated/incremental_alter_configs.h"
#include "protocol/generated/metadata.h"
#include "protocol/generated/produce.h"
#include "protocol/records/record_batch_builder.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/header.h"

namespace keel::broker {
namespace {

namespace p = protocol;
using net::testing::TestClient;
using p::ErrorCode;

constexpr int16_t code(ErrorCode e) { return static_cast<int16_t>(e); }

class AdminHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/keel-admin-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::vector<std::string> overrides = {"node.id=1", "listeners=PLAINTEXT://127.0.0.1:0",
                                                "log.dirs=" + dir_ + "/a," + dir_ + "/b",
                                                "log.retention.hours=5", "num.partitions=2"};
    absl::StatusOr<BrokerConfig> config = load_broker_config(std::nullopt, overrides);
    ASSERT_TRUE(config.ok()) << config.status();
    absl::StatusOr<std::unique_ptr<Node>> node = Node::start(*config);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = std::move(*node);
    client_ = std::make_unique<TestClient>(node_->ports()[0]);
    ASSERT_TRUE(client_->connected());
  }

  void TearDown() override {
    client_.reset();
    if (node_) {
      EXPECT_TRUE(node_->stop().ok());
    }
    node_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Sends `request` at `version` and decodes the response (nullopt, with a failure, if
  // there is none or it does not decode exactly).
  template <typename Response, typename Request>
  std::optional<Response> call(const Request& request, int16_t version) {
    return keel::broker::testing::call_node<Response>(*client_, ++correlation_, "admin-test",
                                                      request, version);
  }

  // Creates `name` (v4 request) and returns its result.
  p::CreateTopicsResponse::CreatableTopicResult create(
      const std::string& name, int32_t partitions = 1,
      std::vector<std::pair<std::string, std::optional<std::string>>> configs = {},
      bool validate_only = false) {
    p::CreateTopicsRequest req;
    p::CreateTopicsRequest::CreatableTopic t;
    t.name = name;
    t.num_partitions = partitions;
    t.replication_factor = 1;
    for (auto& [k, v] : configs) t.configs.push_back({k, v, {}});
    req.topics.push_back(t);
    req.validate_only = validate_only;
    auto resp = call<p::CreateTopicsResponse>(req, 4);
    if (!resp || resp->topics.size() != 1) {
      ADD_FAILURE() << "create " << name;
      return {};
    }
    return resp->topics[0];
  }

  // The topic's config entries (DescribeConfigs v4, with synonyms).
  std::vector<p::DescribeConfigsResponse::DescribeConfigsResourceResult> configs_of(
      const std::string& topic) {
    p::DescribeConfigsRequest req;
    req.resources.push_back({2, topic, std::nullopt, {}});
    req.include_synonyms = true;
    auto resp = call<p::DescribeConfigsResponse>(req, 4);
    if (!resp || resp->results.size() != 1) return {};
    EXPECT_EQ(resp->results[0].error_code, 0) << resp->results[0].error_message.value_or("");
    return resp->results[0].configs;
  }

  std::optional<std::string> config_value(const std::string& topic, const std::string& name,
                                          int8_t* source = nullptr) {
    for (const auto& c : configs_of(topic)) {
      if (c.name == name) {
        if (source != nullptr) *source = c.config_source;
        return c.value;
      }
    }
    ADD_FAILURE() << name << " not described";
    return std::nullopt;
  }

  // Appends `records` one-record batches to topic-partition (Produce v7, acks=-1).
  void produce(const std::string& topic, int32_t partition, int records) {
    for (int i = 0; i < records; ++i) {
      p::RecordBatchBuilder builder;
      const std::string value = "value-" + std::to_string(i);
      p::RecordInput rec;
      rec.timestamp = 1700000000000 + i;
      rec.value = p::ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size());
      builder.append(rec);
      absl::StatusOr<p::Bytes> batch = builder.build();
      ASSERT_TRUE(batch.ok()) << batch.status();
      p::ProduceRequest req;
      req.acks = -1;
      req.timeout_ms = 5000;
      p::ProduceRequest::TopicProduceData td;
      td.name = topic;
      p::ProduceRequest::PartitionProduceData pd;
      pd.index = partition;
      pd.records = p::RecordsView(*batch);
      td.partition_data.push_back(pd);
      req.topic_data.push_back(td);
      auto resp = call<p::ProduceResponse>(req, 7);
      ASSERT_TRUE(resp.has_value());
      ASSERT_EQ(resp->responses.at(0).partition_responses.at(0).error_code, 0);
    }
  }

  std::string dir_;
  std::unique_ptr<Node> node_;
  std::unique_ptr<TestClient> client_;
  int32_t correlation_ = 0;
};

TEST_F(AdminHandlersTest, AdvertisesTheImplementedRanges) {
  p::ApiVersionsRequest req;
  auto resp = call<p::ApiVersionsResponse>(req, 0);
  ASSERT_TRUE(resp.has_value());
  using Range = keel::broker::testing::VersionRange;
  auto range = [&](int16_t key) { return keel::broker::testing::advertised_range(*resp, key); };
  EXPECT_EQ(range(p::CreateTopicsRequest::kApiKey), Range(0, 7));
  EXPECT_EQ(range(p::DeleteTopicsRequest::kApiKey), Range(0, 6));
  EXPECT_EQ(range(p::DeleteRecordsRequest::kApiKey), Range(0, 2));
  EXPECT_EQ(range(p::DescribeConfigsRequest::kApiKey), Range(0, 4));
  EXPECT_EQ(range(p::AlterConfigsRequest::kApiKey), Range(0, 2));
  EXPECT_EQ(range(p::DescribeLogDirsRequest::kApiKey), Range(0, 4));
  EXPECT_EQ(range(p::CreatePartitionsRequest::kApiKey), Range(0, 3));
  EXPECT_EQ(range(p::IncrementalAlterConfigsRequest::kApiKey), Range(0, 1));
  EXPECT_EQ(range(p::DescribeClusterRequest::kApiKey), Range(0, 2));
}

TEST_F(AdminHandlersTest, CreateTopicsEveryVersion) {
  for (int16_t v = handlers::CreateTopicsHandler::kMinVersion;
       v <= handlers::CreateTopicsHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("v" + std::to_string(v));
    const std::string name = "created-v" + std::to_string(v);
    p::CreateTopicsRequest req;
    p::CreateTopicsRequest::CreatableTopic t;
    t.name = name;
    t.num_partitions = v >= 4 ? -1 : 3;  // -1 = num.partitions (2)
    t.replication_factor = v >= 4 ? int16_t{-1} : int16_t{1};
    t.configs.push_back({"retention.ms", "1000", {}});
    req.topics.push_back(t);
    auto resp = call<p::CreateTopicsResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    ASSERT_EQ(resp->topics.size(), 1u);
    const auto& r = resp->topics[0];
    EXPECT_EQ(r.name, name);
    EXPECT_EQ(r.error_code, 0) << r.error_message.value_or("");
    const int32_t expected_partitions = v >= 4 ? 2 : 3;
    if (v >= 5) {
      EXPECT_EQ(r.num_partitions, expected_partitions);
      EXPECT_EQ(r.replication_factor, 1);
      ASSERT_TRUE(r.configs.has_value());
      EXPECT_EQ(r.configs->size(), 31u);
      bool found = false;
      for (const auto& c : *r.configs) {
        if (c.name == "retention.ms") {
          found = true;
          EXPECT_EQ(c.value, "1000");
          EXPECT_EQ(c.config_source, 1);  // TOPIC_CONFIG
        }
        if (c.name == "segment.ms") {
          EXPECT_EQ(c.config_source, 5);  // DEFAULT_CONFIG
        }
      }
      EXPECT_TRUE(found);
    }
    if (v >= 7) {
      EXPECT_FALSE(r.topic_id.is_zero());
    }
    // The topic exists with its partitions and config.
    p::MetadataRequest md;
    md.topics = std::vector<p::MetadataRequest::MetadataRequestTopic>{{}};
    md.topics->at(0).name = name;
    auto mresp = call<p::MetadataResponse>(md, 4);
    ASSERT_TRUE(mresp.has_value());
    ASSERT_EQ(mresp->topics.size(), 1u);
    EXPECT_EQ(mresp->topics[0].error_code, 0);
    EXPECT_EQ(static_cast<int32_t>(mresp->topics[0].partitions.size()), expected_partitions);
    EXPECT_EQ(config_value(name, "retention.ms"), "1000");
  }
}

TEST_F(AdminHandlersTest, CreateTopicsErrors) {
  ASSERT_EQ(create("exists").error_code, 0);
  p::CreateTopicsRequest req;
  auto topic = [](std::string name, int32_t partitions) {
    p::CreateTopicsRequest::CreatableTopic t;
    t.name = std::move(name);
    t.num_partitions = partitions;
    t.replication_factor = 1;
    return t;
  };
  req.topics.push_back(topic("dup", 1));
  req.topics.push_back(topic("exists", 1));
  req.topics.push_back(topic("dup", 1));
  req.topics.push_back(topic("bad/name", 1));
  req.topics.push_back(topic("zero", 0));
  auto gz = topic("gzip", 1);
  gz.configs.push_back({"compression.type", "gzip", {}});
  req.topics.push_back(gz);
  auto null_value = topic("nullvalue", 1);
  null_value.configs.push_back({"retention.ms", std::nullopt, {}});
  req.topics.push_back(null_value);
  auto unknown = topic("unknowncfg", 1);
  unknown.configs.push_back({"retention.msec", "1", {}});
  req.topics.push_back(unknown);
  req.topics.push_back(topic("fine", 1));
  auto resp = call<p::CreateTopicsResponse>(req, 5);
  ASSERT_TRUE(resp.has_value());
  std::vector<std::pair<std::string, int16_t>> got;
  for (const auto& r : resp->topics) got.emplace_back(r.name, r.error_code);
  std::vector<std::pair<std::string, int16_t>> want = {
      {"dup", code(ErrorCode::kInvalidRequest)},
      {"exists", code(ErrorCode::kTopicAlreadyExists)},
      {"bad/name", code(ErrorCode::kInvalidTopicException)},
      {"zero", code(ErrorCode::kInvalidPartitions)},
      {"gzip", code(ErrorCode::kInvalidConfig)},
      {"nullvalue", code(ErrorCode::kInvalidConfig)},
      {"unknowncfg", code(ErrorCode::kInvalidConfig)},
      {"fine", 0},
  };
  EXPECT_EQ(got, want);
  for (const auto& r : resp->topics) {
    if (r.error_code != 0) {
      EXPECT_TRUE(r.error_message.has_value() && !r.error_message->empty()) << r.name;
      EXPECT_EQ(r.num_partitions, -1) << r.name;
    }
    if (r.name == "gzip") {
      EXPECT_NE(r.error_message->find("compression.type=gzip is not supported yet"),
                std::string::npos)
          << *r.error_message;
    }
  }
}

TEST_F(AdminHandlersTest, CreateTopicsValidateOnlyCreatesNothing) {
  auto r = create("dry", 4, {{"cleanup.policy", "compact"}}, /*validate_only=*/true);
  EXPECT_EQ(r.error_code, 0) << r.error_message.value_or("");
  // Created for real afterwards: it did not exist.
  EXPECT_EQ(create("dry", 1).error_code, 0);
}

TEST_F(AdminHandlersTest, CreateTopicsWithAssignments) {
  p::CreateTopicsRequest req;
  p::CreateTopicsRequest::CreatableTopic t;
  t.name = "assigned";
  t.num_partitions = -1;
  t.replication_factor = -1;
  t.assignments.push_back({0, {1}, {}});
  t.assignments.push_back({1, {1}, {}});
  req.topics.push_back(t);
  auto resp = call<p::CreateTopicsResponse>(req, 7);
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->topics.at(0).error_code, 0) << resp->topics[0].error_message.value_or("");
  EXPECT_EQ(resp->topics.at(0).num_partitions, 2);
  // An assignment naming an unknown broker is refused.
  req.topics[0].name = "assigned-bad";
  req.topics[0].assignments[1].broker_ids = {7};
  resp = call<p::CreateTopicsResponse>(req, 7);
  ASSERT_TRUE(resp.has_value());
  EXPECT_NE(resp->topics.at(0).error_code, 0);
}

TEST_F(AdminHandlersTest, DeleteTopicsEveryVersion) {
  for (int16_t v = handlers::DeleteTopicsHandler::kMinVersion;
       v <= handlers::DeleteTopicsHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("v" + std::to_string(v));
    const std::string name = "doomed-v" + std::to_string(v);
    ASSERT_EQ(create(name).error_code, 0);
    p::DeleteTopicsRequest req;
    req.timeout_ms = 5000;
    if (v >= 6) {
      req.topics.push_back({name, p::Uuid{}, {}});
      req.topics.push_back({"never-was", p::Uuid{}, {}});
    } else {
      req.topic_names = {name, "never-was"};
    }
    auto resp = call<p::DeleteTopicsResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    ASSERT_EQ(resp->responses.size(), 2u);
    EXPECT_EQ(resp->responses[0].name, name);
    EXPECT_EQ(resp->responses[0].error_code, 0) << resp->responses[0].error_message.value_or("");
    EXPECT_EQ(resp->responses[1].error_code, code(ErrorCode::kUnknownTopicOrPartition));
    if (v >= 5) {
      EXPECT_TRUE(resp->responses[1].error_message.has_value());
    }
    if (v >= 6) {
      EXPECT_FALSE(resp->responses[0].topic_id.is_zero());
    }
    // Gone: it can be created again.
    EXPECT_EQ(create(name).error_code, 0);
  }
}

TEST_F(AdminHandlersTest, DeleteTopicsByIdAndBadEntries) {
  p::CreateTopicsRequest creq;
  creq.topics.push_back({"by-id", 1, 1, {}, {}, {}});
  auto created = call<p::CreateTopicsResponse>(creq, 7);
  ASSERT_TRUE(created.has_value());
  const p::Uuid id = created->topics.at(0).topic_id;
  ASSERT_FALSE(id.is_zero());
  p::Uuid unknown;
  unknown.bytes[0] = 42;

  p::DeleteTopicsRequest req;
  req.topics.push_back({std::nullopt, id, {}});
  req.topics.push_back({std::nullopt, unknown, {}});
  req.topics.push_back({"both", id, {}});
  req.topics.push_back({std::nullopt, p::Uuid{}, {}});
  auto resp = call<p::DeleteTopicsResponse>(req, 6);
  ASSERT_TRUE(resp.has_value());
  ASSERT_EQ(resp->responses.size(), 4u);
  EXPECT_EQ(resp->responses[0].error_code, 0) << resp->responses[0].error_message.value_or("");
  EXPECT_EQ(resp->responses[0].name, "by-id");
  EXPECT_EQ(resp->responses[0].topic_id, id);
  EXPECT_EQ(resp->responses[1].error_code, code(ErrorCode::kUnknownTopicId));
  EXPECT_EQ(resp->responses[1].name, std::nullopt);
  EXPECT_EQ(resp->responses[2].error_code, code(ErrorCode::kInvalidRequest));
  EXPECT_EQ(resp->responses[3].error_code, code(ErrorCode::kInvalidRequest));

  // A name listed twice is answered once.
  ASSERT_EQ(create("twice").error_code, 0);
  p::DeleteTopicsRequest twice;
  twice.topic_names = {"twice", "twice"};
  auto tresp = call<p::DeleteTopicsResponse>(twice, 4);
  ASSERT_TRUE(tresp.has_value());
  ASSERT_EQ(tresp->responses.size(), 1u);
  EXPECT_EQ(tresp->responses[0].error_code, code(ErrorCode::kInvalidRequest));
}

TEST_F(AdminHandlersTest, CreatePartitionsEveryVersion) {
  ASSERT_EQ(create("grows", 1).error_code, 0);
  for (int16_t v = handlers::CreatePartitionsHandler::kMinVersion;
       v <= handlers::CreatePartitionsHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("v" + std::to_string(v));
    const int32_t total = 2 + v;
    p::CreatePartitionsRequest req;
    req.timeout_ms = 5000;
    req.topics.push_back({"grows", total, std::nullopt, {}});
    req.topics.push_back({"no-such-topic", 5, std::nullopt, {}});
    // validate_only first: nothing changes.
    req.validate_only = true;
    auto dry = call<p::CreatePartitionsResponse>(req, v);
    ASSERT_TRUE(dry.has_value());
    ASSERT_EQ(dry->results.size(), 2u);
    EXPECT_EQ(dry->results[0].error_code, 0) << dry->results[0].error_message.value_or("");
    req.validate_only = false;
    auto resp = call<p::CreatePartitionsResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    ASSERT_EQ(resp->results.size(), 2u);
    EXPECT_EQ(resp->results[0].name, "grows");
    EXPECT_EQ(resp->results[0].error_code, 0) << resp->results[0].error_message.value_or("");
    EXPECT_EQ(resp->results[0].error_message, std::nullopt);
    EXPECT_EQ(resp->results[1].error_code, code(ErrorCode::kUnknownTopicOrPartition));
    // The same count again is not an increase.
    auto again = call<p::CreatePartitionsResponse>(req, v);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->results[0].error_code, code(ErrorCode::kInvalidPartitions));
  }
  p::MetadataRequest md;
  md.topics = std::vector<p::MetadataRequest::MetadataRequestTopic>{{}};
  md.topics->at(0).name = "grows";
  auto mresp = call<p::MetadataResponse>(md, 4);
  ASSERT_TRUE(mresp.has_value());
  EXPECT_EQ(mresp->topics.at(0).partitions.size(), 5u);
}

TEST_F(AdminHandlersTest, DescribeConfigsEveryVersion) {
  ASSERT_EQ(create("described", 1, {{"retention.ms", "1234"}}).error_code, 0);
  for (int16_t v = handlers::DescribeConfigsHandler::kMinVersion;
       v <= handlers::DescribeConfigsHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("v" + std::to_string(v));
    p::DescribeConfigsRequest req;
    req.resources.push_back({2, "described", std::nullopt, {}});
    req.resources.push_back(
        {2, "described", std::vector<std::string>{"retention.ms", "bogus"}, {}});
    req.resources.push_back({2, "missing", std::nullopt, {}});
    req.include_synonyms = true;
    req.include_documentation = true;
    auto resp = call<p::DescribeConfigsResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    ASSERT_EQ(resp->results.size(), 3u);
    const auto& all = resp->results[0];
    EXPECT_EQ(all.error_code, 0);
    EXPECT_EQ(all.resource_type, 2);
    EXPECT_EQ(all.resource_name, "described");
    EXPECT_EQ(all.configs.size(), 31u);
    for (const auto& c : all.configs) {
      if (c.name == "retention.ms") {
        EXPECT_EQ(c.value, "1234");
        if (v == 0) {
          EXPECT_FALSE(c.is_default);
        }
        if (v >= 1) {
          EXPECT_EQ(c.config_source, 1);
          ASSERT_GE(c.synonyms.size(), 2u);
          EXPECT_EQ(c.synonyms[0].name, "retention.ms");
          EXPECT_EQ(c.synonyms[1].name, "log.retention.hours");
          EXPECT_EQ(c.synonyms[1].value, "5");
          EXPECT_EQ(c.synonyms[1].source, 4);  // STATIC_BROKER_CONFIG
        }
      }
      if (c.name == "segment.bytes") {
        if (v == 0) {
          EXPECT_TRUE(c.is_default);
        }
        if (v >= 1) {
          EXPECT_EQ(c.config_source, 5);
        }
      }
      if (v >= 3) {
        EXPECT_NE(c.config_type, 0) << c.name;
        EXPECT_TRUE(c.documentation.has_value() && !c.documentation->empty()) << c.name;
      }
    }
    const auto& filtered = resp->results[1];
    ASSERT_EQ(filtered.configs.size(), 1u);
    EXPECT_EQ(filtered.configs[0].name, "retention.ms");
    EXPECT_EQ(resp->results[2].error_code, code(ErrorCode::kUnknownTopicOrPartition));
    EXPECT_TRUE(resp->results[2].configs.empty());
  }
  // Without include_synonyms / include_documentation.
  p::DescribeConfigsRequest plain;
  plain.resources.push_back({2, "described", std::vector<std::string>{"retention.ms"}, {}});
  auto resp = call<p::DescribeConfigsResponse>(plain, 4);
  ASSERT_TRUE(resp.has_value());
  ASSERT_EQ(resp->results.at(0).configs.size(), 1u);
  EXPECT_TRUE(resp->results[0].configs[0].synonyms.empty());
  EXPECT_EQ(resp->results[0].configs[0].documentation, std::nullopt);
  EXPECT_EQ(resp->results[0].configs[0].config_type, 5);  // LONG
}

TEST_F(AdminHandlersTest, DescribeConfigsBrokerAndBadResources) {
  p::DescribeConfigsRequest req;
  req.resources.push_back({4, "1", std::nullopt, {}});
  req.resources.push_back({4, "", std::vector<std::string>{"num.partitions"}, {}});
  req.resources.push_back({4, "2", std::nullopt, {}});
  req.resources.push_back({4, "x", std::nullopt, {}});
  req.resources.push_back({8, "1", std::nullopt, {}});
  req.resources.push_back({2, "bad/name", std::nullopt, {}});
  req.include_synonyms = true;
  auto resp = call<p::DescribeConfigsResponse>(req, 2);
  ASSERT_TRUE(resp.has_value());
  ASSERT_EQ(resp->results.size(), 6u);
  EXPECT_EQ(resp->results[0].error_code, 0);
  bool saw_retention = false;
  for (const auto& c : resp->results[0].configs) {
    EXPECT_TRUE(c.read_only) << c.name;
    if (c.name == "log.retention.hours") {
      saw_retention = true;
      EXPECT_EQ(c.value, "5");
      EXPECT_EQ(c.config_source, 4);
    }
  }
  EXPECT_TRUE(saw_retention);
  ASSERT_EQ(resp->results[1].configs.size(), 1u);
  EXPECT_EQ(resp->results[1].configs[0].value, "2");
  EXPECT_EQ(resp->results[2].error_code, code(ErrorCode::kInvalidRequest));
  EXPECT_EQ(resp->results[3].error_code, code(ErrorCode::kInvalidRequest));
  EXPECT_EQ(resp->results[4].error_code, code(ErrorCode::kInvalidRequest));
  EXPECT_EQ(resp->results[5].error_code, code(ErrorCode::kInvalidTopicException));
}

TEST_F(AdminHandlersTest, AlterConfigsEveryVersionReplacesAll) {
  ASSERT_EQ(create("altered", 1, {{"retention.ms", "1000"}}).error_code, 0);
  for (int16_t v = handlers::AlterConfigsHandler::kMinVersion;
       v <= handlers::AlterConfigsHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("v" + std::to_string(v));
    const std::string segment_ms = std::to_string(100000 + v);
    p::AlterConfigsRequest req;
    req.resources.push_back({2, "altered", {{"segment.ms", segment_ms, {}}}, {}});
    req.validate_only = true;
    auto dry = call<p::AlterConfigsResponse>(req, v);
    ASSERT_TRUE(dry.has_value());
    EXPECT_EQ(dry->responses.at(0).error_code, 0) << dry->responses[0].error_message.value_or("");
    EXPECT_NE(config_value("altered", "segment.ms"), segment_ms);
    req.validate_only = false;
    auto resp = call<p::AlterConfigsResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    ASSERT_EQ(resp->responses.size(), 1u);
    EXPECT_EQ(resp->responses[0].error_code, 0) << resp->responses[0].error_message.value_or("");
    EXPECT_EQ(resp->responses[0].resource_type, 2);
    EXPECT_EQ(resp->responses[0].resource_name, "altered");
    EXPECT_EQ(config_value("altered", "segment.ms"), segment_ms);
    // retention.ms was not in the set: back to the node's default (log.retention.hours=5).
    int8_t source = 0;
    EXPECT_EQ(config_value("altered", "retention.ms", &source), "18000000");
    EXPECT_EQ(source, 4);
  }
  p::AlterConfigsRequest bad;
  bad.resources.push_back({2, "altered", {{"compression.type", "zstd", {}}}, {}});
  bad.resources.push_back({2, "nope", {{"retention.ms", "1", {}}}, {}});
  bad.resources.push_back({4, "1", {{"log.retention.hours", "1", {}}}, {}});
  bad.resources.push_back({2, "altered", {{"retention.ms", std::nullopt, {}}}, {}});
  auto resp = call<p::AlterConfigsResponse>(bad, 1);
  ASSERT_TRUE(resp.has_value());
  ASSERT_EQ(resp->responses.size(), 4u);
  // "altered" is listed twice: both refused as duplicates.
  EXPECT_EQ(resp->responses[0].error_code, code(ErrorCode::kInvalidRequest));
  EXPECT_EQ(resp->responses[1].error_code, code(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(resp->responses[2].error_code, code(ErrorCode::kInvalidConfig));
  EXPECT_EQ(resp->responses[3].error_code, code(ErrorCode::kInvalidRequest));
  p::AlterConfigsRequest unsupported;
  unsupported.resources.push_back({2, "altered", {{"compression.type", "zstd", {}}}, {}});
  resp = call<p::AlterConfigsResponse>(unsupported, 0);
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->responses.at(0).error_code, code(ErrorCode::kInvalidConfig));
  EXPECT_EQ(config_value("altered", "compression.type"), "producer");
}

TEST_F(AdminHandlersTest, IncrementalAlterConfigsEveryVersion) {
  for (int16_t v = handlers::IncrementalAlterConfigsHandler::kMinVersion;
       v <= handlers::IncrementalAlterConfigsHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("v" + std::to_string(v));
    const std::string topic = "incr-v" + std::to_string(v);
    ASSERT_EQ(create(topic, 1, {{"retention.ms", "1000"}}).error_code, 0);
    auto alter = [&](std::vector<p::IncrementalAlterConfigsRequest::AlterableConfig> configs,
                     bool validate_only = false) {
      p::IncrementalAlterConfigsRequest req;
      req.resources.push_back({2, topic, std::move(configs), {}});
      req.validate_only = validate_only;
      auto resp = call<p::IncrementalAlterConfigsResponse>(req, v);
      EXPECT_TRUE(resp.has_value());
      if (!resp || resp->responses.size() != 1) return int16_t{-2};
      EXPECT_EQ(resp->responses[0].resource_name, topic);
      return resp->responses[0].error_code;
    };
    // SET keeps the other configs.
    EXPECT_EQ(alter({{"segment.ms", 0, "200000", {}}}), 0);
    EXPECT_EQ(config_value(topic, "segment.ms"), "200000");
    EXPECT_EQ(config_value(topic, "retention.ms"), "1000");
    // DELETE resets one.
    EXPECT_EQ(alter({{"retention.ms", 1, std::nullopt, {}}}), 0);
    EXPECT_EQ(config_value(topic, "retention.ms"), "18000000");
    // APPEND / SUBTRACT on a list.
    EXPECT_EQ(alter({{"cleanup.policy", 2, "compact", {}}}), 0);
    EXPECT_EQ(config_value(topic, "cleanup.policy"), "delete,compact");
    EXPECT_EQ(alter({{"cleanup.policy", 3, "delete", {}}}), 0);
    EXPECT_EQ(config_value(topic, "cleanup.policy"), "compact");
    // validate_only changes nothing.
    EXPECT_EQ(alter({{"segment.ms", 0, "300000", {}}}, true), 0);
    EXPECT_EQ(config_value(topic, "segment.ms"), "200000");
    // Errors: APPEND to a non-list, unknown operation, null SET value, bad value, unknown key.
    EXPECT_EQ(alter({{"retention.ms", 2, "5", {}}}), code(ErrorCode::kInvalidConfig));
    EXPECT_EQ(alter({{"retention.ms", 9, "5", {}}}), code(ErrorCode::kInvalidRequest));
    EXPECT_EQ(alter({{"retention.ms", 0, std::nullopt, {}}}), code(ErrorCode::kInvalidRequest));
    EXPECT_EQ(alter({{"remote.storage.enable", 0, "true", {}}}), code(ErrorCode::kInvalidConfig));
    EXPECT_EQ(alter({{"retention.msec", 0, "5", {}}}), code(ErrorCode::kInvalidConfig));
    EXPECT_EQ(alter({{"segment.ms", 0, "400000", {}}, {"segment.ms", 0, "500000", {}}}),
              code(ErrorCode::kInvalidRequest));
    // All or nothing: a bad entry keeps the good one from applying.
    EXPECT_EQ(alter({{"segment.ms", 0, "600000", {}}, {"segment.bytes", 0, "1", {}}}),
              code(ErrorCode::kInvalidConfig));
    EXPECT_EQ(config_value(topic, "segment.ms"), "200000");
  }
  // Brokers are read-only; an empty change set for this broker is fine.
  p::IncrementalAlterConfigsRequest req;
  req.resources.push_back({4, "1", {{"log.retention.hours", 0, "1", {}}}, {}});
  req.resources.push_back({4, "", {}, {}});
  auto resp = call<p::IncrementalAlterConfigsResponse>(req, 1);
  ASSERT_TRUE(resp.has_value());
  ASSERT_EQ(resp->responses.size(), 2u);
  EXPECT_EQ(resp->responses[0].error_code, code(ErrorCode::kInvalidConfig));
  EXPECT_EQ(resp->responses[1].error_code, 0);
}

TEST_F(AdminHandlersTest, DescribeClusterEveryVersion) {
  for (int16_t v = handlers::DescribeClusterHandler::kMinVersion;
       v <= handlers::DescribeClusterHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("v" + std::to_string(v));
    p::DescribeClusterRequest req;
    auto resp = call<p::DescribeClusterResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    EXPECT_EQ(resp->error_code, 0);
    EXPECT_FALSE(resp->cluster_id.empty());
    EXPECT_EQ(resp->controller_id, 1);
    ASSERT_EQ(resp->brokers.size(), 1u);
    EXPECT_EQ(resp->brokers[0].broker_id, 1);
    EXPECT_EQ(resp->brokers[0].host, "127.0.0.1");
    EXPECT_EQ(resp->brokers[0].rack, std::nullopt);
    EXPECT_EQ(resp->cluster_authorized_operations, std::numeric_limits<int32_t>::min());
    req.include_cluster_authorized_operations = true;
    resp = call<p::DescribeClusterResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    EXPECT_GT(resp->cluster_authorized_operations, 0);
    EXPECT_TRUE(resp->cluster_authorized_operations & (1 << 8));  // DESCRIBE
  }
  p::DescribeClusterRequest controllers;
  controllers.endpoint_type = 2;
  auto resp = call<p::DescribeClusterResponse>(controllers, 1);
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->error_code, 114);  // UNSUPPORTED_ENDPOINT_TYPE
}

TEST_F(AdminHandlersTest, DescribeLogDirsEveryVersion) {
  ASSERT_EQ(create("sized", 3).error_code, 0);
  produce("sized", 1, 3);
  for (int16_t v = handlers::DescribeLogDirsHandler::kMinVersion;
       v <= handlers::DescribeLogDirsHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("v" + std::to_string(v));
    for (bool all : {true, false}) {
      p::DescribeLogDirsRequest req;
      if (all) {
        req.topics = std::nullopt;
      } else {
        req.topics = std::vector<p::DescribeLogDirsRequest::DescribableLogDirTopic>{
            {"sized", {1, 2, 9}, {}}, {"nope", {0}, {}}};
      }
      auto resp = call<p::DescribeLogDirsResponse>(req, v);
      ASSERT_TRUE(resp.has_value());
      ASSERT_EQ(resp->results.size(), 2u);
      EXPECT_EQ(resp->results[0].log_dir, dir_ + "/a");
      EXPECT_EQ(resp->results[1].log_dir, dir_ + "/b");
      std::map<int32_t, int64_t> sizes;
      for (const auto& r : resp->results) {
        EXPECT_EQ(r.error_code, 0);
        if (v >= 4) {
          EXPECT_GT(r.total_bytes, 0);
          EXPECT_GE(r.usable_bytes, 0);
        }
        for (const auto& t : r.topics) {
          EXPECT_EQ(t.name, "sized");
          for (const auto& part : t.partitions) {
            EXPECT_TRUE(sizes.emplace(part.partition_index, part.partition_size).second);
            EXPECT_EQ(part.offset_lag, 0);
            EXPECT_FALSE(part.is_future_key);
          }
        }
      }
      EXPECT_EQ(sizes.size(), all ? 3u : 2u);
      EXPECT_GT(sizes[1], 0);
      EXPECT_EQ(sizes[2], 0);
    }
  }
}

TEST_F(AdminHandlersTest, DeleteRecordsEveryVersion) {
  ASSERT_EQ(create("trimmed", 1).error_code, 0);
  produce("trimmed", 0, 10);
  int64_t expected_low = 0;
  for (int16_t v = handlers::DeleteRecordsHandler::kMinVersion;
       v <= handlers::DeleteRecordsHandler::kMaxVersion; ++v) {
    SCOPED_TRACE("v" + std::to_string(v));
    expected_low += 2;
    p::DeleteRecordsRequest req;
    req.timeout_ms = 5000;
    req.topics.push_back({"trimmed", {{0, expected_low, {}}, {5, 1, {}}}, {}});
    req.topics.push_back({"gone", {{0, 1, {}}}, {}});
    auto resp = call<p::DeleteRecordsResponse>(req, v);
    ASSERT_TRUE(resp.has_value());
    ASSERT_EQ(resp->topics.size(), 2u);
    ASSERT_EQ(resp->topics[0].partitions.size(), 2u);
    EXPECT_EQ(resp->topics[0].partitions[0].error_code, 0);
    EXPECT_EQ(resp->topics[0].partitions[0].low_watermark, expected_low);
    EXPECT_EQ(resp->topics[0].partitions[1].error_code, code(ErrorCode::kUnknownTopicOrPartition));
    EXPECT_EQ(resp->topics[0].partitions[1].low_watermark, -1);
    EXPECT_EQ(resp->topics[1].partitions.at(0).error_code,
              code(ErrorCode::kUnknownTopicOrPartition));
  }
  // Above the high watermark: refused; -1: up to the high watermark.
  p::DeleteRecordsRequest req;
  req.topics.push_back({"trimmed", {{0, 11, {}}}, {}});
  auto resp = call<p::DeleteRecordsResponse>(req, 2);
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->topics.at(0).partitions.at(0).error_code, code(ErrorCode::kOffsetOutOfRange));
  req.topics[0].partitions[0].offset = -1;
  resp = call<p::DeleteRecordsResponse>(req, 2);
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->topics.at(0).partitions.at(0).error_code, 0);
  EXPECT_EQ(resp->topics.at(0).partitions.at(0).low_watermark, 10);

  // A compact-only topic refuses.
  ASSERT_EQ(create("compacted", 1, {{"cleanup.policy", "compact"}}).error_code, 0);
  p::DeleteRecordsRequest compact;
  compact.topics.push_back({"compacted", {{0, 0, {}}}, {}});
  resp = call<p::DeleteRecordsResponse>(compact, 1);
  ASSERT_TRUE(resp.has_value());
  EXPECT_EQ(resp->topics.at(0).partitions.at(0).error_code, code(ErrorCode::kPolicyViolation));
}

}  // namespace
}  // namespace keel::broker
