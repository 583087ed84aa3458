// File: broker/handlers/list_offsets_handler.cc
#include "broker/handlers/list_offsets_handler.h"

#include <string>

#include "broker/broker_services.h"
#include "broker/handlers/handler_util.h"
#include "broker/handlers/partition_leadership.h"
#include "protocol/generated/list_offsets.h"

namespace keel::broker::handlers {
namespace {

using protocol::ErrorCode;
using protocol::ListOffsetsRequest;
using protocol::ListOffsetsResponse;

constexpr int64_t kEarliestLocalTimestamp = -4;

// The leader epoch of the batch holding `offset`, from the epoch cache.
int32_t epoch_at(const storage::Log& log, int64_t offset) {
  int32_t epoch = -1;
  for (const storage::EpochEntry& e : log.epoch_cache().entries()) {
    if (e.start_offset > offset) break;
    epoch = e.epoch;
  }
  return epoch;
}

ListOffsetsResponse::ListOffsetsPartitionResponse lookup(Partition& p, int32_t current_epoch,
                                                         int64_t timestamp) {
  ListOffsetsResponse::ListOffsetsPartitionResponse out;
  storage::Log* log = p.log();
  if (log == nullptr) {
    out.error_code = error_code(ErrorCode::kUnknownTopicOrPartition);
    return out;
  }
  if (!p.is_leader()) {  // a follower's offsets are not the partition's
    out.error_code = error_code(ErrorCode::kNotLeaderOrFollower);
    return out;
  }
  if (current_epoch >= 0 && current_epoch != p.leader_epoch()) {
    out.error_code = error_code(current_epoch > p.leader_epoch() ? ErrorCode::kUnknownLeaderEpoch
                                                                 : ErrorCode::kFencedLeaderEpoch);
    return out;
  }
  const int64_t hw = log->high_watermark();
  if (timestamp == storage::kEarliestTimestamp || timestamp == kEarliestLocalTimestamp) {
    out.offset = log->log_start_offset();
  } else if (timestamp == storage::kLatestTimestamp) {
    out.offset = hw;
    out.leader_epoch = p.leader_epoch();
    return out;
  } else {
    absl::StatusOr<std::optional<storage::TimestampOffset>> found =
        log->offset_for_timestamp(timestamp);
    if (!found.ok()) {
      out.error_code = error_code(found.status());
      return out;
    }
    if (!found->has_value() || (*found)->offset >= hw) return out;  // offset -1: none
    out.offset = (*found)->offset;
    out.timestamp = (*found)->timestamp;
  }
  out.leader_epoch = epoch_at(*log, out.offset);
  return out;
}

}  // namespace

boost::asio::awaitable<HandlerResult> ListOffsetsHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::ListOffsetsRequest& req) const {
  const BrokerServices& broker = *ctx.broker;
  auto image = broker.image();

  ListOffsetsResponse resp;
  for (const auto& topic : req.topics) {
    ListOffsetsResponse::ListOffsetsTopicResponse& tr = resp.topics.emplace_back();
    tr.name = topic.name;
    const controller::TopicImage* topic_image = image->topic(topic.name);
    for (const auto& lp : topic.partitions) {
      ListOffsetsResponse::ListOffsetsPartitionResponse pr;
      const controller::PartitionImage* partition_image =
          topic_image != nullptr ? image->partition(topic.name, lp.partition_index) : nullptr;
      std::shared_ptr<Partition> partition;
      if (partition_image == nullptr) {
        pr.error_code = error_code(ErrorCode::kUnknownTopicOrPartition);
      } else if (partition_leadership(*image, *partition_image, broker.config->node_id).error !=
                     ErrorCode::kNone ||
                 (partition = broker.partitions->get(topic.name, lp.partition_index)) == nullptr) {
        pr.error_code = error_code(ErrorCode::kNotLeaderOrFollower);
      } else {
        auto work = [epoch = lp.current_leader_epoch, ts = lp.timestamp](Partition& p) {
          return lookup(p, epoch, ts);
        };
        // Named locals, never temporaries inside a co_await expression (broker_services.h).
        auto looking = PartitionManager::on_owner(partition, std::move(work));
        pr = co_await std::move(looking);
      }
      pr.partition_index = lp.partition_index;
      tr.partitions.push_back(std::move(pr));
    }
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
