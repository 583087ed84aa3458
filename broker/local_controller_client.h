// File: broker/local_controller_client.h
// The ControllerClient of a node whose controller runs in-process: every request runs on the
// node's control thread (controller operations block for the metadata log's fsync, so never on
// a shard), and the answer goes to the callback from there.
#pragma once

#include "broker/net/asio.h"
#include "controller/controller.h"
#include "controller/controller_client.h"

namespace keel::broker {

class LocalControllerClient final : public controller::ControllerClient {
 public:
  // Both must outlive the client; `control` runs one thread.
  LocalControllerClient(controller::Controller* controller, boost::asio::any_io_executor control)
      : controller_(controller), control_(std::move(control)) {}

  void create_topics(std::vector<controller::NewTopic> topics, bool validate_only,
                     Callback<std::vector<controller::CreateTopicResult>> done) override;
  void delete_topics(std::vector<std::string> names,
                     Callback<std::vector<absl::Status>> done) override;
  void delete_topics_by_id(std::vector<controller::Uuid> ids,
                           Callback<std::vector<absl::Status>> done) override;
  void create_partitions(std::vector<controller::NewPartitions> requests, bool validate_only,
                         Callback<std::vector<absl::Status>> done) override;
  void alter_configs(controller::ConfigResource resource,
                     std::vector<controller::ConfigChange> changes, bool replace_all,
                     bool validate_only, Callback<absl::Status> done) override;
  void elect_leaders(
      controller::ElectionType type, std::optional<std::vector<controller::ElectionTarget>> targets,
      Callback<absl::StatusOr<std::vector<controller::TopicElections>>> done) override;
  void unregister_broker(int32_t node_id, Callback<absl::Status> done) override;

 private:
  controller::Controller* controller_;
  boost::asio::any_io_executor control_;
};

}  // namespace keel::broker
