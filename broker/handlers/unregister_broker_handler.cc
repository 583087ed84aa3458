// File: broker/handlers/unregister_broker_handler.cc
#include "broker/handlers/unregister_broker_handler.h"

#include "broker/broker_services.h"
#include "broker/controller_calls.h"
#include "broker/handlers/handler_util.h"

namespace keel::broker::handlers {

boost::asio::awaitable<HandlerResult> UnregisterBrokerHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::UnregisterBrokerRequest& req) const {
  controller::ControllerClient* c = ctx.broker->controller;
  const int32_t node_id = req.broker_id;
  auto call = await_controller<absl::Status>(
      [c, node_id](auto done) { c->unregister_broker(node_id, std::move(done)); });
  const absl::Status s = co_await std::move(call);
  protocol::UnregisterBrokerResponse resp;
  resp.error_code = error_code(s);
  resp.error_message = error_message(s);
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
