// File: tests/unit/broker/net_server_test.cc
// Server: endpoints, shards, and a real client (kcat) completing the ApiVersions exchange.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "broker/net/server.h"
#include "tests/unit/broker/net_test_util.h"

namespace keel::broker::net {
namespace {

using namespace testing;

TEST(NetServerTest, ParsesEndpoints) {
  auto a = parse_endpoint("127.0.0.1:9092");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9092);
  auto b = parse_endpoint("[::1]:0");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  auto c = parse_endpoint(":9092");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "");
  for (const char* bad : {"9092", "host:", "host:x", "host:70000", "host:-1"}) {
    EXPECT_FALSE(parse_endpoint(bad).ok()) << bad;
  }
}

TEST(NetServerTest, BindsSeveralEphemeralEndpointsAndSpreadsConnections) {
  TestHandler handler;
  ServerOptions opts;
  opts.endpoints = {{"127.0.0.1", 0, ""}, {"localhost", 0, ""}};
  opts.num_shards = 2;
  opts.handler = &handler;
  Server server(opts);
  ASSERT_TRUE(server.start().ok());
  ASSERT_EQ(server.bound_ports().size(), 2u);
  EXPECT_NE(server.bound_ports()[0], 0);
  EXPECT_NE(server.bound_ports()[1], server.bound_ports()[0]);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<TestClient>(server.bound_ports()[i % 2]));
    ASSERT_TRUE(clients.back()->send(test_request(i, 0)));
    auto f = clients.back()->read_frame();
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(correlation_of(*f), i);
  }
  EXPECT_EQ(handler.distinct_threads(), 2u);  // round robin over both shards
  EXPECT_EQ(server.live_connections(), 4u);
  server.stop(std::chrono::seconds(5));
  EXPECT_EQ(server.live_connections(), 0u);
}

TEST(NetServerTest, BindFailureIsAnError) {
  TestHandler handler;
  ServerOptions opts;
  opts.endpoints = {{"127.0.0.1", 0, ""}};
  opts.handler = &handler;
  Server first(opts);
  ASSERT_TRUE(first.start().ok());
  opts.endpoints = {{"127.0.0.1", first.bound_ports()[0], ""}};
  Server second(opts);
  EXPECT_FALSE(second.start().ok());
  opts.endpoints = {{"not-an-address", 0, ""}};
  Server third(opts);
  EXPECT_FALSE(third.start().ok());
}

TEST(NetServerTest, KcatCompletesApiVersionsExchange) {
  if (std::system("command -v kcat >/dev/null 2>&1") != 0) GTEST_SKIP() << "kcat not installed";
  TestHandler handler;
  ServerOptions opts;
  opts.endpoints = {{"127.0.0.1", 0, ""}};
  opts.handler = &handler;
  Server server(opts);
  ASSERT_TRUE(server.start().ok());
  const std::string cmd =
      "timeout 20 kcat -b 127.0.0.1:" + std::to_string(server.bound_ports()[0]) +
      " -L -m 2 >/dev/null 2>&1";
  (void)std::system(cmd.c_str());  // it fails: Metadata is refused by design
  bool saw_v3 = false;
  for (const auto& s : handler.seen()) {
    if (s.key == 18 && s.version == 3 && s.software_name == "librdkafka") saw_v3 = true;
  }
  EXPECT_TRUE(saw_v3);
  server.stop(std::chrono::seconds(5));
}

}  // namespace
}  // namespace keel::broker::net
