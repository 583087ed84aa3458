// File: broker/broker_services.h
// What request handlers may use besides the request itself: the node's config, the
// node's published metadata, a client of the active controller, the hosted partitions, the
// group coordinator, time and randomness, and the control thread. This is the only way
// dependencies reach handlers (RequestContext::broker).
//
// Threading: every pointer is valid while the Server runs. Handlers run on shard threads
// and must not block there: metadata changes go to the ControllerClient, awaited with
// await_controller() (broker/controller_calls.h); partition work goes through
// PartitionManager::on_owner().
//
// GCC 12 pitfall: a temporary with a destructor inside a co_await expression (a capturing
// lambda, a shared_ptr copy, the returned awaitable) may be destroyed twice. Always name
// the work and the awaitable first:
//   auto work = [...](...) { ... };
//   auto op = PartitionManager::on_owner(partition, std::move(work));
//   auto result = co_await std::move(op);
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "broker/config/broker_config.h"
#include "broker/net/asio.h"
#include "broker/net/timers.h"
#include "broker/partition/partition_manager.h"
#include "broker/topic_config/topic_configs.h"
#include "controller/controller_client.h"
#include "controller/metadata_publisher.h"
#include "storage/random.h"

namespace keel::broker {

namespace group {
class GroupCoordinator;  // broker/group/group_coordinator.h
}
namespace quorum {
class RaftDriver;              // broker/quorum/raft_driver.h
class QuorumControllerClient;  // broker/quorum/quorum_controller_client.h
}  // namespace quorum

struct BrokerServices {
  const BrokerConfig* config = nullptr;
  // Metadata changes go to the active controller through this (in-process or forwarded);
  // metadata is read from `metadata`, this node's published image, never from a controller.
  controller::ControllerClient* controller = nullptr;
  controller::MetadataPublisher* metadata = nullptr;
  PartitionManager* partitions = nullptr;
  const TopicConfigs* topic_configs = nullptr;  // the topic config table with node defaults
  group::GroupCoordinator* groups = nullptr;    // serves the consumer group handlers
  net::TimerService* timers = nullptr;          // time and timers (its clock())
  storage::Random* random = nullptr;            // ids, placement choices
  boost::asio::any_io_executor control;         // one thread; runs controller ops and subscribers
  // The metadata quorum's Raft node (controller listener handlers); null with one voter.
  quorum::RaftDriver* raft = nullptr;
  // The controller listener's services only: this node's controller, never forwarded
  // (broker registration and heartbeats, forwarded admin requests).
  quorum::QuorumControllerClient* quorum_controller = nullptr;
  // With a quorum: the active controller when this node reaches it (handlers/controller_id.h);
  // empty with one node.
  std::function<std::optional<int32_t>()> reachable_controller;

  std::shared_ptr<const controller::MetadataImage> image() const { return metadata->image(); }
};

}  // namespace keel::broker
