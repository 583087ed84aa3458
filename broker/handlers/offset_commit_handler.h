// File: broker/handlers/offset_commit_handler.h
// OffsetCommit (key 8), v0-9. v0 (no generation) and generation -1 commit as a standalone
// consumer into an empty group; offsets of unknown topics get UNKNOWN_TOPIC_OR_PARTITION.
// Metadata strings are kept and returned by OffsetFetch.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/offset_commit.h"

namespace keel::broker::handlers {

class OffsetCommitHandler
    : public TypedHandler<OffsetCommitHandler, protocol::OffsetCommitRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 9;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::OffsetCommitRequest& req) const;
};

}  // namespace keel::broker::handlers
