// File: broker/quorum/lifecycle_handlers.h
// What the controller listener serves besides Raft: BrokerRegistration (62) and
// BrokerHeartbeat (63) from every broker of the cluster, and the admin operations brokers
// forward to the active controller (CreateTopics, DeleteTopics, CreatePartitions,
// AlterConfigs, IncrementalAlterConfigs, ElectLeaders, UnregisterBroker: the client
// listeners' own handlers, which on this listener reach the controller through an
// active-only ControllerClient, so a node that is not the active controller answers
// NOT_CONTROLLER and the forwarding broker retries).
//
// Both lifecycle handlers need BrokerServices::quorum_controller (controller listener only).
#pragma once

#include "absl/status/status.h"
#include "broker/handlers/handler_registry.h"

namespace keel::broker::quorum {

absl::Status register_controller_listener_handlers(handlers::HandlerRegistry& registry);

}  // namespace keel::broker::quorum
