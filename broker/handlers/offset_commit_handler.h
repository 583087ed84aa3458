// File: broker/handlers/offset_commit_handler.h
// OffsetCommit (key 8), v0-9. v0 (no generation) and generation -1 commit as a standalone
// consumer into an empty group; offsets of unknown topics get UNKNOWN_TOPIC_OR_PARTITION.
// Metadata strings are kept and returned by OffsetFetch.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class OffsetCommitHandler : public HandlerBase<OffsetCommitHandler> {
 public:
  static constexpr int16_t kApiKey = 8;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 9;

  explicit OffsetCommitHandler(group::GroupCoordinator* groups) : groups_(groups) {}

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;

 private:
  group::GroupCoordinator* groups_;
};

}  // namespace keel::broker::handlers
