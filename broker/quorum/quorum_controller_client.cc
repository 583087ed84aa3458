// File: broker/quorum/quorum_controller_client.cc
#include "broker/quorum/quorum_controller_client.h"

#include <algorithm>
#include <utility>

#include "broker/quorum/forwarded_requests.h"
#include "protocol/error_code.h"

namespace keel::broker::quorum {
namespace {

namespace asio = boost::asio;
using protocol::ErrorCode;

constexpr int64_t kFirstBackoffMs = 50;
constexpr int64_t kMaxBackoffMs = 1000;

absl::Status not_controller_error(const raft::RaftNode& node) {
  return protocol::kafka_error(ErrorCode::kNotController,
                               "node " + std::to_string(node.node_id()) +
                                   " is not the active controller (leader " +
                                   std::to_string(node.leader_id()) + ")");
}

absl::Status stopped_error() {
  return protocol::kafka_error(ErrorCode::kNotController, "this node is shutting down");
}

// Answers whose NOT_CONTROLLER (forwarded::not_controller) means "send it again".
template <typename R>
constexpr bool kRetriedOnNotController =
    std::is_same_v<R, absl::Status> || std::is_same_v<R, std::vector<absl::Status>> ||
    std::is_same_v<R, std::vector<controller::CreateTopicResult>> ||
    std::is_same_v<R, absl::StatusOr<std::vector<controller::TopicElections>>>;

// A response's error as every accepted part's (the whole operation failed to get through).
template <typename R>
R failed_as(const absl::Status& error) {
  R r{};
  if constexpr (std::is_same_v<R, absl::Status>) {
    r = error;
  } else if constexpr (std::is_same_v<R, absl::StatusOr<int64_t>>) {
    r = error;
  } else if constexpr (std::is_same_v<R, controller::HeartbeatAnswer>) {
    r.status = error;
  } else if constexpr (std::is_same_v<R, int32_t>) {
    r = -1;
  }
  return r;
}

}  // namespace

template <typename R>
struct QuorumControllerClient::Operation {
  std::function<void(controller::QuorumController&, std::function<void(R)>)> local;
  // Null: never forwarded.
  std::function<void(int32_t leader, std::function<void(absl::StatusOr<R>)>)> remote;
  std::function<R(const absl::Status&)> failed;
  // Forwarded and successful: true once this node's image shows the result (may be null).
  std::function<bool(const controller::MetadataImage&, const R&)> visible;
  Callback<R> done;
  int64_t deadline_ms = 0;
  int64_t backoff_ms = kFirstBackoffMs;
};

template <typename R, typename Response, typename Request, typename Convert>
std::function<void(int32_t, std::function<void(absl::StatusOr<R>)>)>
QuorumControllerClient::forward_as(int16_t version, Request request, Convert convert) {
  return [this, version, request = std::move(request), convert = std::move(convert)](
             int32_t leader, std::function<void(absl::StatusOr<R>)> d) {
    channels_->call<Response>(leader, version, request, kCallTimeoutMs,
                              [convert, d = std::move(d)](absl::StatusOr<Response> r) {
                                if (!r.ok()) return d(r.status());
                                d(convert(*r));
                              });
  };
}

template <typename R>
void QuorumControllerClient::run(std::shared_ptr<Operation<R>> op) {
  op->deadline_ms = timers_->now_ms() + kOperationDeadlineMs;
  if (!driver_->post([this, op](raft::RaftNode& node) { attempt(op, node); })) {
    op->done(op->failed(stopped_error()));
  }
}

template <typename R>
void QuorumControllerClient::attempt(std::shared_ptr<Operation<R>> op, raft::RaftNode& node) {
  controller::QuorumController* c = runtime_->controller();
  if (c != nullptr && c->leading()) {
    op->local(*c, [this, op](R r) {
      (void)this;  // used only by the answers that can say NOT_CONTROLLER
      if constexpr (kRetriedOnNotController<R>) {
        if (mode_ == Mode::kForward && forwarded::not_controller(r)) {
          return retry_later(op, absl::UnavailableError("leadership moved during the operation"));
        }
      }
      op->done(std::move(r));
    });
    return;
  }
  if (mode_ == Mode::kActiveOnly || op->remote == nullptr) {
    op->done(op->failed(not_controller_error(node)));
    return;
  }
  const int32_t leader = node.leader_id();
  if (leader < 0 || leader == node.node_id()) {
    return retry_later(op, absl::UnavailableError("the quorum has no leader"));
  }
  op->remote(leader, [this, op](absl::StatusOr<R> r) {
    if (!r.ok()) return retry_later(op, r.status());
    if constexpr (kRetriedOnNotController<R>) {
      if (forwarded::not_controller(*r)) {
        return retry_later(op, absl::UnavailableError("the node asked was not the controller"));
      }
    }
    if (op->visible != nullptr) {
      asio::co_spawn(driver_->executor(), answer_when_visible(this, op, std::move(*r)),
                     asio::detached);
      return;
    }
    op->done(std::move(*r));
  });
}

template <typename R>
asio::awaitable<void> QuorumControllerClient::answer_when_visible(QuorumControllerClient* self,
                                                                  std::shared_ptr<Operation<R>> op,
                                                                  R r) {
  constexpr int64_t kPollMs = 5;
  const int64_t until = self->timers_->now_ms() + kVisibleWaitMs;
  while (!op->visible(*self->metadata_->image(), r) && self->timers_->now_ms() < until) {
    auto nap = self->timers_->sleep_for(kPollMs);
    co_await std::move(nap);
  }
  op->done(std::move(r));
}

template <typename R>
void QuorumControllerClient::retry_later(std::shared_ptr<Operation<R>> op, absl::Status why) {
  if (timers_->now_ms() + op->backoff_ms > op->deadline_ms) {
    op->done(op->failed(protocol::kafka_error(
        ErrorCode::kRequestTimedOut,
        "no active controller answered in time (" + std::string(why.message()) + ")")));
    return;
  }
  const int64_t delay = op->backoff_ms;
  op->backoff_ms = std::min(op->backoff_ms * 2, kMaxBackoffMs);
  asio::co_spawn(driver_->executor(), wait_and_retry(this, std::move(op), delay), asio::detached);
}

template <typename R>
asio::awaitable<void> QuorumControllerClient::wait_and_retry(QuorumControllerClient* self,
                                                             std::shared_ptr<Operation<R>> op,
                                                             int64_t delay_ms) {
  auto sleeping = self->timers_->sleep_for(delay_ms);
  co_await std::move(sleeping);
  if (!self->driver_->post([self, op](raft::RaftNode& node) { self->attempt(op, node); })) {
    op->done(op->failed(stopped_error()));
  }
}

// Each operation: what runs locally, and the request forwarded to the leader.
void QuorumControllerClient::create_topics(
    std::vector<controller::NewTopic> topics, bool validate_only,
    Callback<std::vector<controller::CreateTopicResult>> done) {
  using R = std::vector<controller::CreateTopicResult>;
  auto op = std::make_shared<Operation<R>>();
  const size_t count = topics.size();
  op->local = [topics, validate_only](controller::QuorumController& c, std::function<void(R)> d) {
    c.create_topics(topics, validate_only, std::move(d));
  };
  op->remote = forward_as<R, protocol::CreateTopicsResponse>(
      forwarded::kCreateTopicsVersion, forwarded::create_topics_request(topics, validate_only),
      [topics](const protocol::CreateTopicsResponse& r) {
        return forwarded::create_topics_results(topics, r);
      });
  op->failed = [count](const absl::Status& error) {
    R r(count);
    for (auto& x : r) x.status = error;
    return r;
  };
  op->visible = [topics, validate_only](const controller::MetadataImage& image, const R& r) {
    for (size_t i = 0; i < r.size() && i < topics.size(); ++i) {
      if (validate_only || !r[i].status.ok()) continue;
      const controller::TopicImage* t = image.topic(topics[i].name);
      if (t == nullptr || !(t->id == r[i].topic_id)) return false;
    }
    return true;
  };
  op->done = std::move(done);
  run(std::move(op));
}

namespace {

// DeleteTopics/CreatePartitions answer one status per entry.
std::function<std::vector<absl::Status>(const absl::Status&)> all_failed(size_t count) {
  return [count](const absl::Status& error) { return std::vector<absl::Status>(count, error); };
}

}  // namespace

void QuorumControllerClient::delete_topics(std::vector<std::string> names,
                                           Callback<std::vector<absl::Status>> done) {
  using R = std::vector<absl::Status>;
  auto op = std::make_shared<Operation<R>>();
  const size_t count = names.size();
  op->local = [names](controller::QuorumController& c, std::function<void(R)> d) {
    c.delete_topics(names, std::move(d));
  };
  op->visible = [names](const controller::MetadataImage& image, const R& r) {
    for (size_t i = 0; i < r.size() && i < names.size(); ++i) {
      if (r[i].ok() && image.topic(names[i]) != nullptr) return false;
    }
    return true;
  };
  op->remote = forward_as<R, protocol::DeleteTopicsResponse>(
      forwarded::kDeleteTopicsVersion, forwarded::delete_topics_request(names),
      [count](const protocol::DeleteTopicsResponse& r) {
        return forwarded::delete_topics_results(count, r);
      });
  op->failed = all_failed(count);
  op->done = std::move(done);
  run(std::move(op));
}

void QuorumControllerClient::delete_topics_by_id(std::vector<controller::Uuid> ids,
                                                 Callback<std::vector<absl::Status>> done) {
  using R = std::vector<absl::Status>;
  auto op = std::make_shared<Operation<R>>();
  const size_t count = ids.size();
  op->local = [ids](controller::QuorumController& c, std::function<void(R)> d) {
    c.delete_topics_by_id(ids, std::move(d));
  };
  op->remote = forward_as<R, protocol::DeleteTopicsResponse>(
      forwarded::kDeleteTopicsVersion, forwarded::delete_topics_request(ids),
      [count](const protocol::DeleteTopicsResponse& r) {
        return forwarded::delete_topics_results(count, r);
      });
  op->failed = all_failed(count);
  op->done = std::move(done);
  run(std::move(op));
}

void QuorumControllerClient::create_partitions(std::vector<controller::NewPartitions> requests,
                                               bool validate_only,
                                               Callback<std::vector<absl::Status>> done) {
  using R = std::vector<absl::Status>;
  auto op = std::make_shared<Operation<R>>();
  const size_t count = requests.size();
  op->local = [requests, validate_only](controller::QuorumController& c, std::function<void(R)> d) {
    c.create_partitions(requests, validate_only, std::move(d));
  };
  op->remote = forward_as<R, protocol::CreatePartitionsResponse>(
      forwarded::kCreatePartitionsVersion,
      forwarded::create_partitions_request(requests, validate_only),
      [count](const protocol::CreatePartitionsResponse& r) {
        return forwarded::create_partitions_results(count, r);
      });
  op->failed = all_failed(count);
  op->done = std::move(done);
  run(std::move(op));
}

void QuorumControllerClient::alter_configs(controller::ConfigResource resource,
                                           std::vector<controller::ConfigChange> changes,
                                           bool replace_all, bool validate_only,
                                           Callback<absl::Status> done) {
  using R = absl::Status;
  auto op = std::make_shared<Operation<R>>();
  op->local = [resource, changes, replace_all, validate_only](controller::QuorumController& c,
                                                              std::function<void(R)> d) {
    c.alter_configs(resource, changes, replace_all, validate_only, std::move(d));
  };
  // replace_all is legacy AlterConfigs (the set replaces every dynamic config).
  auto convert = [](const auto& r) { return forwarded::alter_configs_result(r); };
  if (replace_all) {
    op->remote = forward_as<R, protocol::AlterConfigsResponse>(
        forwarded::kAlterConfigsVersion,
        forwarded::alter_configs_request(resource, changes, validate_only), convert);
  } else {
    op->remote = forward_as<R, protocol::IncrementalAlterConfigsResponse>(
        forwarded::kIncrementalAlterConfigsVersion,
        forwarded::incremental_alter_configs_request(resource, changes, validate_only), convert);
  }
  op->failed = [](const absl::Status& error) { return error; };
  op->done = std::move(done);
  run(std::move(op));
}

void QuorumControllerClient::register_broker(controller::BrokerRegistration registration,
                                             Callback<absl::StatusOr<int64_t>> done) {
  using R = absl::StatusOr<int64_t>;
  auto op = std::make_shared<Operation<R>>();
  op->local = [this, registration](controller::QuorumController& c, std::function<void(R)> d) {
    runtime_->heard_from(registration.node_id, timers_->now_ms());
    c.register_broker(registration, std::move(d));
  };
  op->failed = [](const absl::Status& error) { return R(error); };
  op->done = std::move(done);
  run(std::move(op));
}

void QuorumControllerClient::heartbeat(controller::HeartbeatRequest request,
                                       Callback<controller::HeartbeatAnswer> done) {
  using R = controller::HeartbeatAnswer;
  auto op = std::make_shared<Operation<R>>();
  op->local = [this, request](controller::QuorumController& c, std::function<void(R)> d) {
    runtime_->heard_from(request.node_id, timers_->now_ms());
    c.heartbeat(request, std::move(d));
  };
  op->failed = [](const absl::Status& error) { return failed_as<R>(error); };
  op->done = std::move(done);
  run(std::move(op));
}

void QuorumControllerClient::unregister_broker(int32_t node_id, Callback<absl::Status> done) {
  using R = absl::Status;
  auto op = std::make_shared<Operation<R>>();
  op->local = [node_id](controller::QuorumController& c, std::function<void(R)> d) {
    c.unregister_broker(node_id, std::move(d));
  };
  op->remote = forward_as<R, protocol::UnregisterBrokerResponse>(
      forwarded::kUnregisterBrokerVersion, forwarded::unregister_broker_request(node_id),
      [](const protocol::UnregisterBrokerResponse& r) {
        return forwarded::unregister_broker_result(r);
      });
  op->visible = [node_id](const controller::MetadataImage& image, const R& r) {
    return !r.ok() || image.broker(node_id) == nullptr;
  };
  op->failed = [](const absl::Status& error) { return error; };
  op->done = std::move(done);
  run(std::move(op));
}

void QuorumControllerClient::elect_leaders(
    controller::ElectionType type, std::optional<std::vector<controller::ElectionTarget>> targets,
    Callback<absl::StatusOr<std::vector<controller::TopicElections>>> done) {
  using R = absl::StatusOr<std::vector<controller::TopicElections>>;
  auto op = std::make_shared<Operation<R>>();
  op->local = [type, targets](controller::QuorumController& c, std::function<void(R)> d) {
    c.elect_leaders(type, targets, [d = std::move(d)](std::vector<controller::TopicElections> r) {
      d(std::move(r));
    });
  };
  op->remote = forward_as<R, protocol::ElectLeadersResponse>(
      forwarded::kElectLeadersVersion, forwarded::elect_leaders_request(type, targets),
      [](const protocol::ElectLeadersResponse& r) { return forwarded::elect_leaders_results(r); });
  // Answered once this node's image shows the elected leaders.
  op->visible = [type](const controller::MetadataImage& image, const R& r) {
    if (!r.ok()) return true;
    for (const controller::TopicElections& t : *r) {
      const controller::TopicImage* topic = image.topic(t.topic);
      for (const controller::PartitionElection& e : t.partitions) {
        if (!e.status.ok()) continue;
        if (topic == nullptr) return true;  // deleted meanwhile
        auto p = topic->partitions.find(e.partition);
        if (p == topic->partitions.end()) continue;
        const int32_t wanted = type == controller::ElectionType::kPreferred
                                   ? p->second.replicas.front()
                                   : p->second.leader;
        if (p->second.leader == -1 || p->second.leader != wanted) return false;
      }
    }
    return true;
  };
  op->failed = [](const absl::Status& error) { return R(error); };
  op->done = std::move(done);
  run(std::move(op));
}

void QuorumControllerClient::elect_preferred_leaders(Callback<int32_t> done) {
  auto op = std::make_shared<Operation<int32_t>>();
  op->local = [](controller::QuorumController& c, std::function<void(int32_t)> d) {
    c.elect_preferred_leaders(std::move(d));
  };
  op->failed = [](const absl::Status&) { return -1; };
  op->done = std::move(done);
  run(std::move(op));
}

}  // namespace keel::broker::quorum
