// Tests of broker/config/config_def.h: every validator rejects a bad value, and the error
// names the property, the value and the rule.
#include <gtest/gtest.h>

#include <limits>

#include "broker/config/broker_config.h"
#include "broker/config/config_def.h"

namespace keel::broker {
namespace {

// Bad values for `d`, derived from its type and rules.
std::vector<std::string> bad_values(const ConfigDef& d) {
  std::vector<std::string> bad;
  switch (d.type) {
    case ConfigType::kInt:
    case ConfigType::kLong:
      bad = {"abc", "1.5", ""};
      if (d.min > std::numeric_limits<int64_t>::min()) bad.push_back(std::to_string(d.min - 1));
      if (d.max < std::numeric_limits<int64_t>::max()) {
        bad.push_back(std::to_string(d.max) + "0");  // beyond max (and, for kInt, beyond int32)
      }
      break;
    case ConfigType::kBool:
      bad = {"yes", "1", ""};
      break;
    case ConfigType::kString:
    case ConfigType::kList:
      if (!d.allowed.empty()) bad.push_back("bogus");
      break;
  }
  return bad;
}

TEST(ConfigValidationTest, EveryPropertyRejectsBadValuesNamingIt) {
  int checked = 0;
  for (const ConfigDef& d : broker_config_defs()) {
    for (const std::string& v : bad_values(d)) {
      absl::Status s = validate_config_value(d, v);
      ASSERT_FALSE(s.ok()) << d.name << "=" << v;
      EXPECT_NE(s.message().find(std::string(d.name)), std::string::npos) << s;
      EXPECT_NE(s.message().find("'" + v + "'"), std::string::npos) << s;
      // Through the whole loader too: the message also says where the value came from.
      auto c = load_broker_config(
          std::nullopt, std::vector<std::string>{"node.id=1", std::string(d.name) + "=" + v});
      ASSERT_FALSE(c.ok()) << d.name << "=" << v;
      EXPECT_NE(c.status().message().find("command line: invalid value"), std::string::npos)
          << c.status();
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
}

TEST(ConfigValidationTest, FormatCheckersAndRules) {
  struct Case {
    std::string setting;
    std::string rule;  // part of the expected message
  };
  for (const Case& c : std::vector<Case>{
           {"listeners=PLAINTEXT://h", "expected host:port"},
           {"listeners=PLAINTEXT://::1:1", "brackets"},
           {"advertised.listeners=nope", "NAME://host:port"},
           {"controller.quorum.voters=1@h", "expected host:port"},
           {"keel.admin.listener=localhost", "expected host:port"},
           {"cluster.id=a/b", "letters"},
           {"process.roles=", "must not be empty"},
           {"process.roles=broker,worker", "'worker' is not one of broker,controller"},
           {"log.cleanup.policy=delete,shred", "'shred'"},
           {"log.dirs=,", "must not be empty"},
           {"log.message.timestamp.type=Now", "CreateTime,LogAppendTime"},
           {"num.partitions=0", "must be in [1, 2147483647]"},
           {"default.replication.factor=40000", "must be in [1, 32767]"},
           {"node.id=-1", "must be in [0,"},
           {"log.segment.bytes=13", "[14,"},
           {"message.max.bytes=3000000000", "32-bit integer"},
           {"auto.create.topics.enable=maybe", "true or false"},
       }) {
    auto r = load_broker_config(std::nullopt, std::vector<std::string>{"node.id=1", c.setting});
    ASSERT_FALSE(r.ok()) << c.setting;
    std::string name = c.setting.substr(0, c.setting.find('='));
    EXPECT_NE(r.status().message().find(name), std::string::npos) << r.status();
    EXPECT_NE(r.status().message().find(c.rule), std::string::npos) << r.status();
  }
  auto r = load_broker_config(
      std::nullopt, std::vector<std::string>{"node.id=1", "group.min.session.timeout.ms=9",
                                             "group.max.session.timeout.ms=8"});
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(
      load_broker_config(std::nullopt,
                         std::vector<std::string>{"node.id=1", "auto.create.topics.enable=FALSE"})
          ->auto_create_topics_enable == false);
}

TEST(ConfigValidationTest, UnknownPropertySuggestions) {
  EXPECT_EQ(suggest_config_name("num.partition"), "num.partitions");
  EXPECT_EQ(suggest_config_name("node_id"), "node.id");
  EXPECT_EQ(suggest_config_name("log.retention.hour"), "log.retention.hours");
  EXPECT_EQ(suggest_config_name("advertised.listener"), "advertised.listeners");
  EXPECT_EQ(suggest_config_name("completely.unrelated.setting"), "");
  auto r = load_broker_config(std::nullopt,
                              std::vector<std::string>{"node.id=1", "listener=PLAINTEXT://:1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "command line: unknown property 'listener' (did you mean 'listeners'?)");
  r = load_broker_config(std::nullopt, std::vector<std::string>{"node.id=1", "foo.bar.baz=1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "command line: unknown property 'foo.bar.baz'");
}

}  // namespace
}  // namespace keel::broker
