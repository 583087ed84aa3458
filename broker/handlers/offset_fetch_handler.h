// File: broker/handlers/offset_fetch_handler.h
// OffsetFetch (key 9), v0-9 (v2+: all offsets of the group when topics is null; v8+:
// several groups). Partitions without a committed offset answer -1 with empty metadata.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/offset_fetch.h"

namespace keel::broker::handlers {

class OffsetFetchHandler : public TypedHandler<OffsetFetchHandler, protocol::OffsetFetchRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 9;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::OffsetFetchRequest& req) const;
};

}  // namespace keel::broker::handlers
