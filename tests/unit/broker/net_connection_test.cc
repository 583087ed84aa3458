// File: tests/unit/broker/net_connection_test.cc
// Connection behaviour over real sockets: ordering, skipped responses, bad input,
// backpressure and graceful stop.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "broker/net/server.h"
#include "tests/unit/broker/net_test_util.h"

namespace keel::broker::net {
namespace {

using namespace testing;

class NetConnectionTest : public ::testing::Test {
 protected:
  void start(ConnectionLimits limits = {}, int64_t budget = 1 << 20) {
    budget_ = std::make_unique<InflightBudget>(budget);
    ServerOptions opts;
    opts.endpoints = {{"127.0.0.1", 0, ""}};
    opts.num_shards = 2;
    opts.limits = limits;
    opts.handler = &handler_;
    opts.global_budget = budget_.get();
    opts.metrics = &metrics_;
    server_ = std::make_unique<Server>(opts);
    ASSERT_TRUE(server_->start().ok());
    port_ = server_->bound_ports().at(0);
  }
  void TearDown() override {
    if (server_) server_->stop(std::chrono::seconds(5));
  }

  TestHandler handler_;
  std::unique_ptr<InflightBudget> budget_;
  NetMetrics metrics_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

TEST_F(NetConnectionTest, PipelinedResponsesComeBackInRequestOrder) {
  start();
  TestClient c(port_);
  ASSERT_TRUE(c.connected());
  Bytes all;
  for (int i = 0; i < 5; ++i) {  // the first request finishes last
    Bytes r = test_request(i, 250 - 50 * i);
    all.insert(all.end(), r.begin(), r.end());
  }
  ASSERT_TRUE(c.send(all));
  for (int i = 0; i < 5; ++i) {
    auto f = c.read_frame();
    ASSERT_TRUE(f.has_value()) << i;
    EXPECT_EQ(correlation_of(*f), i);
  }
  EXPECT_GE(handler_.max_concurrency(), 2);  // really handled concurrently
  EXPECT_EQ(metrics_.requests.load(), 5u);
  // Counted after each write completes, which may be just after the client has the bytes.
  EXPECT_TRUE(eventually([&] { return metrics_.responses.load() == 5u; }));
  EXPECT_EQ(metrics_.bytes_in.load(), all.size());
}

TEST_F(NetConnectionTest, NoResponseSlotsAreSkipped) {
  start();
  TestClient c(port_);
  Bytes all;
  for (Bytes r :
       {test_request(1, 100), test_request(2, 200, Mode::kNoResponse), test_request(3, 0)}) {
    all.insert(all.end(), r.begin(), r.end());
  }
  ASSERT_TRUE(c.send(all));
  auto f1 = c.read_frame();
  ASSERT_TRUE(f1.has_value());
  EXPECT_EQ(correlation_of(*f1), 1);
  auto f3 = c.read_frame();
  ASSERT_TRUE(f3.has_value());
  EXPECT_EQ(correlation_of(*f3), 3);
  EXPECT_FALSE(c.read_frame(300ms).has_value());  // nothing for request 2
  // The connection still works afterwards.
  ASSERT_TRUE(c.send(test_request(4, 0)));
  auto f4 = c.read_frame();
  ASSERT_TRUE(f4.has_value());
  EXPECT_EQ(correlation_of(*f4), 4);
}

struct BadInput {
  const char* name;
  Bytes bytes;
  bool then_close_write;
};

class NetConnectionBadInputTest : public NetConnectionTest,
                                  public ::testing::WithParamInterface<int> {};

std::vector<BadInput> bad_inputs() {
  Bytes truncated = be32(100);
  truncated.resize(truncated.size() + 10, 0);
  Bytes garbage = {'G', 'E', 'T', ' ', '/', ' ',  'H',  'T',  'T',
                   'P', '/', '1', '.', '1', '\r', '\n', '\r', '\n'};
  Bytes short_header = be32(3);
  short_header.insert(short_header.end(), {0, 18, 0});
  Bytes bad_client_id = be32(10);  // key 0 v1, correlation 7, client_id length 500
  bad_client_id.insert(bad_client_id.end(), {0, 0, 0, 1, 0, 0, 0, 7, 0x01, 0xf4});
  return {
      {"huge_size", be32(0x7fffffff), false},
      {"negative_size", be32(-5), false},
      {"zero_size", be32(0), false},
      {"truncated_frame_then_close", truncated, true},
      {"garbage", garbage, false},
      {"short_header", short_header, false},
      {"bad_client_id", bad_client_id, false},
  };
}

TEST_P(NetConnectionBadInputTest, ClosesOnlyThatConnection) {
  start();
  const BadInput input = bad_inputs().at(GetParam());
  SCOPED_TRACE(input.name);
  TestClient good(port_);
  ASSERT_TRUE(good.send(test_request(1, 300)));  // in flight while the bad one arrives
  TestClient bad(port_);
  ASSERT_TRUE(bad.send(input.bytes));
  if (input.then_close_write) bad.shutdown_write();
  EXPECT_TRUE(bad.wait_closed());
  auto f1 = good.read_frame();
  ASSERT_TRUE(f1.has_value());
  EXPECT_EQ(correlation_of(*f1), 1);
  ASSERT_TRUE(good.send(test_request(2, 0)));
  auto f2 = good.read_frame();
  ASSERT_TRUE(f2.has_value());
  EXPECT_EQ(correlation_of(*f2), 2);
  EXPECT_TRUE(eventually([&] { return metrics_.protocol_errors.load() == 1; }));
}

INSTANTIATE_TEST_SUITE_P(All, NetConnectionBadInputTest, ::testing::Range(0, 7));

TEST_F(NetConnectionTest, HandlerCloseAndThrowCloseTheConnection) {
  start();
  for (Mode mode : {Mode::kClose, Mode::kThrow}) {
    TestClient c(port_);
    Bytes all = test_request(1, 0);
    Bytes second = test_request(2, 0, mode);
    all.insert(all.end(), second.begin(), second.end());
    ASSERT_TRUE(c.send(all));
    auto f1 = c.read_frame();  // earlier responses are still delivered
    ASSERT_TRUE(f1.has_value());
    EXPECT_EQ(correlation_of(*f1), 1);
    EXPECT_TRUE(c.wait_closed());
  }
}

TEST_F(NetConnectionTest, InFlightRequestLimitStopsReading) {
  ConnectionLimits limits;
  limits.max_in_flight_requests = 2;
  start(limits);
  TestClient c(port_);
  Bytes all;
  for (int i = 0; i < 6; ++i) {
    Bytes r = test_request(i, 80);
    all.insert(all.end(), r.begin(), r.end());
  }
  ASSERT_TRUE(c.send(all));
  for (int i = 0; i < 6; ++i) {
    auto f = c.read_frame();
    ASSERT_TRUE(f.has_value()) << i;
    EXPECT_EQ(correlation_of(*f), i);
  }
  EXPECT_EQ(handler_.max_concurrency(), 2);
}

TEST_F(NetConnectionTest, InFlightByteLimitStopsReading) {
  ConnectionLimits limits;
  limits.max_in_flight_bytes = 150;  // one 100-byte request at a time
  start(limits);
  TestClient c(port_);
  Bytes all;
  for (int i = 0; i < 4; ++i) {
    Bytes r = test_request(i, 50, Mode::kEcho, 80);
    all.insert(all.end(), r.begin(), r.end());
  }
  ASSERT_TRUE(c.send(all));
  for (int i = 0; i < 4; ++i) {
    auto f = c.read_frame();
    ASSERT_TRUE(f.has_value()) << i;
    EXPECT_EQ(correlation_of(*f), i);
  }
  EXPECT_EQ(handler_.max_concurrency(), 1);
  EXPECT_TRUE(eventually([&] { return budget_->used() == 0; }));
}

TEST_F(NetConnectionTest, GlobalBudgetIsSharedAndReleased) {
  start({}, 150);
  TestClient a(port_), b(port_);
  ASSERT_TRUE(a.send(test_request(1, 200, Mode::kEcho, 80)));
  ASSERT_TRUE(eventually([&] { return handler_.started() == 1; }));
  ASSERT_TRUE(b.send(test_request(2, 0, Mode::kEcho, 80)));
  auto fa = a.read_frame();  // b waits for a's bytes, so a answers first
  ASSERT_TRUE(fa.has_value());
  auto fb = b.read_frame();
  ASSERT_TRUE(fb.has_value());
  EXPECT_EQ(handler_.max_concurrency(), 1);
  EXPECT_TRUE(eventually([&] { return budget_->used() == 0; }));
}

TEST_F(NetConnectionTest, GracefulStopFinishesInFlightRequests) {
  start();
  TestClient c(port_);
  Bytes all;
  for (int i = 0; i < 3; ++i) {
    Bytes r = test_request(i, 300);
    all.insert(all.end(), r.begin(), r.end());
  }
  ASSERT_TRUE(c.send(all));
  ASSERT_TRUE(eventually([&] { return handler_.started() == 3; }));
  std::thread stopper([&] { server_->stop(std::chrono::seconds(5)); });
  for (int i = 0; i < 3; ++i) {
    auto f = c.read_frame();
    if (!f.has_value()) {
      ADD_FAILURE() << "no response " << i;
      break;
    }
    EXPECT_EQ(correlation_of(*f), i);
  }
  EXPECT_TRUE(c.wait_closed());
  stopper.join();
  EXPECT_EQ(handler_.completed(), 3u);
  EXPECT_EQ(server_->live_connections(), 0u);
  TestClient late(port_);  // nobody listens any more
  EXPECT_FALSE(late.connected());
}

}  // namespace
}  // namespace keel::broker::net
