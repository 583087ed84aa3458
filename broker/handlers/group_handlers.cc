// File: broker/handlers/group_handlers.cc
#include "broker/handlers/group_handlers.h"

#include <memory>

#include "broker/handlers/delete_groups_handler.h"
#include "broker/handlers/describe_groups_handler.h"
#include "broker/handlers/find_coordinator_handler.h"
#include "broker/handlers/heartbeat_handler.h"
#include "broker/handlers/join_group_handler.h"
#include "broker/handlers/leave_group_handler.h"
#include "broker/handlers/list_groups_handler.h"
#include "broker/handlers/offset_commit_handler.h"
#include "broker/handlers/offset_delete_handler.h"
#include "broker/handlers/offset_fetch_handler.h"
#include "broker/handlers/sync_group_handler.h"
#include "protocol/status.h"

namespace keel::broker::handlers {

absl::Status register_group_handlers(HandlerRegistry& registry) {
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<FindCoordinatorHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<JoinGroupHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<SyncGroupHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<HeartbeatHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<LeaveGroupHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<OffsetCommitHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<OffsetFetchHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<ListGroupsHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<DescribeGroupsHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<DeleteGroupsHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<OffsetDeleteHandler>()));
  return absl::OkStatus();
}

}  // namespace keel::broker::handlers
