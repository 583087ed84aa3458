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
#include "protocol/generated/describe_log_dirs.h"

namespace keel::broker::handlers {

class DescribeLogDirsHandler
    : public TypedHandler<DescribeLogDirsHandler, protocol::DescribeLogDirsRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::DescribeLogDirsRequest& req) const;
};

}  // namespace keel::broker::handlers
