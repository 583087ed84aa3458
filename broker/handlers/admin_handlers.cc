// File: broker/handlers/admin_handlers.cc
#include "broker/handlers/admin_handlers.h"

#include <memory>

#include "broker/handlers/alter_configs_handler.h"
#include "broker/handlers/create_partitions_handler.h"
#include "broker/handlers/create_topics_handler.h"
#include "broker/handlers/delete_records_handler.h"
#include "broker/handlers/delete_topics_handler.h"
#include "broker/handlers/describe_cluster_handler.h"
#include "broker/handlers/describe_configs_handler.h"
#include "broker/handlers/describe_log_dirs_handler.h"
#include "broker/handlers/elect_leaders_handler.h"
#include "broker/handlers/incremental_alter_configs_handler.h"
#include "broker/handlers/unregister_broker_handler.h"
#include "protocol/status.h"

namespace keel::broker::handlers {

absl::Status register_admin_handlers(HandlerRegistry& registry) {
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<CreateTopicsHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<DeleteTopicsHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<DeleteRecordsHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<DescribeConfigsHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<AlterConfigsHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<DescribeLogDirsHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<CreatePartitionsHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<IncrementalAlterConfigsHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<DescribeClusterHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<ElectLeadersHandler>()));
  KEEL_RETURN_IF_ERROR(registry.add(std::make_unique<UnregisterBrokerHandler>()));
  return absl::OkStatus();
}

}  // namespace keel::broker::handlers
