// File: broker/handlers/admin_handlers.h
// Registers the admin API handlers: CreateTopics, DeleteTopics, CreatePartitions,
// DescribeConfigs, AlterConfigs, IncrementalAlterConfigs, DescribeCluster, DescribeLogDirs
// and DeleteRecords.
#pragma once

#include "absl/status/status.h"
#include "broker/handlers/handler_registry.h"

namespace keel::broker::handlers {

// Adds every admin handler to `registry` (AlreadyExists if one of their keys is taken).
absl::Status register_admin_handlers(HandlerRegistry& registry);

}  // namespace keel::broker::handlers
