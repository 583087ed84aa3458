// File: broker/handlers/group_handlers.h
// Registers the consumer group handlers: FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, OffsetCommit, OffsetFetch, ListGroups, DescribeGroups, DeleteGroups and
// OffsetDelete. They reach the group coordinator through BrokerServices::groups.
#pragma once

#include "absl/status/status.h"
#include "broker/handlers/handler_registry.h"

namespace keel::broker::handlers {

// Adds every group handler to `registry` (AlreadyExists if one of their keys is taken).
absl::Status register_group_handlers(HandlerRegistry& registry);

}  // namespace keel::broker::handlers
