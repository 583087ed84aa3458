// File: broker/handlers/incremental_alter_configs_handler.cc
#include "broker/handlers/incremental_alter_configs_handler.h"

#include <string>
#include <vector>

#include "broker/broker_services.h"
#include "broker/handlers/admin_util.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/incremental_alter_configs.h"

namespace keel::broker::handlers {
namespace {

using protocol::ErrorCode;
using protocol::IncrementalAlterConfigsRequest;
using protocol::IncrementalAlterConfigsResponse;

const char* op_name(controller::ConfigOp op) {
  switch (op) {
    case controller::ConfigOp::kSet:
      return "SET";
    case controller::ConfigOp::kDelete:
      return "DELETE";
    case controller::ConfigOp::kAppend:
      return "APPEND";
    case controller::ConfigOp::kSubtract:
      return "SUBTRACT";
  }
  return "?";
}

// The change one request entry asks for, or the error that refuses the resource.
absl::Status to_change(const BrokerServices& broker, int8_t resource_type,
                       const IncrementalAlterConfigsRequest::AlterableConfig& config,
                       controller::ConfigChange* out) {
  if (config.config_operation < 0 || config.config_operation > 3) {
    return protocol::kafka_error(ErrorCode::kInvalidRequest,
                                 "unknown config operation " +
                                     std::to_string(config.config_operation) + " for " +
                                     config.name + " (0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT)");
  }
  out->name = config.name;
  out->op = static_cast<controller::ConfigOp>(config.config_operation);
  if (out->op != controller::ConfigOp::kDelete) {
    if (!config.value.has_value()) {
      return protocol::kafka_error(ErrorCode::kInvalidRequest,
                                   std::string("null value for config ") + config.name + " (" +
                                       op_name(out->op) + " needs a value)");
    }
    out->value = config.value;
  }
  const bool list_op =
      out->op == controller::ConfigOp::kAppend || out->op == controller::ConfigOp::kSubtract;
  if (list_op && resource_type == kTopicResource) {
    std::optional<DescribedType> type = broker.topic_configs->type_of(config.name);
    if (type.has_value() && *type != DescribedType::kList) {
      return protocol::kafka_error(ErrorCode::kInvalidConfig, std::string(op_name(out->op)) +
                                                                  " works on list configs only; " +
                                                                  config.name + " is not a list");
    }
  }
  return absl::OkStatus();
}

}  // namespace

boost::asio::awaitable<HandlerResult> IncrementalAlterConfigsHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::IncrementalAlterConfigsRequest& req) const {
  const BrokerServices& broker = *ctx.broker;

  std::vector<ConfigAlteration> alterations;
  for (const auto& resource : req.resources) {
    ConfigAlteration a;
    a.resource_type = resource.resource_type;
    a.resource_name = resource.resource_name;
    for (const auto& config : resource.configs) {
      controller::ConfigChange change;
      a.status = to_change(broker, resource.resource_type, config, &change);
      if (!a.status.ok()) break;
      a.changes.push_back(std::move(change));
    }
    alterations.push_back(std::move(a));
  }
  check_config_alterations(broker, *broker.image(), alterations);
  co_await run_config_alterations(broker, alterations, /*replace_all=*/false, req.validate_only);

  IncrementalAlterConfigsResponse resp;
  resp.responses =
      alteration_responses<IncrementalAlterConfigsResponse::AlterConfigsResourceResponse>(
          alterations);
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
