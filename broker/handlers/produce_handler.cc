// File: broker/handlers/produce_handler.cc
#include "broker/handlers/produce_handler.h"

#include <string>

#include "broker/broker_services.h"
#include "broker/handlers/handler_util.h"
#include "broker/handlers/partition_leadership.h"
#include "protocol/generated/produce.h"

namespace keel::broker::handlers {
namespace {

using protocol::ErrorCode;
using protocol::ProduceRequest;
using protocol::ProduceResponse;

struct PartitionOutcome {
  absl::Status status;
  storage::AppendResult result;
  int32_t leader_epoch = -1;
};

}  // namespace

boost::asio::awaitable<HandlerResult> ProduceHandler::serve(const RequestContext& ctx,
                                                            const protocol::RequestHeader& header,
                                                            protocol::ProduceRequest& req) const {
  const int16_t version = header.api_version;
  const BrokerServices& broker = *ctx.broker;
  const bool valid_acks = req.acks == -1 || req.acks == 0 || req.acks == 1;

  auto image = broker.image();
  ProduceResponse resp;
  for (const auto& topic : req.topic_data) {
    ProduceResponse::TopicProduceResponse tr;
    tr.name = topic.name;
    const controller::TopicImage* topic_image = image->topic(topic.name);
    int32_t min_isr = 1;
    if (topic_image != nullptr) {
      min_isr = broker.topic_configs->min_insync_replicas(topic_image->configs);
    }
    for (const auto& pd : topic.partition_data) {
      ProduceResponse::PartitionProduceResponse pr;
      pr.index = pd.index;
      pr.base_offset = -1;
      PartitionOutcome outcome;
      std::shared_ptr<Partition> partition;
      const controller::PartitionImage* partition_image =
          topic_image != nullptr ? image->partition(topic.name, pd.index) : nullptr;
      const std::string tp_name = topic.name + "-" + std::to_string(pd.index);
      if (!valid_acks) {
        outcome.status =
            protocol::kafka_error(ErrorCode::kInvalidRequiredAcks, "acks must be -1, 0 or 1");
      } else if (partition_image == nullptr) {
        outcome.status = protocol::kafka_error(ErrorCode::kUnknownTopicOrPartition,
                                               "unknown topic or partition " + tp_name);
      } else if (const PartitionLeadership lead =
                     partition_leadership(*image, *partition_image, broker.config->node_id);
                 lead.error != ErrorCode::kNone) {
        outcome.status = protocol::kafka_error(
            lead.error, lead.error == ErrorCode::kLeaderNotAvailable
                            ? tp_name + " has no leader"
                            : tp_name + " is led by node " +
                                  std::to_string(partition_image->leader) + ", not this one");
        // KIP-951: where to retry, so the producer need not refresh its metadata first.
        if (version >= 10 && lead.current_leader != nullptr) {
          pr.current_leader.leader_id = lead.current_leader->node_id;
          pr.current_leader.leader_epoch = lead.leader_epoch;
          add_node_endpoint(resp.node_endpoints, *lead.current_leader, ctx.listener);
        }
      } else if ((partition = broker.partitions->get(topic.name, pd.index)) == nullptr) {
        outcome.status = protocol::kafka_error(ErrorCode::kNotLeaderOrFollower,
                                               "this broker does not host " + tp_name + " yet");
      } else {
        const protocol::RecordsView records = pd.records.value_or(protocol::RecordsView{});
        const int16_t acks = req.acks;
        auto append = [records, acks, min_isr](Partition& p) {
          PartitionOutcome o;
          o.leader_epoch = p.leader_epoch();
          if (acks == -1 && p.isr_size() < static_cast<size_t>(min_isr)) {
            o.status =
                protocol::kafka_error(ErrorCode::kNotEnoughReplicas,
                                      "in-sync replicas " + std::to_string(p.isr_size()) +
                                          " < min.insync.replicas " + std::to_string(min_isr));
            return o;
          }
          absl::StatusOr<storage::AppendResult> r = p.append_as_leader(records);
          if (r.ok()) {
            o.result = *r;
          } else {
            o.status = r.status();
          }
          if (p.log() != nullptr) o.result.log_start_offset = p.log()->log_start_offset();
          return o;
        };
        // Named locals, never temporaries inside a co_await expression (broker_services.h).
        auto appended = PartitionManager::on_owner(partition, std::move(append));
        outcome = co_await std::move(appended);
      }
      if (outcome.status.ok()) {
        pr.base_offset = outcome.result.base_offset;
        pr.log_append_time_ms = outcome.result.log_append_time;
        pr.log_start_offset = outcome.result.log_start_offset;
      } else {
        pr.error_code = error_code(outcome.status);
        if (version >= 8) pr.error_message = error_message(outcome.status);
        if (partition != nullptr) pr.log_start_offset = outcome.result.log_start_offset;
      }
      tr.partition_responses.push_back(std::move(pr));
    }
    resp.responses.push_back(std::move(tr));
  }
  if (req.acks == 0) co_return HandlerResult::no_response();
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
