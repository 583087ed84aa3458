// File: broker/quorum/quorum_handlers.h
// The controller listener's side of the quorum: handlers for the KRaft RPCs (Vote 52,
// BeginQuorumEpoch 53, EndQuorumEpoch 54, DescribeQuorum 55, FetchSnapshot 59 and Fetch 1 of
// `__cluster_metadata`) that convert the request (raft_wire.h), deliver it to the node's
// RaftDriver (BrokerServices::raft) and encode the answer the RaftNode gives. A request the
// node does not answer within the request timeout (or one the conversion refuses, such as a
// partition other than __cluster_metadata-0) closes the connection: the peer's RaftNode
// retries on a new one. DescribeQuorum is answered from RaftNode::describe_quorum().
//
// The controller listener gets its own registry (these handlers and ApiVersions, which
// therefore advertises exactly them); ListenerRouter sends each request to the registry of
// the listener it arrived on, so a client's Fetch on a client listener stays the broker's.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "broker/handlers/handler_registry.h"
#include "broker/net/request_handler.h"

namespace keel::broker::quorum {

// ApiVersions and the quorum RPC handlers (the controller listener's registry).
absl::Status register_quorum_handlers(handlers::HandlerRegistry& registry);
// DescribeQuorum alone, for the client listeners' registry (kafka-metadata-quorum asks there).
absl::Status register_client_quorum_handlers(handlers::HandlerRegistry& registry);

// Requests on a controller listener go to `controller`, the others to `clients`.
class ListenerRouter : public net::RequestHandler {
 public:
  ListenerRouter(net::RequestHandler* clients, net::RequestHandler* controller,
                 std::vector<std::string> controller_listeners)
      : clients_(clients), controller_(controller), names_(std::move(controller_listeners)) {}

  boost::asio::awaitable<net::HandlerResult> handle(const net::RequestOrigin& origin,
                                                    const protocol::RequestHeader& header,
                                                    std::span<const uint8_t> body) override;

 private:
  net::RequestHandler* clients_;
  net::RequestHandler* controller_;
  std::vector<std::string> names_;
};

}  // namespace keel::broker::quorum
