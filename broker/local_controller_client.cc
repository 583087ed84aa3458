// File: broker/local_controller_client.cc
#include "broker/local_controller_client.h"

#include <utility>

namespace keel::broker {

namespace asio = boost::asio;
using controller::CreateTopicResult;

void LocalControllerClient::create_topics(std::vector<controller::NewTopic> topics,
                                          bool validate_only,
                                          Callback<std::vector<CreateTopicResult>> done) {
  asio::post(control_, [c = controller_, t = std::move(topics), validate_only,
                        done = std::move(done)] { done(c->create_topics(t, validate_only)); });
}

void LocalControllerClient::delete_topics(std::vector<std::string> names,
                                          Callback<std::vector<absl::Status>> done) {
  asio::post(control_, [c = controller_, n = std::move(names), done = std::move(done)] {
    done(c->delete_topics(n));
  });
}

void LocalControllerClient::delete_topics_by_id(std::vector<controller::Uuid> ids,
                                                Callback<std::vector<absl::Status>> done) {
  asio::post(control_, [c = controller_, i = std::move(ids), done = std::move(done)] {
    done(c->delete_topics_by_id(i));
  });
}

void LocalControllerClient::create_partitions(std::vector<controller::NewPartitions> requests,
                                              bool validate_only,
                                              Callback<std::vector<absl::Status>> done) {
  asio::post(control_, [c = controller_, r = std::move(requests), validate_only,
                        done = std::move(done)] { done(c->create_partitions(r, validate_only)); });
}

void LocalControllerClient::alter_configs(controller::ConfigResource resource,
                                          std::vector<controller::ConfigChange> changes,
                                          bool replace_all, bool validate_only,
                                          Callback<absl::Status> done) {
  asio::post(control_, [c = controller_, r = std::move(resource), ch = std::move(changes),
                        replace_all, validate_only, done = std::move(done)] {
    done(c->alter_configs(r, ch, replace_all, validate_only));
  });
}

void LocalControllerClient::elect_leaders(
    controller::ElectionType type, std::optional<std::vector<controller::ElectionTarget>> targets,
    Callback<absl::StatusOr<std::vector<controller::TopicElections>>> done) {
  asio::post(control_, [c = controller_, type, t = std::move(targets), done = std::move(done)] {
    done(c->elect_leaders(type, t));
  });
}

void LocalControllerClient::unregister_broker(int32_t node_id, Callback<absl::Status> done) {
  asio::post(control_, [c = controller_, node_id, done = std::move(done)] {
    done(c->unregister_broker(node_id));
  });
}

}  // namespace keel::broker
