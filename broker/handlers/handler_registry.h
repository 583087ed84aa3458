// File: broker/handlers/handler_registry.h
// The table of per-API handlers and the Dispatcher that routes requests to them.
//
// Design:
// - One handler per API, each in its own file, declaring its implemented version range as
//   constants; the key is its generated request message's (TypedHandler, handler.h).
// - The registry is the ONLY source of ApiVersions' list: advertised() is derived from the
//   registered handlers, so an API is advertised exactly when it is implemented, at exactly
//   the versions it implements. Clients pick versions from that list, so advertising more
//   than we implement would make them send requests we cannot answer.
// - Unknown API key: the connection is closed (Kafka does the same; there is no header
//   version or body layout to answer in). The reason is logged by the connection.
// - Version outside a handler's range: closed too (Kafka closes on unsupported versions of
//   any API but ApiVersions: a client that read our ApiVersions never sends one). ApiVersions
//   is the exception, it answers UNSUPPORTED_VERSION so clients can fall back.
//
// Threading: fill the registry before the Server starts; afterwards it is read-only and
// shared by all shards without locks.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "broker/handlers/handler.h"
#include "broker/net/request_handler.h"

namespace keel::broker::handlers {

class HandlerRegistry {
 public:
  // AlreadyExists if a handler for the same key is registered; InvalidArgument if null.
  absl::Status add(std::unique_ptr<Handler> handler);
  // The handler for `api_key`, or null.
  const Handler* find(int16_t api_key) const;
  // (key, min, max) of every registered handler, ordered by key.
  std::vector<ApiRange> advertised() const;

 private:
  std::map<int16_t, std::unique_ptr<Handler>> handlers_;
};

// A net::RequestHandler that routes each request to the registered handler (see Design).
class Dispatcher : public net::RequestHandler {
 public:
  // `registry` must outlive the Dispatcher and not change while requests flow.
  // `broker` may be null in tests of handlers that need no broker services.
  explicit Dispatcher(const HandlerRegistry* registry, const BrokerServices* broker = nullptr)
      : registry_(registry), broker_(broker) {}

  boost::asio::awaitable<HandlerResult> handle(const net::RequestOrigin& origin,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) override;

 private:
  const HandlerRegistry* registry_;
  const BrokerServices* broker_;
};

}  // namespace keel::broker::handlers
