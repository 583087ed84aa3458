// File: broker/handlers/heartbeat_handler.cc
#include "broker/handlers/heartbeat_handler.h"

#include <string>

#include "broker/handlers/handler_util.h"
#include "protocol/generated/heartbeat.h"

namespace keel::broker::handlers {

boost::asio::awaitable<HandlerResult> HeartbeatHandler::handle(
    const RequestContext&, const protocol::RequestHeader& header,
    std::span<const uint8_t> body) const {
  std::string why;
  auto req = decode_body<protocol::HeartbeatRequest>(header, body, &why);
  if (!req) co_return HandlerResult::close(why);
  protocol::HeartbeatResponse resp;
  group::GroupCoordinator::Route route = groups_->route(req->group_id);
  if (route.error != 0) {
    resp.error_code = route.error;
    co_return respond(header, resp);
  }
  std::optional<std::string> instance;
  if (header.api_version >= 3) instance = req->group_instance_id;
  auto work = [g = req->group_id, gen = req->generation_id, m = req->member_id,
               instance](group::GroupShard& shard) { return shard.heartbeat(g, gen, m, instance); };
  auto op = group::GroupCoordinator::on_shard(route.shard, std::move(work));
  resp.error_code = co_await std::move(op);
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
