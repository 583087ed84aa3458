// LogConfig: Kafka's defaults, parsing Kafka's key/value form, INVALID_CONFIG errors.
#include "storage/log_config.h"

#include <gtest/gtest.h>

#include "storage_test_util.h"

namespace keel::storage {
namespace {

using protocol::ErrorCode;
using testing::code_of;

TEST(LogConfigTest, KafkaDefaults) {
  LogConfig c;
  EXPECT_EQ(c.segment_bytes, 1073741824);
  EXPECT_EQ(c.segment_ms, 604800000);
  EXPECT_EQ(c.segment_index_bytes, 10485760);
  EXPECT_EQ(c.index_interval_bytes, 4096);
  EXPECT_EQ(c.max_message_bytes, 1048588);
  EXPECT_EQ(c.flush_messages, kNever);
  EXPECT_EQ(c.flush_ms, kNever);
  EXPECT_EQ(c.retention_ms, 604800000);
  EXPECT_EQ(c.retention_bytes, -1);
  EXPECT_TRUE(c.cleanup_delete);
  EXPECT_FALSE(c.cleanup_compact);
  EXPECT_EQ(c.delete_retention_ms, 86400000);
  EXPECT_EQ(c.timestamp_type, TimestampType::kCreateTime);
  EXPECT_EQ(c.min_compaction_lag_ms, 0);
}

TEST(LogConfigTest, ParsesEveryKey) {
  auto c = parse_log_config({{"segment.bytes", "1048576"},
                             {"segment.ms", "3600000"},
                             {"segment.index.bytes", "4096"},
                             {"index.interval.bytes", "100"},
                             {"max.message.bytes", "2000000"},
                             {"flush.messages", "1"},
                             {"flush.ms", "1000"},
                             {"retention.ms", "-1"},
                             {"retention.bytes", "5000000"},
                             {"cleanup.policy", "compact,delete"},
                             {"delete.retention.ms", "10"},
                             {"message.timestamp.type", "LogAppendTime"},
                             {"min.compaction.lag.ms", "20"},
                             {"min.insync.replicas", "2"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->segment_bytes, 1048576);
  EXPECT_EQ(c->segment_ms, 3600000);
  EXPECT_EQ(c->segment_index_bytes, 4096);
  EXPECT_EQ(c->index_interval_bytes, 100);
  EXPECT_EQ(c->max_message_bytes, 2000000);
  EXPECT_EQ(c->flush_messages, 1);
  EXPECT_EQ(c->flush_ms, 1000);
  EXPECT_EQ(c->retention_ms, -1);
  EXPECT_EQ(c->retention_bytes, 5000000);
  EXPECT_TRUE(c->cleanup_compact);
  EXPECT_TRUE(c->cleanup_delete);
  EXPECT_EQ(c->delete_retention_ms, 10);
  EXPECT_EQ(c->timestamp_type, TimestampType::kLogAppendTime);
  EXPECT_EQ(c->min_compaction_lag_ms, 20);
  auto compact = parse_log_config({{"cleanup.policy", "compact"}});
  ASSERT_TRUE(compact.ok());
  EXPECT_TRUE(compact->cleanup_compact);
  EXPECT_FALSE(compact->cleanup_delete);
  // Parsing on top of a base keeps the base's other values.
  LogConfig base;
  base.retention_ms = 5;
  auto layered = parse_log_config({{"segment.ms", "7"}}, base);
  ASSERT_TRUE(layered.ok());
  EXPECT_EQ(layered->retention_ms, 5);
  // describe round-trips.
  auto again = parse_log_config(describe_log_config(*c));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *c);
  EXPECT_EQ(describe_log_config(*c).size(), log_config_names().size());
}

TEST(LogConfigTest, InvalidValuesAreInvalidConfig) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"segment.bytes", "abc"},
      {"segment.bytes", "13"},
      {"segment.bytes", "3000000000"},
      {"segment.ms", "0"},
      {"retention.ms", "-2"},
      {"flush.messages", "0"},
      {"cleanup.policy", "remove"},
      {"cleanup.policy", ""},
      {"message.timestamp.type", "Now"},
      {"max.message.bytes", "12x"},
      {"index.interval.bytes", "-1"},
      {"delete.retention.ms", "99999999999999999999"},
  };
  for (const auto& kv : bad) {
    auto c = parse_log_config({kv});
    EXPECT_EQ(code_of(c.status()), ErrorCode::kInvalidConfig) << kv.first << "=" << kv.second;
    EXPECT_NE(c.status().message().find(kv.first), std::string_view::npos);
  }
  auto unknown = parse_log_config({{"no.such.config", "1"}}, {}, false);
  EXPECT_EQ(code_of(unknown.status()), ErrorCode::kInvalidConfig);
  EXPECT_TRUE(parse_log_config({{"no.such.config", "1"}}).ok());
}

}  // namespace
}  // namespace keel::storage
