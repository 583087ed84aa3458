// File: broker/handlers/describe_log_dirs_handler.h
// DescribeLogDirs (key 35), v0-4: every log dir of this node (log.dirs) with the partitions
// it holds.
//
// Behaviour: a null topic list means every hosted partition. Sizes are read on each
// partition's owner (PartitionManager::on_owner); offset lag is 0 and is_future_key false
// (Keel does not move replicas between dirs). v4 adds the file system's total and usable
// bytes (statvfs); a dir that cannot be read reports KAFKA_STORAGE_ERROR.
#pragma once

#include "broker/handlers/handler.h"

namespace keel::broker::handlers {

class DescribeLogDirsHandler : public HandlerBase<DescribeLogDirsHandler> {
 public:
  static constexpr int16_t kApiKey = 35;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  boost::asio::awaitable<HandlerResult> handle(const RequestContext& ctx,
                                               const protocol::RequestHeader& header,
                                               std::span<const uint8_t> body) const override;
};

}  // namespace keel::broker::handlers
