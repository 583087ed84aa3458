// Tests of broker/topic_config/topic_configs.h: the table, sources and synonyms, broker
// overrides, validation, effective values and the LogConfig mapping.
#include "broker/topic_config/topic_configs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "broker/config/broker_config.h"
#include "broker/topic_config/topic_config_defs.h"
#include "protocol/error_code.h"

namespace keel::broker {
namespace {

using Map = std::map<std::string, std::string>;

BrokerConfig load(std::vector<std::string> overrides) {
  overrides.insert(overrides.begin(), "node.id=1");
  absl::StatusOr<BrokerConfig> c = load_broker_config(std::nullopt, overrides);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : BrokerConfig{};
}

const ConfigEntry& entry(const std::vector<ConfigEntry>& entries, const std::string& name) {
  auto it = std::find_if(entries.begin(), entries.end(),
                         [&](const ConfigEntry& e) { return e.name == name; });
  EXPECT_NE(it, entries.end()) << name;
  static const ConfigEntry kMissing;
  return it == entries.end() ? kMissing : *it;
}

std::string synonyms_text(const ConfigEntry& e) {
  std::string out;
  for (const ConfigSynonym& s : e.synonyms) {
    if (!out.empty()) out += " ";
    out +=
        std::to_string(static_cast<int>(s.source)) + ":" + s.name + "=" + s.value.value_or("null");
  }
  return out;
}

void expect_invalid(const TopicConfigs& tc, const Map& dynamic, const std::string& fragment) {
  absl::Status s = tc.validate(dynamic);
  EXPECT_FALSE(s.ok()) << "accepted: " << dynamic.begin()->first << "=" << dynamic.begin()->second;
  EXPECT_EQ(protocol::to_error_code(s), protocol::ErrorCode::kInvalidConfig) << s;
  EXPECT_NE(std::string(s.message()).find(fragment), std::string::npos)
      << "'" << s.message() << "' lacks '" << fragment << "'";
}

const std::vector<std::string> kKafkaTopicConfigs = {
    "cleanup.policy",
    "compression.type",
    "delete.retention.ms",
    "file.delete.delay.ms",
    "flush.messages",
    "flush.ms",
    "follower.replication.throttled.replicas",
    "index.interval.bytes",
    "leader.replication.throttled.replicas",
    "local.retention.bytes",
    "local.retention.ms",
    "max.compaction.lag.ms",
    "max.message.bytes",
    "message.downconversion.enable",
    "message.format.version",
    "message.timestamp.after.max.ms",
    "message.timestamp.before.max.ms",
    "message.timestamp.difference.max.ms",
    "message.timestamp.type",
    "min.cleanable.dirty.ratio",
    "min.compaction.lag.ms",
    "min.insync.replicas",
    "preallocate",
    "remote.storage.enable",
    "retention.bytes",
    "retention.ms",
    "segment.bytes",
    "segment.index.bytes",
    "segment.jitter.ms",
    "segment.ms",
    "unclean.leader.election.enable",
};

TEST(TopicConfigsTest, DescribeListsEveryKafkaTopicConfigInNameOrder) {
  TopicConfigs tc(load({}));
  std::vector<ConfigEntry> entries = tc.describe({});
  std::vector<std::string> names;
  for (const ConfigEntry& e : entries) names.push_back(e.name);
  EXPECT_EQ(names, kKafkaTopicConfigs);
  EXPECT_EQ(tc.names(), kKafkaTopicConfigs);
  for (const ConfigEntry& e : entries) {
    EXPECT_TRUE(e.value.has_value()) << e.name;
    EXPECT_FALSE(e.read_only) << e.name;
    EXPECT_FALSE(e.sensitive) << e.name;
    EXPECT_NE(e.type, DescribedType::kUnknown) << e.name;
    EXPECT_FALSE(e.documentation.empty()) << e.name;
    EXPECT_NE(e.source, ConfigSource::kTopicConfig) << e.name;
  }
}

TEST(TopicConfigsTest, EveryDefaultValidatesAndIsWhatDescribeShows) {
  TopicConfigs tc(load({}));
  std::vector<ConfigEntry> entries = tc.describe({});
  for (const TopicConfigSpec& spec : topic_config_specs()) {
    const std::string name(spec.name);
    EXPECT_TRUE(tc.validate({{name, std::string(spec.kafka_default)}}).ok()) << name;
    // With Kafka's broker defaults, the node default is Kafka's topic default.
    EXPECT_EQ(entry(entries, name).value, std::string(spec.kafka_default)) << name;
    EXPECT_EQ(tc.effective(name, {}), std::string(spec.kafka_default)) << name;
  }
}

TEST(TopicConfigsTest, DefaultSourcesAndSynonyms) {
  TopicConfigs tc(load({}));
  std::vector<ConfigEntry> entries = tc.describe({});
  // A broker property with a default: DEFAULT_CONFIG synonym.
  const ConfigEntry& seg = entry(entries, "segment.bytes");
  EXPECT_EQ(seg.source, ConfigSource::kDefaultConfig);
  EXPECT_EQ(synonyms_text(seg), "5:log.segment.bytes=1073741824");
  EXPECT_EQ(seg.type, DescribedType::kInt);
  // retention.ms: log.retention.ms and .minutes have no default, .hours has.
  const ConfigEntry& ret = entry(entries, "retention.ms");
  EXPECT_EQ(ret.value, "604800000");
  EXPECT_EQ(synonyms_text(ret), "5:log.retention.hours=168");
  EXPECT_EQ(ret.type, DescribedType::kLong);
  EXPECT_EQ(synonyms_text(entry(entries, "max.message.bytes")), "5:message.max.bytes=1048588");
  EXPECT_EQ(synonyms_text(entry(entries, "cleanup.policy")), "5:log.cleanup.policy=delete");
  EXPECT_EQ(entry(entries, "cleanup.policy").type, DescribedType::kList);
  EXPECT_EQ(synonyms_text(entry(entries, "min.insync.replicas")), "5:min.insync.replicas=1");
  EXPECT_EQ(synonyms_text(entry(entries, "segment.ms")), "5:log.roll.hours=168");
  EXPECT_EQ(entry(entries, "min.cleanable.dirty.ratio").type, DescribedType::kDouble);
  EXPECT_EQ(entry(entries, "preallocate").type, DescribedType::kBoolean);
  // Broker properties Keel does not have are not listed; no default → no synonyms.
  const ConfigEntry& comp = entry(entries, "compression.type");
  EXPECT_EQ(comp.value, "producer");
  EXPECT_EQ(comp.source, ConfigSource::kDefaultConfig);
  EXPECT_TRUE(comp.synonyms.empty());
  const ConfigEntry& flush = entry(entries, "flush.ms");
  EXPECT_EQ(flush.value, "9223372036854775807");
  EXPECT_TRUE(flush.synonyms.empty());
}

TEST(TopicConfigsTest, BrokerOverridesFlowThrough) {
  TopicConfigs tc(
      load({"log.segment.bytes=1048576", "log.retention.hours=2", "message.max.bytes=2000000",
            "log.cleanup.policy=compact, delete", "min.insync.replicas=2",
            "log.message.timestamp.type=LogAppendTime", "log.roll.ms=60000",
            "unclean.leader.election.enable=TRUE", "log.flush.interval.ms=1000"}));
  std::vector<ConfigEntry> entries = tc.describe({});
  const ConfigEntry& seg = entry(entries, "segment.bytes");
  EXPECT_EQ(seg.value, "1048576");
  EXPECT_EQ(seg.source, ConfigSource::kStaticBrokerConfig);
  EXPECT_EQ(synonyms_text(seg), "4:log.segment.bytes=1048576 5:log.segment.bytes=1073741824");
  const ConfigEntry& ret = entry(entries, "retention.ms");
  EXPECT_EQ(ret.value, "7200000");
  EXPECT_EQ(ret.source, ConfigSource::kStaticBrokerConfig);
  EXPECT_EQ(synonyms_text(ret), "4:log.retention.hours=2 5:log.retention.hours=168");
  EXPECT_EQ(entry(entries, "max.message.bytes").value, "2000000");
  EXPECT_EQ(entry(entries, "cleanup.policy").value, "compact,delete");
  EXPECT_EQ(entry(entries, "min.insync.replicas").value, "2");
  EXPECT_EQ(entry(entries, "message.timestamp.type").value, "LogAppendTime");
  const ConfigEntry& roll = entry(entries, "segment.ms");
  EXPECT_EQ(roll.value, "60000");
  EXPECT_EQ(synonyms_text(roll), "4:log.roll.ms=60000 5:log.roll.hours=168");
  EXPECT_EQ(entry(entries, "unclean.leader.election.enable").value, "true");
  const ConfigEntry& flush = entry(entries, "flush.ms");
  EXPECT_EQ(flush.value, "1000");
  EXPECT_EQ(synonyms_text(flush), "4:log.flush.interval.ms=1000");
  EXPECT_EQ(tc.min_insync_replicas({}), 2);

  // The log config of a topic without settings is the node's default log config.
  absl::StatusOr<storage::LogConfig> node = default_log_config(
      load({"log.segment.bytes=1048576", "log.retention.hours=2", "message.max.bytes=2000000",
            "log.cleanup.policy=compact, delete", "log.message.timestamp.type=LogAppendTime",
            "log.roll.ms=60000", "log.flush.interval.ms=1000"}));
  ASSERT_TRUE(node.ok()) << node.status();
  absl::StatusOr<storage::LogConfig> topic = tc.log_config({});
  ASSERT_TRUE(topic.ok()) << topic.status();
  EXPECT_EQ(*topic, *node);
}

TEST(TopicConfigsTest, TypedBrokerConfigValuesAreUsedWithoutExplicitSettings) {
  BrokerConfig c;
  c.log_segment_bytes = 4096;
  c.log_retention_ms = -1;
  TopicConfigs tc(c);
  EXPECT_EQ(tc.effective("segment.bytes", {}), "4096");
  EXPECT_EQ(tc.effective("retention.ms", {}), "-1");
  absl::StatusOr<storage::LogConfig> lc = tc.log_config({});
  ASSERT_TRUE(lc.ok()) << lc.status();
  EXPECT_EQ(lc->segment_bytes, 4096);
  EXPECT_EQ(lc->retention_ms, -1);
}

TEST(TopicConfigsTest, TopicSettingsWinAndAreNormalized) {
  TopicConfigs tc(load({"log.retention.hours=2"}));
  Map dynamic = {{"retention.ms", " +1000 "},
                 {"cleanup.policy", "compact , delete"},
                 {"preallocate", "FALSE"},
                 {"min.insync.replicas", "3"}};
  ASSERT_TRUE(tc.validate(dynamic).ok()) << tc.validate(dynamic);
  std::vector<ConfigEntry> entries = tc.describe(dynamic);
  const ConfigEntry& ret = entry(entries, "retention.ms");
  EXPECT_EQ(ret.value, "1000");
  EXPECT_EQ(ret.source, ConfigSource::kTopicConfig);
  EXPECT_EQ(synonyms_text(ret),
            "1:retention.ms=1000 4:log.retention.hours=2 5:log.retention.hours=168");
  EXPECT_EQ(entry(entries, "cleanup.policy").value, "compact,delete");
  EXPECT_EQ(entry(entries, "preallocate").value, "false");
  EXPECT_EQ(entry(entries, "preallocate").source, ConfigSource::kTopicConfig);
  EXPECT_EQ(synonyms_text(entry(entries, "preallocate")), "1:preallocate=false");
  EXPECT_EQ(tc.effective("retention.ms", dynamic), "1000");
  EXPECT_EQ(tc.effective("no.such.config", dynamic), std::nullopt);
  EXPECT_EQ(tc.min_insync_replicas(dynamic), 3);
  EXPECT_EQ(tc.type_of("cleanup.policy"), DescribedType::kList);
  EXPECT_EQ(tc.type_of("retention.ms"), DescribedType::kLong);
  EXPECT_EQ(tc.type_of("nope"), std::nullopt);
}

TEST(TopicConfigsTest, LogConfigMapping) {
  TopicConfigs tc(load({}));
  Map dynamic = {{"segment.bytes", "1048576"},
                 {"segment.ms", "3600000"},
                 {"segment.index.bytes", "4096"},
                 {"index.interval.bytes", "100"},
                 {"max.message.bytes", "5000"},
                 {"flush.messages", "10"},
                 {"flush.ms", "2000"},
                 {"retention.ms", "-1"},
                 {"retention.bytes", "1000000"},
                 {"cleanup.policy", "compact"},
                 {"delete.retention.ms", "5"},
                 {"message.timestamp.type", "LogAppendTime"},
                 {"min.compaction.lag.ms", "7"},
                 {"min.insync.replicas", "2"}};
  ASSERT_TRUE(tc.validate(dynamic).ok()) << tc.validate(dynamic);
  absl::StatusOr<storage::LogConfig> lc = tc.log_config(dynamic);
  ASSERT_TRUE(lc.ok()) << lc.status();
  EXPECT_EQ(lc->segment_bytes, 1048576);
  EXPECT_EQ(lc->segment_ms, 3600000);
  EXPECT_EQ(lc->segment_index_bytes, 4096);
  EXPECT_EQ(lc->index_interval_bytes, 100);
  EXPECT_EQ(lc->max_message_bytes, 5000);
  EXPECT_EQ(lc->flush_messages, 10);
  EXPECT_EQ(lc->flush_ms, 2000);
  EXPECT_EQ(lc->retention_ms, -1);
  EXPECT_EQ(lc->retention_bytes, 1000000);
  EXPECT_TRUE(lc->cleanup_compact);
  EXPECT_FALSE(lc->cleanup_delete);
  EXPECT_EQ(lc->delete_retention_ms, 5);
  EXPECT_EQ(lc->timestamp_type, storage::TimestampType::kLogAppendTime);
  EXPECT_EQ(lc->min_compaction_lag_ms, 7);

  absl::StatusOr<storage::LogConfig> defaults = tc.log_config({});
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(*defaults, storage::LogConfig{});
}

TEST(TopicConfigsTest, ValidateRejectsUnknownNames) {
  TopicConfigs tc(load({}));
  expect_invalid(tc, {{"no.such.config", "1"}}, "Unknown topic config name: no.such.config");
  expect_invalid(tc, {{"retention.msx", "1"}}, "did you mean retention.ms?");
  expect_invalid(tc, {{"log.retention.ms", "1"}}, "the topic config is retention.ms");
}

TEST(TopicConfigsTest, ValidateRejectsBadValuesNamingKeyAndValue) {
  TopicConfigs tc(load({}));
  expect_invalid(tc, {{"retention.ms", "abc"}},
                 "Invalid value abc for configuration retention.ms: expected an integer");
  expect_invalid(tc, {{"retention.ms", "-2"}}, "Invalid value -2 for configuration retention.ms");
  expect_invalid(tc, {{"segment.bytes", "13"}}, "value must be at least 14");
  expect_invalid(tc, {{"segment.bytes", "3000000000"}}, "expected a 32-bit integer");
  expect_invalid(tc, {{"min.insync.replicas", "0"}}, "min.insync.replicas");
  expect_invalid(tc, {{"cleanup.policy", "compact,forever"}}, "'forever' is not one of");
  expect_invalid(tc, {{"cleanup.policy", ""}}, "cleanup.policy");
  expect_invalid(tc, {{"message.timestamp.type", "Now"}}, "expected one of CreateTime");
  expect_invalid(tc, {{"unclean.leader.election.enable", "yes"}}, "expected true or false");
  expect_invalid(tc, {{"min.cleanable.dirty.ratio", "1.5"}}, "min.cleanable.dirty.ratio");
  expect_invalid(tc, {{"min.cleanable.dirty.ratio", "half"}}, "expected a number");
  expect_invalid(tc, {{"compression.type", "brotli"}}, "expected one of uncompressed");
  expect_invalid(tc, {{"leader.replication.throttled.replicas", "0:1,x"}},
                 "<partition>:<broker id>");
  expect_invalid(tc, {{"message.format.version", "three"}}, "Kafka version");
  expect_invalid(tc, {{"local.retention.ms", "-3"}}, "local.retention.ms");
  EXPECT_TRUE(tc.validate({{"min.cleanable.dirty.ratio", "0.1"}}).ok());
  EXPECT_TRUE(tc.validate({{"leader.replication.throttled.replicas", "0:1, 1:2"}}).ok());
  EXPECT_TRUE(tc.validate({{"follower.replication.throttled.replicas", "*"}}).ok());
  EXPECT_TRUE(tc.validate({{"message.format.version", "2.8"}}).ok());
  EXPECT_TRUE(tc.validate({{"message.format.version", "0.10.2-IV0"}}).ok());
  EXPECT_TRUE(tc.validate({{"retention.bytes", "-5"}}).ok());
  EXPECT_TRUE(tc.validate({{"file.delete.delay.ms", "0"}}).ok());
  EXPECT_TRUE(tc.validate({{"message.downconversion.enable", "false"}}).ok());
  EXPECT_TRUE(tc.validate({{"local.retention.bytes", "1000"}}).ok());
  EXPECT_TRUE(tc.validate({}).ok());
}

TEST(TopicConfigsTest, ValidateRefusesWhatKeelCannotHonour) {
  TopicConfigs tc(load({}));
  expect_invalid(tc, {{"compression.type", "gzip"}},
                 "compression.type=gzip is not supported yet: Keel stores batches as produced");
  expect_invalid(tc, {{"compression.type", "uncompressed"}}, "not supported");
  expect_invalid(tc, {{"remote.storage.enable", "true"}},
                 "remote.storage.enable=true is not supported");
  expect_invalid(tc, {{"preallocate", "true"}}, "preallocate=true is not supported");
  expect_invalid(tc, {{"segment.jitter.ms", "10"}}, "segment.jitter.ms=10 is not supported");
  expect_invalid(tc, {{"message.timestamp.after.max.ms", "1000"}}, "not supported");
  expect_invalid(tc, {{"message.timestamp.before.max.ms", "1000"}}, "not supported");
  expect_invalid(tc, {{"message.timestamp.difference.max.ms", "1000"}}, "not supported");
  expect_invalid(tc, {{"max.compaction.lag.ms", "1000"}}, "not supported");
  EXPECT_TRUE(tc.validate({{"compression.type", "producer"}}).ok());
  EXPECT_TRUE(tc.validate({{"remote.storage.enable", "false"}}).ok());
}

TEST(TopicConfigsTest, ValidateChecksRulesAcrossConfigs) {
  TopicConfigs tc(load({"log.cleaner.min.compaction.lag.ms=10"}));
  // max.compaction.lag.ms only takes its default, so the rule is about the node's default.
  EXPECT_TRUE(tc.validate({{"min.compaction.lag.ms", "9223372036854775807"}}).ok());
  EXPECT_TRUE(tc.validate({{"min.compaction.lag.ms", "5"}}).ok());
}

TEST(TopicConfigsTest, CopiesAreIndependent) {
  TopicConfigs a(load({"log.segment.bytes=1048576"}));
  TopicConfigs b = a;
  EXPECT_EQ(b.effective("segment.bytes", {}), "1048576");
  b = TopicConfigs(load({}));
  EXPECT_EQ(b.effective("segment.bytes", {}), "1073741824");
  EXPECT_EQ(a.effective("segment.bytes", {}), "1048576");
}

TEST(DescribeBrokerConfigsTest, EveryPropertyWithSourceAndSynonyms) {
  std::vector<ConfigEntry> entries =
      describe_broker_configs(load({"log.segment.bytes=1048576", "num.partitions=3"}));
  std::set<std::string> names;
  for (const ConfigEntry& e : entries) {
    names.insert(e.name);
    EXPECT_TRUE(e.read_only) << e.name;
    EXPECT_NE(e.type, DescribedType::kUnknown) << e.name;
  }
  EXPECT_EQ(names.size(), entries.size());
  EXPECT_TRUE(
      std::is_sorted(entries.begin(), entries.end(),
                     [](const ConfigEntry& a, const ConfigEntry& b) { return a.name < b.name; }));
  const ConfigEntry& seg = entry(entries, "log.segment.bytes");
  EXPECT_EQ(seg.value, "1048576");
  EXPECT_EQ(seg.source, ConfigSource::kStaticBrokerConfig);
  EXPECT_EQ(synonyms_text(seg), "4:log.segment.bytes=1048576 5:log.segment.bytes=1073741824");
  const ConfigEntry& np = entry(entries, "num.partitions");
  EXPECT_EQ(np.value, "3");
  EXPECT_EQ(np.type, DescribedType::kInt);
  const ConfigEntry& node = entry(entries, "node.id");
  EXPECT_EQ(node.value, "1");
  EXPECT_EQ(node.source, ConfigSource::kStaticBrokerConfig);
  const ConfigEntry& ret = entry(entries, "log.retention.hours");
  EXPECT_EQ(ret.value, "168");
  EXPECT_EQ(ret.source, ConfigSource::kDefaultConfig);
  EXPECT_EQ(entry(entries, "log.retention.ms").value, std::nullopt);
  EXPECT_EQ(entry(entries, "log.cleanup.policy").type, DescribedType::kList);
  EXPECT_EQ(entry(entries, "auto.create.topics.enable").type, DescribedType::kBoolean);
}

}  // namespace
}  // namespace keel::broker
