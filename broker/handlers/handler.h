// File: broker/handlers/handler.h
// The shape of a per-API request handler (one API per file, see handler_registry.h).
//
// Contract: a concrete handler derives from TypedHandler<Self, Request> (Request is the
// generated request message, protocol/generated/*.h, which gives the API key), declares
//   static constexpr int16_t kMinVersion, kMaxVersion;  // implemented range
// and implements
//   boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
//                                               const protocol::RequestHeader& header,
//                                               Request& request) const;
// TypedHandler decodes the body once at the header's version (a body that does not decode
// closes the connection) and hands the request to serve(). serve() is called concurrently
// from every shard thread, must not throw, and gets only versions inside
// [kMinVersion, kMaxVersion]. Its dependencies come through `ctx` (RequestContext::broker),
// so handlers are default-constructed.
//
// Hooks only ApiVersions declares (it must answer any version):
//   static HandlerResult answer_unsupported(const protocol::RequestHeader& header);
//     versions outside the range reach it, undecoded, instead of the Dispatcher closing;
//   static std::string malformed_reason(const protocol::RequestHeader&, const absl::Status&);
//     the close reason for a body that does not decode (default: see TypedHandler).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "broker/net/asio.h"
#include "broker/net/request_handler.h"
#include "protocol/wire/header.h"
#include "protocol/wire/reader.h"

namespace keel::broker {
struct BrokerServices;  // broker/broker_services.h
}

namespace keel::broker::handlers {

using net::HandlerResult;

class HandlerRegistry;

// What a handler may use besides the request. Grows as handlers need more (the
// connection's peer address, authenticated principal, listener name, broker state such as
// the log manager and metadata cache); add fields here rather than widening serve().
struct RequestContext {
  const HandlerRegistry* registry = nullptr;  // never null when handle() is called
  // The node's services (broker_services.h); null only in tests of handlers that need none.
  const BrokerServices* broker = nullptr;
  // The client's address as Kafka reports it ("/127.0.0.1"); empty when unknown.
  std::string_view client_host;
  // The listener the request arrived on: Metadata and FindCoordinator answer with the
  // brokers' addresses on the listener of that name. Empty: the first advertised one.
  std::string_view listener;
};

// The implemented version range of one API, as advertised by ApiVersions.
struct ApiRange {
  int16_t api_key = 0;
  int16_t min_version = 0;
  int16_t max_version = 0;
  bool operator==(const ApiRange&) const = default;
};

// What the registry and Dispatcher see. Real handlers implement it through TypedHandler;
// tests may implement it directly.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual ApiRange range() const = 0;
  // True if versions outside range() must still reach handle() instead of closing.
  virtual bool accepts_unsupported_versions() const { return false; }
  // const: one instance serves every shard at once.
  // `header` and `body` stay valid until the returned awaitable completes.
  virtual boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                                       const protocol::RequestHeader& header,
                                                       std::span<const uint8_t> body) const = 0;
};

// The one decode-or-close path (see the contract above).
template <typename Self, typename Request>
class TypedHandler : public Handler {
 public:
  static constexpr int16_t kApiKey = Request::kApiKey;

  ApiRange range() const final {
    static_assert(Self::kMinVersion <= Self::kMaxVersion);
    static_assert(
        Request::kMinVersion <= Self::kMinVersion && Self::kMaxVersion <= Request::kMaxVersion,
        "a handler implements only versions its message schema has");
    return {kApiKey, Self::kMinVersion, Self::kMaxVersion};
  }

  bool accepts_unsupported_versions() const final {
    return requires(const protocol::RequestHeader& h) { Self::answer_unsupported(h); };
  }

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const final {
    if constexpr (requires { Self::answer_unsupported(header); }) {
      if (header.api_version < Self::kMinVersion || header.api_version > Self::kMaxVersion) {
        co_return Self::answer_unsupported(header);
      }
    }
    // The stream's framing is fine, but we cannot answer a request we cannot read.
    Request request;
    protocol::Reader reader(body);
    const absl::Status status = request.decode(reader, header.api_version);
    if (!status.ok()) co_return HandlerResult::close(malformed(header, status));
    const Self& self = static_cast<const Self&>(*this);
    // Named first, never a temporary inside the co_await (GCC 12, broker_services.h).
    auto op = self.serve(ctx, header, request);
    co_return co_await std::move(op);
  }

 private:
  static std::string malformed(const protocol::RequestHeader& header, const absl::Status& status) {
    if constexpr (requires { Self::malformed_reason(header, status); }) {
      return Self::malformed_reason(header, status);
    } else {
      return "malformed request (api key " + std::to_string(header.api_key) + " v" +
             std::to_string(header.api_version) + "): " + std::string(status.message());
    }
  }
};

}  // namespace keel::broker::handlers
