// File: broker/handlers/alter_configs_handler.cc
#include "broker/handlers/alter_configs_handler.h"

#include <string>
#include <vector>

#include "broker/broker_services.h"
#include "broker/handlers/admin_util.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/alter_configs.h"

namespace keel::broker::handlers {

using protocol::AlterConfigsRequest;
using protocol::AlterConfigsResponse;
using protocol::ErrorCode;

boost::asio::awaitable<HandlerResult> AlterConfigsHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::AlterConfigsRequest& req) const {
  const BrokerServices& broker = *ctx.broker;

  std::vector<ConfigAlteration> alterations;
  for (const auto& resource : req.resources) {
    ConfigAlteration a;
    a.resource_type = resource.resource_type;
    a.resource_name = resource.resource_name;
    for (const auto& config : resource.configs) {
      if (!config.value.has_value()) {
        a.status = protocol::kafka_error(
            ErrorCode::kInvalidRequest,
            "null value for config " + config.name + " (leave a config out to reset it)");
        break;
      }
      a.changes.push_back({config.name, controller::ConfigOp::kSet, config.value});
    }
    alterations.push_back(std::move(a));
  }
  check_config_alterations(broker, *broker.image(), alterations);
  co_await run_config_alterations(broker, alterations, /*replace_all=*/true, req.validate_only);

  AlterConfigsResponse resp;
  resp.responses =
      alteration_responses<AlterConfigsResponse::AlterConfigsResourceResponse>(alterations);
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
