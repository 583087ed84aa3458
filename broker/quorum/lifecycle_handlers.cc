// File: broker/quorum/lifecycle_handlers.cc
#include "broker/quorum/lifecycle_handlers.h"

#include <utility>

#include "broker/broker_services.h"
#include "broker/controller_calls.h"
#include "broker/handlers/alter_configs_handler.h"
#include "broker/handlers/create_partitions_handler.h"
#include "broker/handlers/create_topics_handler.h"
#include "broker/handlers/delete_topics_handler.h"
#include "broker/handlers/elect_leaders_handler.h"
#include "broker/handlers/handler.h"
#include "broker/handlers/incremental_alter_configs_handler.h"
#include "broker/handlers/unregister_broker_handler.h"
#include "broker/quorum/quorum_controller_client.h"
#include "protocol/error_code.h"
#include "protocol/generated/all_messages.h"
#include "protocol/status.h"

namespace keel::broker::quorum {
namespace {

namespace asio = boost::asio;
using handlers::HandlerResult;
using handlers::RequestContext;
using protocol::ErrorCode;

int16_t code_of(const absl::Status& s) { return static_cast<int16_t>(protocol::to_error_code(s)); }

class BrokerRegistrationHandler
    : public handlers::TypedHandler<BrokerRegistrationHandler,
                                    protocol::BrokerRegistrationRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;
  asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                       const protocol::RequestHeader& header,
                                       protocol::BrokerRegistrationRequest& req) const {
    protocol::BrokerRegistrationResponse resp;
    QuorumControllerClient* controller = ctx.broker->quorum_controller;
    const std::string& cluster_id = ctx.broker->image()->cluster_id();
    if (controller == nullptr) {
      resp.error_code = static_cast<int16_t>(ErrorCode::kNotController);
    } else if (req.cluster_id != cluster_id) {
      // A broker of another cluster must not join this one.
      resp.error_code = static_cast<int16_t>(ErrorCode::kInconsistentClusterId);
    } else {
      controller::BrokerRegistration r;
      r.node_id = req.broker_id;
      r.rack = req.rack.value_or("");
      for (const auto& l : req.listeners) {
        metadata::Endpoint e;
        e.set_listener_name(l.name);
        e.set_host(l.host);
        e.set_port(l.port);
        r.endpoints.push_back(std::move(e));
      }
      auto call = await_controller<absl::StatusOr<int64_t>>(
          [controller, r = std::move(r)](auto done) mutable {
            controller->register_broker(std::move(r), std::move(done));
          });
      absl::StatusOr<int64_t> epoch = co_await std::move(call);
      if (epoch.ok()) {
        resp.broker_epoch = *epoch;
      } else {
        resp.error_code = code_of(epoch.status());
      }
    }
    co_return HandlerResult::respond(
        protocol::encode_response_frame(header.correlation_id, header.api_version, resp));
  }
};

class BrokerHeartbeatHandler
    : public handlers::TypedHandler<BrokerHeartbeatHandler, protocol::BrokerHeartbeatRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 1;
  asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                       const protocol::RequestHeader& header,
                                       protocol::BrokerHeartbeatRequest& req) const {
    protocol::BrokerHeartbeatResponse resp;
    QuorumControllerClient* controller = ctx.broker->quorum_controller;
    if (controller == nullptr) {
      resp.error_code = static_cast<int16_t>(ErrorCode::kNotController);
    } else {
      controller::HeartbeatRequest h;
      h.node_id = req.broker_id;
      h.broker_epoch = req.broker_epoch;
      h.metadata_offset = req.current_metadata_offset;
      h.want_fence = req.want_fence;
      h.want_shutdown = req.want_shut_down;
      auto call = await_controller<controller::HeartbeatAnswer>(
          [controller, h](auto done) { controller->heartbeat(h, std::move(done)); });
      controller::HeartbeatAnswer a = co_await std::move(call);
      resp.error_code = code_of(a.status);
      resp.is_caught_up = a.is_caught_up;
      resp.is_fenced = a.is_fenced;
      resp.should_shut_down = a.should_shutdown;
    }
    co_return HandlerResult::respond(
        protocol::encode_response_frame(header.correlation_id, header.api_version, resp));
  }
};

template <typename Handler>
absl::Status add(handlers::HandlerRegistry& registry) {
  return registry.add(std::make_unique<Handler>());
}

}  // namespace

absl::Status register_controller_listener_handlers(handlers::HandlerRegistry& registry) {
  KEEL_RETURN_IF_ERROR(add<BrokerRegistrationHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<BrokerHeartbeatHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<handlers::CreateTopicsHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<handlers::DeleteTopicsHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<handlers::CreatePartitionsHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<handlers::AlterConfigsHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<handlers::IncrementalAlterConfigsHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<handlers::ElectLeadersHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<handlers::UnregisterBrokerHandler>(registry));
  return absl::OkStatus();
}

}  // namespace keel::broker::quorum
