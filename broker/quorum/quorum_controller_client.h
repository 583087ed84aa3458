// File: broker/quorum/quorum_controller_client.h
// The ControllerClient of a voter in a multi-node quorum. Every operation runs on the raft
// thread: when this node leads the quorum it goes to the local QuorumController; otherwise
// (Mode::kForward) it is forwarded to the leader's controller listener as the matching Kafka
// admin request (forwarded_requests.h) and the leader's answer comes back as the result.
//
// An answer of NOT_CONTROLLER (leadership moved while the operation was in flight), an
// unreachable leader or no leader at all is retried, with backoff, on whichever node leads
// then, until kOperationDeadlineMs; clients never see NOT_CONTROLLER from a forwarding broker.
// Mode::kActiveOnly serves the controller listener itself: no forwarding, NOT_CONTROLLER when
// this node does not lead (the forwarding broker retries).
//
// A forwarded operation that succeeded is answered once this node's own image shows its effect
// (bounded by kVisibleWaitMs), so a client that creates a topic through this broker and then
// asks it for metadata finds the topic.
//
// Threading: any thread; callbacks run on the raft thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "broker/net/timers.h"
#include "broker/quorum/controller_channel.h"
#include "broker/quorum/controller_runtime.h"
#include "broker/quorum/raft_driver.h"
#include "controller/controller_client.h"
#include "controller/metadata_publisher.h"

namespace keel::broker::quorum {

class QuorumControllerClient final : public controller::ControllerClient {
 public:
  enum class Mode { kForward, kActiveOnly };
  static constexpr int64_t kOperationDeadlineMs = 30'000;
  static constexpr int64_t kCallTimeoutMs = 5'000;
  static constexpr int64_t kVisibleWaitMs = 2'000;

  // All must outlive the client; `runtime` and `channels` live on the driver's raft thread.
  QuorumControllerClient(Mode mode, RaftDriver* driver, ControllerRuntime* runtime,
                         ControllerChannels* channels,
                         const controller::MetadataPublisher* metadata, net::TimerService* timers)
      : mode_(mode),
        driver_(driver),
        runtime_(runtime),
        channels_(channels),
        metadata_(metadata),
        timers_(timers) {}

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
  // Forwarded like the admin operations above.
  void unregister_broker(int32_t node_id, Callback<absl::Status> done) override;

  // Broker lifecycle, served on the controller listener (never forwarded): the answer is the
  // broker epoch / the heartbeat's answer; both renew the broker's session.
  void register_broker(controller::BrokerRegistration registration,
                       Callback<absl::StatusOr<int64_t>> done);
  void heartbeat(controller::HeartbeatRequest request, Callback<controller::HeartbeatAnswer> done);
  void elect_preferred_leaders(Callback<int32_t> done);

 private:
  template <typename R>
  struct Operation;
  template <typename R>
  void run(std::shared_ptr<Operation<R>> op);
  // An operation's remote half: `request` at `version` to the leader, its answer through
  // `convert` (Response -> R).
  template <typename R, typename Response, typename Request, typename Convert>
  std::function<void(int32_t, std::function<void(absl::StatusOr<R>)>)> forward_as(int16_t version,
                                                                                  Request request,
                                                                                  Convert convert);
  template <typename R>
  void attempt(std::shared_ptr<Operation<R>> op, raft::RaftNode& node);
  template <typename R>
  void retry_later(std::shared_ptr<Operation<R>> op, absl::Status why);
  template <typename R>
  static boost::asio::awaitable<void> wait_and_retry(QuorumControllerClient* self,
                                                     std::shared_ptr<Operation<R>> op,
                                                     int64_t delay_ms);
  template <typename R>
  static boost::asio::awaitable<void> answer_when_visible(QuorumControllerClient* self,
                                                          std::shared_ptr<Operation<R>> op, R r);

  Mode mode_;
  RaftDriver* driver_;
  ControllerRuntime* runtime_;
  ControllerChannels* channels_;
  const controller::MetadataPublisher* metadata_;
  net::TimerService* timers_;
};

}  // namespace keel::broker::quorum
