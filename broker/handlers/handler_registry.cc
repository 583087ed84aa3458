// File: broker/handlers/handler_registry.cc
#include "broker/handlers/handler_registry.h"

#include <string>
#include <utility>

namespace keel::broker::handlers {

absl::Status HandlerRegistry::add(std::unique_ptr<Handler> handler) {
  if (handler == nullptr) return absl::InvalidArgumentError("null handler");
  const int16_t key = handler->range().api_key;
  if (!handlers_.emplace(key, std::move(handler)).second) {
    return absl::AlreadyExistsError("a handler for api key " + std::to_string(key) +
                                    " is already registered");
  }
  return absl::OkStatus();
}

const Handler* HandlerRegistry::find(int16_t api_key) const {
  auto it = handlers_.find(api_key);
  return it == handlers_.end() ? nullptr : it->second.get();
}

std::vector<ApiRange> HandlerRegistry::advertised() const {
  std::vector<ApiRange> out;
  out.reserve(handlers_.size());
  for (const auto& [key, handler] : handlers_) out.push_back(handler->range());
  return out;
}

boost::asio::awaitable<HandlerResult> Dispatcher::handle(const net::RequestOrigin& origin,
                                                         const protocol::RequestHeader& header,
                                                         std::span<const uint8_t> body) {
  const Handler* handler = registry_->find(header.api_key);
  if (handler == nullptr) {
    co_return HandlerResult::close("unknown api key " + std::to_string(header.api_key));
  }
  const ApiRange range = handler->range();
  if ((header.api_version < range.min_version || header.api_version > range.max_version) &&
      !handler->accepts_unsupported_versions()) {
    co_return HandlerResult::close("unsupported version " + std::to_string(header.api_version) +
                                   " of api key " + std::to_string(header.api_key) +
                                   " (implemented " + std::to_string(range.min_version) + "-" +
                                   std::to_string(range.max_version) + ")");
  }
  const RequestContext ctx{registry_, broker_, origin.client_host, origin.listener};
  // Named first, never a temporary inside the co_await (GCC 12, broker_services.h).
  auto op = handler->handle(ctx, header, body);
  co_return co_await std::move(op);
}

}  // namespace keel::broker::handlers
