// File: tests/unit/broker/published_broker.h
// A broker whose metadata the test writes: node `node.id` with its partitions, group
// coordinator and every client handler behind a real server, wired as a Node wires them, but
// reading a MetadataPublisher the test feeds (no controller of its own), so images can hold
// several brokers and partitions led elsewhere. Changes are applied on the control thread, as
// the node's metadata applier does, and settle() waits (bounded) until what they set off on
// the control thread and the shards has run.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "broker/broker_services.h"
#include "broker/config/broker_config.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler_registry.h"
#include "broker/net/server.h"
#include "broker/net/shard_pool.h"
#include "broker/partition/partition_manager.h"
#include "broker/topic_config/topic_configs.h"
#include "controller/metadata_publisher.h"
#include "storage/log_manager.h"

namespace keel::broker::testing {

// Metadata records for the images the tests publish. Topic ids are 16 copies of one byte.
metadata::MetadataRecord broker_record(int32_t node_id, const std::string& host, int32_t port,
                                       bool fenced = false);
metadata::MetadataRecord fence_record(int32_t node_id, bool fenced);  // broker epoch 1
metadata::MetadataRecord topic_record(const std::string& name, uint8_t id);
// The ISR is the leader alone: until replication only such a leader advances its high
// watermark.
metadata::MetadataRecord partition_record(uint8_t topic_id, int32_t partition,
                                          std::vector<int32_t> replicas, int32_t leader);
// A new leader (-1: none), alone in the ISR; the leader epoch goes up when it changes.
metadata::MetadataRecord leader_record(uint8_t topic_id, int32_t partition, int32_t leader);

class PublishedBroker {
 public:
  // `overrides` are config properties on top of node.id=1, one shard, a loopback listener.
  PublishedBroker(std::string dir, std::vector<std::string> overrides = {});
  ~PublishedBroker();

  // Opens the logs, starts serving and the coordinator. Call once.
  absl::Status start();
  uint16_t port() const { return server_->bound_ports()[0]; }
  int32_t node_id() const { return config_.node_id; }
  PartitionManager& partitions() { return *partitions_; }
  group::GroupCoordinator& groups() { return *groups_; }
  std::shared_ptr<const controller::MetadataImage> image() const { return metadata_.image(); }

  // Replays `records` on the current image and publishes the change from the control thread
  // (the PartitionManager applies it there, then the coordinator hears of it), then settles.
  // False (with a gtest failure) when a record does not apply or settling times out.
  bool publish(const std::vector<metadata::MetadataRecord>& records,
               std::optional<int32_t> controller_id = std::nullopt);
  // Runs, twice, a no-op through the control thread and then every shard, each waited for at
  // most 10 s: what was posted there before (a reconcile, a group load) has then run.
  bool settle();

 private:
  bool run_on(const boost::asio::any_io_executor& ex, std::function<void()> work);
  void stop();

  std::string dir_;
  BrokerConfig config_;
  std::unique_ptr<TopicConfigs> topic_configs_;
  std::unique_ptr<storage::LogManager> logs_;
  controller::MetadataPublisher metadata_;
  std::unique_ptr<controller::ControllerClient> controller_;
  std::unique_ptr<PartitionManager> partitions_;
  handlers::HandlerRegistry registry_;
  BrokerServices services_;
  std::unique_ptr<handlers::Dispatcher> dispatcher_;
  std::unique_ptr<net::ShardPool> shards_;
  std::unique_ptr<net::Server> server_;
  std::unique_ptr<group::GroupCoordinator> groups_;
  boost::asio::io_context control_{1};
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
      control_work_;
  std::thread control_thread_;
  bool stopped_ = false;
};

}  // namespace keel::broker::testing
