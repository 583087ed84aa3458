// File: broker/node.h
// One Keel node: wires the storage, the metadata controller, the hosted partitions, the
// request handlers and the network server together, runs the background upkeep (flushes,
// retention), and shuts it all down in order.
//
// A node is an object: everything it touches of the outside world (files, time and timers,
// randomness) comes from the NodeEnvironment its caller gives it, and it owns its threads, so
// several nodes can run in one process (tests of a cluster).
//
// Threads: the node's ShardPool (keel.shards event loops: connections, partition owners,
// group shards) and one control thread (controller operations, metadata subscribers, the
// LogManager, fsyncs of flush tickets).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/broker_services.h"
#include "broker/config/broker_config.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler_registry.h"
#include "broker/local_controller_client.h"
#include "broker/net/server.h"
#include "broker/net/shard_pool.h"
#include "broker/net/timers.h"
#include "broker/partition/partition_manager.h"
#include "broker/quorum/broker_lifecycle.h"
#include "broker/quorum/controller_channel.h"
#include "broker/quorum/controller_runtime.h"
#include "broker/quorum/quorum_controller_client.h"
#include "broker/quorum/quorum_handlers.h"
#include "broker/quorum/raft_driver.h"
#include "broker/topic_config/topic_configs.h"
#include "controller/controller.h"
#include "controller/metadata_state_machine.h"
#include "storage/env.h"
#include "storage/log_manager.h"
#include "storage/random.h"

namespace keel::broker {

// What a node gets from its host process. Every pointer must outlive the node.
struct NodeEnvironment {
  storage::Env* env = storage::Env::posix();
  net::TimerService* timers = net::TimerService::system();  // and its clock()
  storage::Random* random = storage::Random::system();
};

class Node {
 public:
  // Opens (formatting on first start) the log dirs, replays the metadata log, recovers every
  // partition log, and starts serving. Errors name what failed.
  static absl::StatusOr<std::unique_ptr<Node>> start(BrokerConfig config,
                                                     NodeEnvironment environment = {});
  ~Node();

  // Graceful: stop accepting, finish in-flight requests, flush and checkpoint every log,
  // write the clean-shutdown markers, close the metadata log. Idempotent.
  absl::Status stop();

  // The bound port of each served listener, in `listeners` order (a controller-only listener
  // is served only while the Raft quorum runs, see raft()).
  const std::vector<uint16_t>& ports() const { return server_->bound_ports(); }
  // The metadata quorum's Raft node over the controller listener: runs when
  // controller.quorum.voters lists more than one voter, else null. Valid until destruction.
  quorum::RaftDriver* raft() const { return raft_.get(); }
  // This broker's registration with the active controller (with a quorum; else null).
  const quorum::BrokerLifecycle* lifecycle() const { return lifecycle_.get(); }
  // The metadata this node has applied.
  std::shared_ptr<const controller::MetadataImage> image() const { return metadata_.image(); }
  // SIGTERM's first step with a quorum: asks the controller to move this broker's leaderships
  // away and waits for its go (bounded). A no-op without a quorum. Then call stop().
  void controlled_shutdown();

 private:
  Node(BrokerConfig config, NodeEnvironment environment);
  absl::Status open();
  bool runs_quorum() const;
  // With a quorum (node_quorum.cc): the identity checks and the state machine before the logs
  // open; the Raft driver, the controller and the broker's registration after.
  absl::Status open_quorum_metadata();
  absl::Status start_quorum();
  absl::Status open_local_controller();
  std::vector<metadata::Endpoint> advertised_endpoints() const;
  controller::ControlSettings control_settings() const;
  boost::asio::awaitable<void> upkeep_loop();
  boost::asio::awaitable<void> flush_due_logs();
  boost::asio::awaitable<void> apply_retention();
  boost::asio::awaitable<void> checkpoint_offsets();
  boost::asio::awaitable<void> clean_compacted_logs();

  BrokerConfig config_;
  NodeEnvironment environment_;
  std::unique_ptr<TopicConfigs> topic_configs_;
  std::unique_ptr<storage::LogManager> logs_;
  // What this node knows of the cluster, published as metadata records are applied; every
  // broker component reads metadata here.
  controller::MetadataPublisher metadata_;
  std::unique_ptr<controller::Controller> controller_;
  std::unique_ptr<controller::ControllerClient> controller_client_;
  std::unique_ptr<PartitionManager> partitions_;
  handlers::HandlerRegistry registry_;
  BrokerServices services_;
  std::unique_ptr<handlers::Dispatcher> dispatcher_;
  // With a quorum: the controller listener's handlers, and the router choosing by listener.
  handlers::HandlerRegistry quorum_registry_;
  std::unique_ptr<handlers::Dispatcher> quorum_dispatcher_;
  std::unique_ptr<quorum::ListenerRouter> router_;
  // With a quorum: the state machine and the controller living on the raft thread, before
  // raft_ (they outlive its thread); the channels and clients after it (destroyed first).
  std::unique_ptr<controller::MetadataStateMachine> state_machine_;
  std::unique_ptr<quorum::ControllerRuntime> runtime_;
  BrokerServices quorum_services_;  // the controller listener's (an active-only controller)
  // Before server_: stopped first, destroyed after it (handlers may still hold it).
  std::unique_ptr<quorum::RaftDriver> raft_;
  std::unique_ptr<quorum::ControllerChannels> channels_;
  std::unique_ptr<quorum::QuorumControllerClient> active_controller_;
  std::unique_ptr<quorum::BrokerLifecycle> lifecycle_;
  std::unique_ptr<net::InflightBudget> budget_;
  net::NetMetrics net_metrics_;
  std::unique_ptr<net::Server> server_;
  // After server_: destroyed before it, so connections abandoned by a stop that timed out die
  // with their contexts while the server they report to still exists.
  std::unique_ptr<net::ShardPool> shards_;
  // After shards_: destroyed first, while the shards' io_contexts still exist.
  std::unique_ptr<group::GroupCoordinator> groups_;

  boost::asio::io_context control_{1};
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
      control_work_;
  std::thread control_thread_;
  std::atomic<bool> stopping_{false};
  bool stopped_ = false;
};

}  // namespace keel::broker
