// File: broker/handlers/delete_records_handler.cc
#include "broker/handlers/delete_records_handler.h"

#include <memory>
#include <string>

#include "broker/broker_services.h"
#include "broker/handlers/handler_util.h"
#include "broker/handlers/partition_leadership.h"
#include "protocol/generated/delete_records.h"

namespace keel::broker::handlers {
namespace {

using protocol::DeleteRecordsRequest;
using protocol::DeleteRecordsResponse;
using protocol::ErrorCode;

constexpr int64_t kHighWatermark = -1;  // "delete everything below the high watermark"

struct Outcome {
  absl::Status status;
  int64_t low_watermark = -1;
};

// On the owner: moves the log start offset of `p` up to `offset`.
Outcome delete_below(Partition& p, int64_t offset) {
  Outcome o;
  storage::Log* log = p.log();
  if (log == nullptr) {
    o.status = protocol::kafka_error(
        ErrorCode::kUnknownTopicOrPartition,
        "partition " + p.tp().topic + "-" + std::to_string(p.tp().partition) + " was deleted");
    return o;
  }
  if (!p.is_leader()) {
    o.status =
        protocol::kafka_error(ErrorCode::kNotLeaderOrFollower,
                              "this node follows " + p.tp().topic + "-" +
                                  std::to_string(p.tp().partition) + ", it does not lead it");
    return o;
  }
  if (log->config().cleanup_compact && !log->config().cleanup_delete) {
    o.status = protocol::kafka_error(ErrorCode::kPolicyViolation,
                                     "records of a topic with cleanup.policy=compact cannot be "
                                     "deleted");
    return o;
  }
  const int64_t target = offset == kHighWatermark ? log->high_watermark() : offset;
  if (target < 0 || target > log->high_watermark()) {
    o.status = protocol::kafka_error(
        ErrorCode::kOffsetOutOfRange,
        "offset " + std::to_string(offset) + " is outside [0, high watermark " +
            std::to_string(log->high_watermark()) + "] (-1 = the high watermark)");
    return o;
  }
  absl::StatusOr<storage::RetentionResult> r = log->advance_log_start_offset(target);
  if (!r.ok()) {
    o.status = r.status();
    return o;
  }
  o.low_watermark = log->log_start_offset();
  return o;
}

}  // namespace

boost::asio::awaitable<HandlerResult> DeleteRecordsHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::DeleteRecordsRequest& req) const {
  const BrokerServices& broker = *ctx.broker;

  auto image = broker.image();
  DeleteRecordsResponse resp;
  for (const auto& topic : req.topics) {
    DeleteRecordsResponse::DeleteRecordsTopicResult tr;
    tr.name = topic.name;
    for (const auto& pd : topic.partitions) {
      Outcome outcome;
      const std::string tp_name = topic.name + "-" + std::to_string(pd.partition_index);
      const controller::PartitionImage* partition_image =
          image->partition(topic.name, pd.partition_index);
      std::shared_ptr<Partition> partition;
      if (partition_image == nullptr) {
        outcome.status = protocol::kafka_error(ErrorCode::kUnknownTopicOrPartition,
                                               "unknown topic or partition " + tp_name);
      } else if (partition_leadership(*image, *partition_image, broker.config->node_id).error !=
                 ErrorCode::kNone) {
        outcome.status = protocol::kafka_error(ErrorCode::kNotLeaderOrFollower,
                                               "this node does not lead " + tp_name);
      } else if ((partition = broker.partitions->get(topic.name, pd.partition_index)) == nullptr) {
        outcome.status = protocol::kafka_error(ErrorCode::kNotLeaderOrFollower,
                                               "this broker does not host " + tp_name + " yet");
      } else {
        const int64_t offset = pd.offset;
        // Named locals, never temporaries inside a co_await expression (broker_services.h).
        auto work = [offset](Partition& p) { return delete_below(p, offset); };
        auto deleting = PartitionManager::on_owner(partition, work);
        outcome = co_await std::move(deleting);
      }
      DeleteRecordsResponse::DeleteRecordsPartitionResult pr;
      pr.partition_index = pd.partition_index;
      pr.low_watermark = outcome.status.ok() ? outcome.low_watermark : -1;
      pr.error_code = error_code(outcome.status);
      tr.partitions.push_back(pr);
    }
    resp.topics.push_back(std::move(tr));
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
