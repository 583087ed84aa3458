// File: controller/quorum_controller.cc
#include "controller/quorum_controller.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "controller/control/commit_failure.h"
#include "controller/control/config_control.h"
#include "controller/control/leader_election.h"
#include "controller/control/partition_control.h"
#include "controller/control/topic_control.h"
#include "protocol/error_code.h"

namespace keel::controller {
namespace {

absl::Status not_controller(const raft::RaftNode& raft) {
  return protocol::kafka_error(
      protocol::ErrorCode::kNotController,
      absl::StrCat("node ", raft.node_id(), " is not the active controller (leader ",
                   raft.leader_id(), ", epoch ", raft.epoch(), ")"));
}

}  // namespace

QuorumController::QuorumController(raft::RaftNode* raft, MetadataStateMachine* state,
                                   ControlSettings settings, std::function<int64_t()> now_ms)
    : raft_(raft), state_(state), settings_(std::move(settings)), now_ms_(std::move(now_ms)) {}

bool QuorumController::leading() const { return raft_->role() == raft::Role::kLeader; }

bool QuorumController::active() const {
  return leading() && raft_->applied_offset() > raft_->epoch_start_offset();
}

template <typename R, typename PlanFn, typename Fail>
void QuorumController::submit(PlanFn plan, Fail fail, Done<R> done) {
  queue_.push_back([plan = std::move(plan), fail = std::move(fail), done = std::move(done)](
                       const MetadataImage& image, int64_t next_offset) mutable {
    ControllerResult<R> result = plan(image, next_offset);
    Planned planned;
    planned.records = std::move(result.records);
    planned.finish = [response = std::move(result.response), fail = std::move(fail),
                      done = std::move(done)](absl::Status commit) mutable {
      if (!commit.ok()) fail(commit, response);
      done(std::move(response));
    };
    return planned;
  });
  start_next();
}

void QuorumController::start_next() {
  while (!in_flight_ && !queue_.empty()) {
    // A new leader plans only on the state its predecessors committed: it waits until its own
    // LeaderChange record is applied.
    if (leading() && !active()) return;
    Plan plan = std::move(queue_.front());
    queue_.pop_front();
    // Planned on the committed image even when not leading, so per-entry validation errors
    // keep their own codes; the accepted entries then get NOT_CONTROLLER.
    Planned planned = plan(*state_->image(), raft_->log_end_offset());
    if (!active()) {
      planned.finish(not_controller(*raft_));
      continue;
    }
    if (planned.records.empty()) {
      planned.finish(absl::OkStatus());
      continue;
    }
    std::vector<std::string> payloads;
    payloads.reserve(planned.records.size());
    for (const auto& r : planned.records) payloads.push_back(r.SerializeAsString());
    absl::StatusOr<int64_t> last = raft_->append(std::move(payloads), now_ms_());
    if (!last.ok()) {
      planned.finish(last.status());
      continue;
    }
    in_flight_ = InFlight{*last, raft_->epoch(), std::move(planned.finish)};
  }
}

void QuorumController::step() {
  if (in_flight_) {
    if (raft_->applied_offset() > in_flight_->last_offset) {
      auto finish = std::move(in_flight_->finish);
      in_flight_.reset();
      finish(absl::OkStatus());
    } else if (!leading() || raft_->epoch() != in_flight_->epoch) {
      // The batch may still commit under the next leader; the client learns on its retry.
      auto finish = std::move(in_flight_->finish);
      in_flight_.reset();
      finish(not_controller(*raft_));
    }
  }
  start_next();
}

void QuorumController::create_topics(std::vector<NewTopic> topics, bool validate_only,
                                     Done<std::vector<CreateTopicResult>> done) {
  auto plan = [this, topics = std::move(topics), validate_only](const MetadataImage& image,
                                                                int64_t) {
    return controller::create_topics(image, settings_, topics, validate_only);
  };
  submit<std::vector<CreateTopicResult>>(std::move(plan), FailAccepted{}, std::move(done));
}

void QuorumController::delete_topics(std::vector<std::string> names,
                                     Done<std::vector<absl::Status>> done) {
  auto plan = [names = std::move(names)](const MetadataImage& image, int64_t) {
    return controller::delete_topics(image, names);
  };
  submit<std::vector<absl::Status>>(std::move(plan), FailAccepted{}, std::move(done));
}

void QuorumController::delete_topics_by_id(std::vector<Uuid> ids,
                                           Done<std::vector<absl::Status>> done) {
  auto plan = [ids = std::move(ids)](const MetadataImage& image, int64_t) {
    return controller::delete_topics_by_id(image, ids);
  };
  submit<std::vector<absl::Status>>(std::move(plan), FailAccepted{}, std::move(done));
}

void QuorumController::create_partitions(std::vector<NewPartitions> requests, bool validate_only,
                                         Done<std::vector<absl::Status>> done) {
  auto plan = [requests = std::move(requests), validate_only](const MetadataImage& image, int64_t) {
    return controller::create_partitions(image, requests, validate_only);
  };
  submit<std::vector<absl::Status>>(std::move(plan), FailAccepted{}, std::move(done));
}

void QuorumController::alter_configs(ConfigResource resource, std::vector<ConfigChange> changes,
                                     bool replace_all, bool validate_only,
                                     Done<absl::Status> done) {
  auto plan = [this, resource = std::move(resource), changes = std::move(changes), replace_all,
               validate_only](const MetadataImage& image, int64_t) {
    return controller::alter_configs(image, settings_, resource, changes, replace_all,
                                     validate_only);
  };
  submit<absl::Status>(std::move(plan), FailAccepted{}, std::move(done));
}

void QuorumController::register_broker(BrokerRegistration registration,
                                       Done<absl::StatusOr<int64_t>> done) {
  auto plan = [registration = std::move(registration)](const MetadataImage& image,
                                                       int64_t next_offset) {
    ControllerResult<int64_t> r = register_fenced_broker(image, registration, next_offset);
    return ControllerResult<absl::StatusOr<int64_t>>{std::move(r.records), r.response};
  };
  auto fail = [](const absl::Status& error, absl::StatusOr<int64_t>& response) {
    response = error;
  };
  submit<absl::StatusOr<int64_t>>(std::move(plan), fail, std::move(done));
}

void QuorumController::heartbeat(HeartbeatRequest request, Done<HeartbeatAnswer> done) {
  auto plan = [request](const MetadataImage& image, int64_t) {
    return broker_heartbeat(image, request);
  };
  auto fail = [](const absl::Status& error, HeartbeatAnswer& answer) { answer.status = error; };
  submit<HeartbeatAnswer>(std::move(plan), fail, std::move(done));
}

void QuorumController::fence_broker(int32_t node_id, Done<absl::Status> done) {
  auto plan = [node_id](const MetadataImage& image, int64_t) {
    return controller::fence_broker(image, node_id);
  };
  auto fail = [](const absl::Status& error, absl::Status& response) { response = error; };
  submit<absl::Status>(std::move(plan), fail, std::move(done));
}

void QuorumController::unregister_broker(int32_t node_id, Done<absl::Status> done) {
  auto plan = [node_id](const MetadataImage& image, int64_t) {
    return controller::unregister_broker(image, node_id);
  };
  auto fail = [](const absl::Status& error, absl::Status& response) { response = error; };
  submit<absl::Status>(std::move(plan), fail, std::move(done));
}

void QuorumController::elect_leaders(ElectionType type,
                                     std::optional<std::vector<ElectionTarget>> targets,
                                     Done<std::vector<TopicElections>> done) {
  auto plan = [type, targets = std::move(targets)](const MetadataImage& image, int64_t) {
    return controller::elect_leaders(image, type, targets);
  };
  submit<std::vector<TopicElections>>(std::move(plan), FailAccepted{}, std::move(done));
}

void QuorumController::elect_preferred_leaders(Done<int32_t> done) {
  auto plan = [](const MetadataImage& image, int64_t) {
    ControllerResult<int32_t> r;
    r.records = controller::elect_preferred_leaders(image);
    r.response = static_cast<int32_t>(r.records.size());
    return r;
  };
  auto fail = [](const absl::Status&, int32_t& moved) { moved = -1; };
  submit<int32_t>(std::move(plan), fail, std::move(done));
}

}  // namespace keel::controller
