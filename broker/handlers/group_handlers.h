// File: broker/handlers/group_handlers.h
// Registers the consumer group handlers: FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, OffsetCommit, OffsetFetch, ListGroups, DescribeGroups, DeleteGroups and
// OffsetDelete, all served by `groups` (which must outlive the registry's use).
#pragma once

#include "absl/status/status.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler_registry.h"

namespace keel::broker::handlers {

absl::Status register_group_handlers(HandlerRegistry& registry, group::GroupCoordinator* groups);

}  // namespace keel::broker::handlers
