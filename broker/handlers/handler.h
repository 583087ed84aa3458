// File: broker/handlers/handler.h
// The shape of a per-API request handler (one API per file, see handler_registry.h).
//
// Contract: a concrete handler derives from HandlerBase<Self> and declares
//   static constexpr int16_t kApiKey, kMinVersion, kMaxVersion;  // implemented range
// and implements handle(). handle() is called concurrently from every shard thread, must
// not throw, and gets only versions inside [kMinVersion, kMaxVersion] unless it overrides
// accepts_unsupported_versions() (only ApiVersions does: it must answer any version).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "broker/net/asio.h"
#include "broker/net/request_handler.h"
#include "protocol/wire/header.h"

namespace keel::broker {
struct BrokerServices;  // broker/broker_services.h
}

namespace keel::broker::handlers {

using net::HandlerResult;

class HandlerRegistry;

// What a handler may use besides the request. Grows as handlers need more (the
// connection's peer address, authenticated principal, listener name, broker state such as
// the log manager and metadata cache); add fields here rather than widening handle().
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

// Derives range() from the handler's constants so they are stated once.
template <typename Self>
class HandlerBase : public Handler {
 public:
  ApiRange range() const override {
    static_assert(Self::kMinVersion <= Self::kMaxVersion);
    return {Self::kApiKey, Self::kMinVersion, Self::kMaxVersion};
  }
};

}  // namespace keel::broker::handlers
