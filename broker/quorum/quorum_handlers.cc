#include "broker/quorum/quorum_handlers.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include "broker/broker_services.h"
#include "broker/controller_calls.h"
#include "broker/handlers/api_versions_handler.h"
#include "broker/handlers/handler.h"
#include "broker/quorum/raft_driver.h"
#include "controller/raft/raft_wire.h"
#include "protocol/status.h"
#include "protocol/wire/framing.h"

namespace keel::broker::quorum {
namespace {

namespace asio = boost::asio;
using handlers::HandlerResult;
using handlers::RequestContext;

RaftDriver* driver_of(const RequestContext& ctx) {
  return ctx.broker == nullptr ? nullptr : ctx.broker->raft;
}

int32_t sender_of(const raft::VoteRequest& m) { return m.candidate_id; }
int32_t sender_of(const raft::BeginQuorumEpochRequest& m) { return m.leader_id; }
int32_t sender_of(const raft::EndQuorumEpochRequest& m) { return m.leader_id; }
int32_t sender_of(const raft::FetchRequest& m) { return m.replica_id; }
int32_t sender_of(const raft::FetchSnapshotRequest& m) { return m.replica_id; }

// Converts, delivers, awaits and encodes one RPC: `Answer` is the RaftNode response type.
template <typename Answer, typename WireRequest>
asio::awaitable<HandlerResult> serve_rpc(const RequestContext& ctx,
                                         const protocol::RequestHeader& header,
                                         const WireRequest& request) {
  RaftDriver* driver = driver_of(ctx);
  if (driver == nullptr) co_return HandlerResult::close("no raft quorum runs on this node");
  auto message = raft::wire::from_wire(request);
  if (!message.ok()) {
    co_return HandlerResult::close("refused raft request: " +
                                   std::string(message.status().message()));
  }
  raft::Envelope envelope{sender_of(*message), driver->node_id(), header.correlation_id,
                          raft::Message(std::move(*message))};
  auto call = await_controller<std::optional<raft::Envelope>>(
      [driver, e = std::move(envelope)](auto done) mutable {
        driver->deliver(std::move(e), std::move(done));
      });
  std::optional<raft::Envelope> answer = co_await std::move(call);
  if (!answer) co_return HandlerResult::close("the raft node gave no answer in time");
  const Answer* response = std::get_if<Answer>(&answer->message);
  if (response == nullptr) co_return HandlerResult::close("the raft node answered out of kind");
  auto wire = raft::wire::to_wire(*response);
  co_return HandlerResult::respond(
      protocol::encode_response_frame(header.correlation_id, header.api_version, wire));
}

// A Raft RPC: the request goes to the driver, the node's answer of kind `Answer` comes back.
template <class Request, class Answer, int16_t Min, int16_t Max>
class RaftRpcHandler
    : public handlers::TypedHandler<RaftRpcHandler<Request, Answer, Min, Max>, Request> {
 public:
  static constexpr int16_t kMinVersion = Min;
  static constexpr int16_t kMaxVersion = Max;
  asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                       const protocol::RequestHeader& header,
                                       Request& request) const {
    return serve_rpc<Answer>(ctx, header, request);
  }
};

using VoteHandler = RaftRpcHandler<protocol::VoteRequest, raft::VoteResponse, 0, 2>;
using BeginQuorumEpochHandler =
    RaftRpcHandler<protocol::BeginQuorumEpochRequest, raft::BeginQuorumEpochResponse, 0, 1>;
using EndQuorumEpochHandler =
    RaftRpcHandler<protocol::EndQuorumEpochRequest, raft::EndQuorumEpochResponse, 0, 1>;
// Fetch on the controller listener: only the metadata partition (from_wire refuses others);
// v12 is the first with last_fetched_epoch.
using RaftFetchHandler = RaftRpcHandler<protocol::FetchRequest, raft::FetchResponse, 12, 17>;
using FetchSnapshotHandler =
    RaftRpcHandler<protocol::FetchSnapshotRequest, raft::FetchSnapshotResponse, 0, 1>;

class DescribeQuorumHandler
    : public handlers::TypedHandler<DescribeQuorumHandler, protocol::DescribeQuorumRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 2;
  asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                       const protocol::RequestHeader& header,
                                       protocol::DescribeQuorumRequest&) const {
    RaftDriver* driver = driver_of(ctx);
    if (driver == nullptr) co_return HandlerResult::close("no raft quorum runs on this node");
    auto call = await_controller<raft::QuorumDescription>(
        [driver](auto done) { driver->describe(std::move(done)); });
    raft::QuorumDescription description = co_await std::move(call);
    auto wire = raft::wire::to_wire(description);
    co_return HandlerResult::respond(
        protocol::encode_response_frame(header.correlation_id, header.api_version, wire));
  }
};

template <typename Handler>
absl::Status add(handlers::HandlerRegistry& registry) {
  return registry.add(std::make_unique<Handler>());
}

}  // namespace

absl::Status register_quorum_handlers(handlers::HandlerRegistry& registry) {
  KEEL_RETURN_IF_ERROR(add<handlers::ApiVersionsHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<VoteHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<BeginQuorumEpochHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<EndQuorumEpochHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<RaftFetchHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<FetchSnapshotHandler>(registry));
  KEEL_RETURN_IF_ERROR(add<DescribeQuorumHandler>(registry));
  return absl::OkStatus();
}

absl::Status register_client_quorum_handlers(handlers::HandlerRegistry& registry) {
  return add<DescribeQuorumHandler>(registry);
}

asio::awaitable<net::HandlerResult> ListenerRouter::handle(const net::RequestOrigin& origin,
                                                           const protocol::RequestHeader& header,
                                                           std::span<const uint8_t> body) {
  const bool controller = std::find(names_.begin(), names_.end(), origin.listener) != names_.end();
  net::RequestHandler* target = controller ? controller_ : clients_;
  auto op = target->handle(origin, header, body);
  co_return co_await std::move(op);
}

}  // namespace keel::broker::quorum
