// Tests of broker/config/broker_config.h: defaults, precedence, listeners, LogConfig.
#include "broker/config/broker_config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "broker/config/command_line.h"
#include "broker/config/config_def.h"

namespace keel::broker {
namespace {

absl::StatusOr<BrokerConfig> load(std::vector<std::string> overrides) {
  return load_broker_config(std::nullopt, overrides);
}

BrokerConfig load_ok(std::vector<std::string> overrides) {
  auto c = load(std::move(overrides));
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : BrokerConfig{};
}

TEST(BrokerConfigTest, Defaults) {
  BrokerConfig c = load_ok({"node.id=1"});
  EXPECT_EQ(c.node_id, 1);
  EXPECT_TRUE(c.broker_role);
  EXPECT_TRUE(c.controller_role);
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(c.listeners[0].to_string(), "PLAINTEXT://:9092");
  ASSERT_EQ(c.advertised_listeners.size(), 1u);
  EXPECT_EQ(c.advertised_listeners[0].to_string(), "PLAINTEXT://127.0.0.1:9092");
  EXPECT_EQ(c.log_dirs, std::vector<std::string>{"/tmp/keel-logs"});
  EXPECT_EQ(c.num_partitions, 1);
  EXPECT_EQ(c.default_replication_factor, 1);
  EXPECT_EQ(c.min_insync_replicas, 1);
  EXPECT_TRUE(c.auto_create_topics_enable);
  EXPECT_EQ(c.message_max_bytes, 1048588);
  EXPECT_EQ(c.socket_request_max_bytes, 104857600);
  EXPECT_EQ(c.log_segment_bytes, 1 << 30);
  EXPECT_EQ(c.log_roll_ms, 168LL * 3600000);
  EXPECT_EQ(c.log_retention_ms, 168LL * 3600000);
  EXPECT_EQ(c.log_retention_bytes, -1);
  EXPECT_EQ(c.log_flush_interval_messages, storage::kNever);
  EXPECT_EQ(c.log_flush_interval_ms, storage::kNever);
  EXPECT_EQ(c.offsets_topic_num_partitions, 50);
  EXPECT_EQ(c.offsets_topic_replication_factor, 3);
  EXPECT_EQ(c.group_initial_rebalance_delay_ms, 3000);
  EXPECT_EQ(c.broker_session_timeout_ms, 9000);
  EXPECT_FALSE(c.unclean_leader_election_enable);
  EXPECT_FALSE(c.admin_listener.has_value());
  EXPECT_TRUE(c.cluster_id.empty());
}

TEST(BrokerConfigTest, EveryDefaultIsValid) {
  for (const ConfigDef& d : broker_config_defs()) {
    if (d.default_value == nullptr) continue;
    EXPECT_TRUE(validate_config_value(d, d.default_value).ok()) << d.name;
    EXPECT_FALSE(d.doc.empty()) << d.name;
  }
}

TEST(BrokerConfigTest, NodeIdRequired) {
  auto c = load({});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("node.id"), std::string::npos);
}

TEST(BrokerConfigTest, RetentionPrecedence) {
  EXPECT_EQ(load_ok({"node.id=1", "log.retention.hours=2"}).log_retention_ms, 2 * 3600000);
  EXPECT_EQ(
      load_ok({"node.id=1", "log.retention.hours=2", "log.retention.minutes=3"}).log_retention_ms,
      3 * 60000);
  EXPECT_EQ(load_ok({"node.id=1", "log.retention.hours=2", "log.retention.minutes=3",
                     "log.retention.ms=42"})
                .log_retention_ms,
            42);
  EXPECT_EQ(load_ok({"node.id=1", "log.retention.ms=-1"}).log_retention_ms, -1);
  EXPECT_EQ(load_ok({"node.id=1", "log.retention.hours=-1"}).log_retention_ms, -1);
  EXPECT_EQ(load_ok({"node.id=1", "log.roll.hours=1"}).log_roll_ms, 3600000);
  EXPECT_EQ(load_ok({"node.id=1", "log.roll.hours=1", "log.roll.ms=5"}).log_roll_ms, 5);
}

TEST(BrokerConfigTest, LogDirsOverLogDir) {
  EXPECT_EQ(load_ok({"node.id=1", "log.dir=/x"}).log_dirs, std::vector<std::string>{"/x"});
  EXPECT_EQ(load_ok({"node.id=1", "log.dir=/x", "log.dirs=/a, /b"}).log_dirs,
            (std::vector<std::string>{"/a", "/b"}));
}

TEST(BrokerConfigTest, FileThenOverrides) {
  std::string path = ::testing::TempDir() + "/keel_broker_config_test.properties";
  std::ofstream(path) << "node.id=1\nnum.partitions=4\nlog.dirs=/data\n";
  std::vector<std::string> overrides = {"num.partitions=8", " message.max.bytes = 2000"};
  auto c = load_broker_config(path, overrides);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->num_partitions, 8);
  EXPECT_EQ(c->message_max_bytes, 2000);
  EXPECT_EQ(c->log_dirs, std::vector<std::string>{"/data"});
  EXPECT_EQ(c->explicit_settings.at("num.partitions").source, "command line");
  EXPECT_EQ(c->explicit_settings.at("log.dirs").source, path + ":3");

  std::ofstream(path) << "node.id=1\nnum.partitons=4\n";
  c = load_broker_config(path, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(path + ":2"), std::string::npos) << c.status();
  EXPECT_NE(c.status().message().find("did you mean 'num.partitions'"), std::string::npos);
  std::remove(path.c_str());

  EXPECT_FALSE(load_broker_config(path, {}).ok());  // missing file
  EXPECT_FALSE(load({"node.id"}).ok());             // not key=value
  EXPECT_FALSE(load({"=1"}).ok());
}

TEST(BrokerConfigTest, ListenersParsing) {
  BrokerConfig c = load_ok(
      {"node.id=1",
       "listeners=plaintext://[::1]:9092, INTERNAL://:9093,EXT://0.0.0.0:0,CONTROLLER://h:9094",
       "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,internal:plaintext,EXT:PLAINTEXT,"
       "CONTROLLER:PLAINTEXT",
       "controller.listener.names=CONTROLLER"});
  ASSERT_EQ(c.listeners.size(), 4u);
  EXPECT_EQ(c.listeners[0].listener, "PLAINTEXT");
  EXPECT_EQ(c.listeners[0].address.host, "::1");
  EXPECT_EQ(c.listeners[0].to_string(), "PLAINTEXT://[::1]:9092");
  EXPECT_EQ(c.listeners[1].address.host, "");
  EXPECT_EQ(c.listeners[1].address.port, 9093);
  EXPECT_EQ(c.listeners[2].address.port, 0);
  // Advertised: controller listener left out, empty and wildcard hosts become 127.0.0.1.
  ASSERT_EQ(c.advertised_listeners.size(), 3u);
  EXPECT_EQ(c.advertised_listeners[0].to_string(), "PLAINTEXT://[::1]:9092");
  EXPECT_EQ(c.advertised_listeners[1].to_string(), "INTERNAL://127.0.0.1:9093");
  EXPECT_EQ(c.advertised_listeners[2].address.host, "127.0.0.1");

  for (const char* bad : {"listeners=PLAINTEXT://::1:9092", "listeners=PLAINTEXT://h:99999",
                          "listeners=PLAINTEXT://h", "listeners=h:9092", "listeners=A://:1,a://:2",
                          "listeners=", "listeners=PLAINTEXT://[h]:1"}) {
    auto r = load({"node.id=1", bad});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("listeners"), std::string::npos) << r.status();
  }
}

TEST(BrokerConfigTest, ListenerSecurityProtocols) {
  // Without a map, PLAINTEXT names itself and controller listeners default to PLAINTEXT.
  EXPECT_TRUE(load({"node.id=1", "listeners=PLAINTEXT://:9092,CONTROLLER://:9093",
                    "controller.listener.names=CONTROLLER"})
                  .ok());
  // Another name needs a map entry, and the error says which one to add.
  auto unmapped = load({"node.id=1", "listeners=PLAINTEXT://:9092,INTERNAL://:9093"});
  ASSERT_FALSE(unmapped.ok());
  EXPECT_NE(unmapped.status().message().find("INTERNAL:PLAINTEXT"), std::string::npos)
      << unmapped.status();
  // An explicit map replaces the default, controller listeners included.
  EXPECT_FALSE(load({"node.id=1", "listeners=PLAINTEXT://:9092,CONTROLLER://:9093",
                     "controller.listener.names=CONTROLLER",
                     "listener.security.protocol.map=PLAINTEXT:PLAINTEXT"})
                   .ok());
  // TLS and SASL listeners are refused rather than served in plaintext.
  for (const char* listeners : {"listeners=SSL://:9093", "listeners=SASL_PLAINTEXT://:9093",
                                "listeners=PLAINTEXT://:9092,SECURE://:9093"}) {
    auto r = load({"node.id=1", listeners,
                   "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,"
                   "SASL_PLAINTEXT:SASL_PLAINTEXT,SECURE:SASL_SSL"});
    ASSERT_FALSE(r.ok()) << listeners;
    EXPECT_NE(r.status().message().find("PLAINTEXT listeners only"), std::string::npos)
        << r.status();
  }
  for (const char* bad :
       {"listener.security.protocol.map=A", "listener.security.protocol.map=A:TLS",
        "listener.security.protocol.map=A:SSL,a:SSL"}) {
    EXPECT_FALSE(load({"node.id=1", bad}).ok()) << bad;
  }
}

TEST(BrokerConfigTest, AdvertisedListenersExplicit) {
  BrokerConfig c = load_ok({"node.id=1", "listeners=PLAINTEXT://:9092",
                            "advertised.listeners=PLAINTEXT://kafka.example:19092"});
  ASSERT_EQ(c.advertised_listeners.size(), 1u);
  EXPECT_EQ(c.advertised_listeners[0].to_string(), "PLAINTEXT://kafka.example:19092");
  EXPECT_FALSE(load({"node.id=1", "advertised.listeners=PLAINTEXT://0.0.0.0:9092"}).ok());
  EXPECT_FALSE(load({"node.id=1", "advertised.listeners=OTHER://h:9092"}).ok());
  EXPECT_FALSE(load({"node.id=1", "advertised.listeners=PLAINTEXT://h:0"}).ok());
}

TEST(BrokerConfigTest, QuorumRules) {
  BrokerConfig c = load_ok({"node.id=2", "controller.quorum.voters=1@a:9093,2@[::1]:9093,3@c:9093",
                            "listeners=PLAINTEXT://:9092,CONTROLLER://:9093",
                            "controller.listener.names=CONTROLLER"});
  ASSERT_EQ(c.controller_quorum_voters.size(), 3u);
  EXPECT_EQ(c.controller_quorum_voters[1].address.host, "::1");
  // Controller role: node.id must be a voter; several voters need controller listener names.
  EXPECT_FALSE(load({"node.id=4", "controller.quorum.voters=1@a:9093"}).ok());
  EXPECT_FALSE(load({"node.id=1", "controller.quorum.voters=1@a:9093,2@b:9093"}).ok());
  // Broker only: voters required, and node.id must not be one.
  EXPECT_FALSE(load({"node.id=1", "process.roles=broker"}).ok());
  EXPECT_FALSE(load({"node.id=1", "process.roles=broker", "controller.quorum.voters=1@a:1"}).ok());
  EXPECT_TRUE(load({"node.id=1", "process.roles=broker", "controller.quorum.voters=2@a:1"}).ok());
  for (const char* bad :
       {"controller.quorum.voters=x@a:1", "controller.quorum.voters=1@a:0",
        "controller.quorum.voters=1@a:1,1@b:2", "controller.quorum.voters=1a:1"}) {
    EXPECT_FALSE(load({"node.id=1", bad}).ok()) << bad;
  }
  EXPECT_FALSE(load({"node.id=1", "controller.listener.names=NOPE"}).ok());
  // A broker needs a listener that is not the controller's.
  EXPECT_FALSE(
      load({"node.id=1", "listeners=CONTROLLER://:9093", "controller.listener.names=CONTROLLER"})
          .ok());
}

TEST(BrokerConfigTest, QuorumTimeouts) {
  BrokerConfig d = load_ok({"node.id=1"});  // KRaft's defaults
  EXPECT_EQ(d.quorum_election_timeout_ms, 1000);
  EXPECT_EQ(d.quorum_fetch_timeout_ms, 2000);
  EXPECT_EQ(d.quorum_election_backoff_max_ms, 1000);
  EXPECT_EQ(d.quorum_request_timeout_ms, 2000);
  EXPECT_EQ(d.quorum_append_linger_ms, 25);
  BrokerConfig c = load_ok({"node.id=1", "controller.quorum.election.timeout.ms=200",
                            "controller.quorum.fetch.timeout.ms=400",
                            "controller.quorum.election.backoff.max.ms=300",
                            "controller.quorum.request.timeout.ms=500",
                            "controller.quorum.append.linger.ms=0"});
  EXPECT_EQ(c.quorum_election_timeout_ms, 200);
  EXPECT_EQ(c.quorum_fetch_timeout_ms, 400);
  EXPECT_EQ(c.quorum_election_backoff_max_ms, 300);
  EXPECT_EQ(c.quorum_request_timeout_ms, 500);
  EXPECT_EQ(c.quorum_append_linger_ms, 0);
  EXPECT_FALSE(load({"node.id=1", "controller.quorum.election.timeout.ms=0"}).ok());
  EXPECT_FALSE(load({"node.id=1", "controller.quorum.append.linger.ms=-1"}).ok());
}

TEST(BrokerConfigTest, AdminListener) {
  BrokerConfig c = load_ok({"node.id=1", "keel.admin.listener=127.0.0.1:8080"});
  ASSERT_TRUE(c.admin_listener.has_value());
  EXPECT_EQ(c.admin_listener->port, 8080);
}

TEST(LogConfigDerivationTest, FromBrokerProperties) {
  BrokerConfig c = load_ok(
      {"node.id=1", "log.segment.bytes=1000", "log.roll.ms=77", "log.index.size.max.bytes=4096",
       "log.index.interval.bytes=10", "message.max.bytes=5000", "log.flush.interval.messages=9",
       "log.flush.interval.ms=11", "log.retention.minutes=1", "log.retention.bytes=123",
       "log.cleanup.policy=compact,delete", "log.cleaner.delete.retention.ms=13",
       "log.cleaner.min.compaction.lag.ms=14", "log.message.timestamp.type=LogAppendTime"});
  auto lc = default_log_config(c);
  ASSERT_TRUE(lc.ok()) << lc.status();
  EXPECT_EQ(lc->segment_bytes, 1000);
  EXPECT_EQ(lc->segment_ms, 77);
  EXPECT_EQ(lc->segment_index_bytes, 4096);
  EXPECT_EQ(lc->index_interval_bytes, 10);
  EXPECT_EQ(lc->max_message_bytes, 5000);
  EXPECT_EQ(lc->flush_messages, 9);
  EXPECT_EQ(lc->flush_ms, 11);
  EXPECT_EQ(lc->retention_ms, 60000);
  EXPECT_EQ(lc->retention_bytes, 123);
  EXPECT_TRUE(lc->cleanup_compact);
  EXPECT_TRUE(lc->cleanup_delete);
  EXPECT_EQ(lc->delete_retention_ms, 13);
  EXPECT_EQ(lc->min_compaction_lag_ms, 14);
  EXPECT_EQ(lc->timestamp_type, storage::TimestampType::kLogAppendTime);
}

TEST(LogConfigDerivationTest, DefaultsMatchStorageDefaults) {
  auto lc = default_log_config(load_ok({"node.id=1"}));
  ASSERT_TRUE(lc.ok()) << lc.status();
  EXPECT_EQ(*lc, storage::LogConfig{});
}

TEST(CommandLineConfigTest, Parsing) {
  std::vector<std::string> args = {"--config", "a.properties",   "--override",
                                   "x=1",      "--override=y=2", "z=3"};
  auto cl = parse_command_line(args);
  ASSERT_TRUE(cl.ok()) << cl.status();
  EXPECT_EQ(cl->config_path, "a.properties");
  EXPECT_EQ(cl->overrides, (std::vector<std::string>{"x=1", "y=2", "z=3"}));
  EXPECT_FALSE(cl->help);
  std::vector<std::string> positional = {"server.properties", "--help"};
  cl = parse_command_line(positional);
  ASSERT_TRUE(cl.ok());
  EXPECT_EQ(cl->config_path, "server.properties");
  EXPECT_TRUE(cl->help);
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {"--bogus"}, {"--config"}, {"a.properties", "b.properties"}}) {
    EXPECT_FALSE(parse_command_line(bad).ok()) << bad[0];
  }
}

TEST(CommandLineConfigTest, UsageListsEveryProperty) {
  std::string usage = usage_text();
  EXPECT_NE(usage.find("Usage: keel"), std::string::npos);
  for (const ConfigDef& d : broker_config_defs()) {
    EXPECT_NE(usage.find("  " + std::string(d.name) + " ("), std::string::npos) << d.name;
  }
  EXPECT_NE(usage.find("num.partitions (int, default \"1\")"), std::string::npos);
}

}  // namespace
}  // namespace keel::broker
