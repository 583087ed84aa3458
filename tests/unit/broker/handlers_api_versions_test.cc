// File: tests/unit/broker/handlers_api_versions_test.cc
// HandlerRegistry, Dispatcher and ApiVersionsHandler over real sockets on 127.0.0.1, plus
// real clients (kcat, a raw-socket python3 script), each skipped if missing; TypedHandler's
// decode-or-close path called directly.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "broker/handlers/api_versions_handler.h"
#include "broker/handlers/handler_registry.h"
#include "broker/net/server.h"
#include "protocol/generated/api_versions.h"
#include "protocol/generated/heartbeat.h"
#include "protocol/generated/metadata.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/reader.h"
#include "protocol/wire/writer.h"
#include "tests/unit/broker/net_test_util.h"

namespace keel::broker::handlers {
namespace {

using net::testing::Bytes;
using net::testing::request_frame;
using net::testing::TestClient;
using protocol::ApiVersionsRequest;
using protocol::ApiVersionsResponse;
using namespace std::chrono_literals;

// A stand-in second API (Heartbeat's key, versions 0-2) so the advertised list has two
// entries. It implements Handler directly: it answers any body, even an empty one.
constexpr int16_t kDummyKey = protocol::HeartbeatRequest::kApiKey;
constexpr int16_t kApiVersionsKey = ApiVersionsRequest::kApiKey;

class DummyHandler : public Handler {
 public:
  ApiRange range() const override { return {kDummyKey, 0, 2}; }
  boost::asio::awaitable<HandlerResult> handle(const RequestContext&,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t>) const override {
    Bytes frame;
    protocol::Writer w(frame);
    w.write_int32(4);
    w.write_int32(header.correlation_id);
    co_return HandlerResult::respond(std::move(frame));
  }
};

// Records what reached the server, then forwards to the Dispatcher.
class Recorder : public net::RequestHandler {
 public:
  explicit Recorder(net::RequestHandler* next) : next_(next) {}
  boost::asio::awaitable<HandlerResult> handle(const net::RequestOrigin& origin,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) override {
    auto op = next_->handle(origin, header, body);  // named first (GCC 12, broker_services.h)
    HandlerResult result = co_await std::move(op);
    std::lock_guard lock(mu_);
    seen_.push_back({header.api_key, header.api_version, result.kind});
    co_return result;
  }
  struct Seen {
    int16_t key;
    int16_t version;
    HandlerResult::Kind kind;
  };
  std::vector<Seen> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  net::RequestHandler* next_;
  mutable std::mutex mu_;
  std::vector<Seen> seen_;
};

class HandlersApiVersionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(registry_.add(std::make_unique<ApiVersionsHandler>()).ok());
    ASSERT_TRUE(registry_.add(std::make_unique<DummyHandler>()).ok());
    net::ServerOptions opts;
    opts.endpoints = {{"127.0.0.1", 0, ""}};
    opts.handler = &recorder_;
    server_ = std::make_unique<net::Server>(opts);
    ASSERT_TRUE(server_->start().ok());
    port_ = server_->bound_ports()[0];
  }
  void TearDown() override {
    if (server_) server_->stop(5s);
  }

  static Bytes api_versions(int16_t version, int32_t cid, const std::string& name = "keel-test",
                            const std::string& software_version = "1.0") {
    protocol::RequestHeader h{kApiVersionsKey, version, cid, std::string("test"), {}};
    ApiVersionsRequest req;
    req.client_software_name = name;
    req.client_software_version = software_version;
    return protocol::encode_request_frame(h, req);
  }

  // Reads one response with header v0 and decodes it at `version`.
  static ApiVersionsResponse read_response(TestClient& c, int32_t cid, int16_t version) {
    ApiVersionsResponse resp;
    auto frame = c.read_frame(5s);
    EXPECT_TRUE(frame.has_value());
    if (!frame) return resp;
    protocol::Reader r(*frame);
    EXPECT_EQ(protocol::decode_response_header(r, 0), cid);
    EXPECT_TRUE(resp.decode(r, version).ok());
    EXPECT_EQ(r.remaining(), 0u) << "v" << version;
    return resp;
  }

  HandlerRegistry registry_;
  Dispatcher dispatcher_{&registry_};
  Recorder recorder_{&dispatcher_};
  std::unique_ptr<net::Server> server_;
  uint16_t port_ = 0;
};

TEST(HandlerRegistryTest, RejectsDuplicateKeysAndListsByKey) {
  HandlerRegistry registry;
  ASSERT_TRUE(registry.add(std::make_unique<DummyHandler>()).ok());
  ASSERT_TRUE(registry.add(std::make_unique<ApiVersionsHandler>()).ok());
  EXPECT_EQ(registry.add(std::make_unique<DummyHandler>()).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE(registry.add(nullptr).ok());
  const std::vector<ApiRange> want = {{kDummyKey, 0, 2}, {kApiVersionsKey, 0, 4}};
  EXPECT_EQ(registry.advertised(), want);
  EXPECT_EQ(registry.find(protocol::MetadataRequest::kApiKey), nullptr);
}

TEST(HandlerRegistryTest, SoftwareTokenRule) {
  for (const char* ok : {"librdkafka", "2.0.2", "a", "1.7.0-rdkafka-2.0.2", "A-b.C"}) {
    EXPECT_TRUE(ApiVersionsHandler::valid_software_token(ok)) << ok;
  }
  for (const char* bad : {"", "-a", "a-", ".a", "a.", "a b", "a_b", "ü"}) {
    EXPECT_FALSE(ApiVersionsHandler::valid_software_token(bad)) << bad;
  }
}

TEST_F(HandlersApiVersionsTest, EveryVersionListsExactlyTheRegisteredHandlers) {
  TestClient c(port_);
  ASSERT_TRUE(c.connected());
  for (int16_t v = 0; v <= 4; ++v) {
    ASSERT_TRUE(c.send(api_versions(v, 100 + v)));
    const ApiVersionsResponse resp = read_response(c, 100 + v, v);
    EXPECT_EQ(resp.error_code, 0) << "v" << v;
    EXPECT_EQ(resp.throttle_time_ms, 0);
    ASSERT_EQ(resp.api_keys.size(), 2u) << "v" << v;
    EXPECT_EQ(resp.api_keys[0].api_key, kDummyKey);
    EXPECT_EQ(resp.api_keys[0].max_version, 2);
    EXPECT_EQ(resp.api_keys[1].api_key, kApiVersionsKey);
    EXPECT_EQ(resp.api_keys[1].min_version, 0);
    EXPECT_EQ(resp.api_keys[1].max_version, 4);
    EXPECT_TRUE(resp.supported_features.empty());
    EXPECT_TRUE(resp.finalized_features.empty());
  }
}

TEST_F(HandlersApiVersionsTest, UnsupportedVersionGets35InV0Layout) {
  TestClient c(port_);
  ASSERT_TRUE(c.send(request_frame(kApiVersionsKey, 9, 7, Bytes{0x00})));  // unreadable future body
  const ApiVersionsResponse resp = read_response(c, 7, 0);
  EXPECT_EQ(resp.error_code, 35);
  ASSERT_EQ(resp.api_keys.size(), 1u);
  EXPECT_EQ(resp.api_keys[0].api_key, kApiVersionsKey);
  EXPECT_EQ(resp.api_keys[0].min_version, 0);
  EXPECT_EQ(resp.api_keys[0].max_version, 4);
  // The connection stays usable for the fallback.
  ASSERT_TRUE(c.send(api_versions(0, 8)));
  EXPECT_EQ(read_response(c, 8, 0).error_code, 0);
}

TEST_F(HandlersApiVersionsTest, InvalidSoftwareNameGets42) {
  TestClient c(port_);
  ASSERT_TRUE(c.send(api_versions(3, 1, "bad name!")));
  EXPECT_EQ(read_response(c, 1, 3).error_code, 42);
  ASSERT_TRUE(c.send(api_versions(3, 2, "keel", "")));
  EXPECT_EQ(read_response(c, 2, 3).error_code, 42);
  ASSERT_TRUE(c.send(api_versions(0, 3, "bad name!")));  // v0 has no such field
  EXPECT_EQ(read_response(c, 3, 0).error_code, 0);
}

TEST_F(HandlersApiVersionsTest, DispatchUnknownKeyOrVersionClosesOnlyThatConnection) {
  TestClient bystander(port_);
  TestClient unknown(port_);
  TestClient bad_version(port_);
  ASSERT_TRUE(unknown.send(request_frame(999, 0, 1, Bytes{})));
  EXPECT_TRUE(unknown.wait_closed(5s));
  ASSERT_TRUE(bad_version.send(request_frame(kDummyKey, 3, 1, Bytes{})));  // 0-2 only
  EXPECT_TRUE(bad_version.wait_closed(5s));
  ASSERT_TRUE(bystander.send(request_frame(kDummyKey, 2, 5, Bytes{})));
  auto f = bystander.read_frame(5s);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(protocol::Reader(*f).read_int32(), 5);
}

// A TypedHandler over Heartbeat that answers with the decoded group id: the one
// decode-or-close path, called directly without a socket or broker.
class EchoHeartbeat : public TypedHandler<EchoHeartbeat, protocol::HeartbeatRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 2;
  boost::asio::awaitable<HandlerResult> serve(const RequestContext&, const protocol::RequestHeader&,
                                              protocol::HeartbeatRequest& req) const {
    co_return HandlerResult::respond(Bytes(req.group_id.begin(), req.group_id.end()));
  }
};

HandlerResult run_handler(const Handler& handler, int16_t version, const Bytes& body) {
  boost::asio::io_context io;
  HandlerRegistry registry;
  RequestContext ctx;
  ctx.registry = &registry;
  const protocol::RequestHeader header{handler.range().api_key, version, 1, std::string("t"), {}};
  HandlerResult out = HandlerResult::close("never completed");
  auto op = handler.handle(ctx, header, body);
  boost::asio::co_spawn(io, std::move(op), [&](std::exception_ptr e, HandlerResult r) {
    EXPECT_FALSE(e);
    out = std::move(r);
  });
  io.run();
  return out;
}

TEST(TypedHandlerTest, KeyFromTheMessageRangeFromTheHandler) {
  const ApiRange want{protocol::HeartbeatRequest::kApiKey, 0, 2};
  EXPECT_EQ(EchoHeartbeat().range(), want);
  EXPECT_FALSE(EchoHeartbeat().accepts_unsupported_versions());
  EXPECT_TRUE(ApiVersionsHandler().accepts_unsupported_versions());
}

TEST(TypedHandlerTest, DecodesAtTheHeaderVersionAndServes) {
  protocol::HeartbeatRequest req;
  req.group_id = "grp";
  req.member_id = "m";
  for (int16_t v = 0; v <= 2; ++v) {
    Bytes body;
    protocol::Writer w(body);
    req.encode(w, v);
    const HandlerResult r = run_handler(EchoHeartbeat(), v, body);
    ASSERT_EQ(r.kind, HandlerResult::Kind::kRespond) << "v" << v << ": " << r.reason;
    EXPECT_EQ(std::string(r.frame.begin(), r.frame.end()), "grp");
  }
}

TEST(TypedHandlerTest, MalformedBodyCloses) {
  const HandlerResult r = run_handler(EchoHeartbeat(), 1, Bytes{0x00});
  EXPECT_EQ(r.kind, HandlerResult::Kind::kClose);
  EXPECT_EQ(r.reason.rfind("malformed request (api key " +
                               std::to_string(protocol::HeartbeatRequest::kApiKey) + " v1): ",
                           0),
            0u)
      << r.reason;
  // ApiVersions keeps its own reason.
  const HandlerResult a = run_handler(ApiVersionsHandler(), 3, Bytes{});
  EXPECT_EQ(a.kind, HandlerResult::Kind::kClose);
  EXPECT_EQ(a.reason, "malformed ApiVersions v3 body");
}

// Runs `cmd` and returns its combined output.
std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

TEST_F(HandlersApiVersionsTest, KcatCompletesApiVersionsExchange) {
  if (std::system("command -v kcat >/dev/null 2>&1") != 0) GTEST_SKIP() << "kcat not installed";
  // It then fails on Metadata, which is not registered.
  const std::string log =
      run("timeout 20 kcat -b 127.0.0.1:" + std::to_string(port_) + " -L -m 3 -d protocol");
  bool answered_v3 = false;
  for (const auto& s : recorder_.seen()) {
    if (s.key == kApiVersionsKey && s.version == 3 && s.kind == HandlerResult::Kind::kRespond) {
      answered_v3 = true;
    }
  }
  EXPECT_TRUE(answered_v3);
  EXPECT_NE(log.find("Received ApiVersionResponse (v3"), std::string::npos) << log;
  // It read our list: Metadata is not advertised, so it gives up without sending it.
  EXPECT_NE(log.find("Required feature not supported by broker"), std::string::npos) << log;
  for (const auto& s : recorder_.seen()) EXPECT_NE(s.key, protocol::MetadataRequest::kApiKey);
}

TEST_F(HandlersApiVersionsTest, PythonRawSocketReadsV0List) {
  if (std::system("test -x /usr/bin/python3") != 0) GTEST_SKIP() << "no /usr/bin/python3";
  // ApiVersions v0: header v1 (client id "py"), empty body; response header v0.
  const std::string script = R"PY(
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
req = struct.pack(">hhih", 18, 0, 42, 2) + b"py"
s.sendall(struct.pack(">i", len(req)) + req)
def exact(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: raise SystemExit("closed")
        b += c
    return b
body = exact(struct.unpack(">i", exact(4))[0])
cid, err, n = struct.unpack(">ihi", body[:10])
keys = [struct.unpack(">hhh", body[10 + 6 * i:16 + 6 * i]) for i in range(n)]
print(cid, err, " ".join("%d:%d-%d" % k for k in keys))
)PY";
  const std::string out =
      run("timeout 20 /usr/bin/python3 -c '" + script + "' " + std::to_string(port_));
  EXPECT_EQ(out, "42 0 12:0-2 18:0-4\n");
}

}  // namespace
}  // namespace keel::broker::handlers
