// File: controller/quorum_controller.h
// The active controller over the Raft metadata log (Kafka's QuorumController): each operation
// runs a control manager on the committed image, appends its records as one Raft batch, and
// is answered once that batch is committed and applied — or with NOT_CONTROLLER when this node
// is not the leader or loses leadership before the commit (clients retry on the new one).
//
// Operations run one at a time, in arrival order: the next is planned only once the previous
// one's records are applied, so every plan sees the state its records will be applied to
// (state changes only by replaying committed records). Admin operations are rare; this keeps
// the controller free of speculative uncommitted state.
//
// Driving: the Raft node's owner calls step() after every RaftNode handle/poll; step()
// completes committed operations, fails them on lost leadership, and starts the next.
// Not thread-safe: the owner's thread only. Callbacks run inside the calls, on that thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "controller/control/cluster_control.h"
#include "controller/control/control_types.h"
#include "controller/control/controller_result.h"
#include "controller/metadata_state_machine.h"
#include "controller/raft/raft_node.h"

namespace keel::controller {

class QuorumController {
 public:
  template <typename T>
  using Done = std::function<void(T)>;

  // `raft` and `state` (its state machine) must outlive the controller.
  QuorumController(raft::RaftNode* raft, MetadataStateMachine* state, ControlSettings settings,
                   std::function<int64_t()> now_ms);

  void create_topics(std::vector<NewTopic> topics, bool validate_only,
                     Done<std::vector<CreateTopicResult>> done);
  void delete_topics(std::vector<std::string> names, Done<std::vector<absl::Status>> done);
  void delete_topics_by_id(std::vector<Uuid> ids, Done<std::vector<absl::Status>> done);
  void create_partitions(std::vector<NewPartitions> requests, bool validate_only,
                         Done<std::vector<absl::Status>> done);
  void alter_configs(ConfigResource resource, std::vector<ConfigChange> changes, bool replace_all,
                     bool validate_only, Done<absl::Status> done);
  // A broker joins, fenced until a heartbeat shows it caught up. The answer is its epoch.
  void register_broker(BrokerRegistration registration, Done<absl::StatusOr<int64_t>> done);
  void heartbeat(HeartbeatRequest request, Done<HeartbeatAnswer> done);
  // A missed session: fences the broker (its leaderships and ISR places move).
  void fence_broker(int32_t node_id, Done<absl::Status> done);
  void unregister_broker(int32_t node_id, Done<absl::Status> done);
  // ElectLeaders for clients (control/leader_election.h): one answer per partition.
  void elect_leaders(ElectionType type, std::optional<std::vector<ElectionTarget>> targets,
                     Done<std::vector<TopicElections>> done);
  // Preferred replicas lead again where they are eligible; the answer is how many moved.
  void elect_preferred_leaders(Done<int32_t> done);

  void step();

  // Leading, with everything earlier leaders committed applied: operations are planned.
  bool active() const;
  bool leading() const;
  size_t queued() const { return queue_.size() + (in_flight_ ? 1 : 0); }

 private:
  // A planned operation: its records, and how to answer given the commit's outcome.
  struct Planned {
    std::vector<metadata::MetadataRecord> records;
    std::function<void(absl::Status commit)> finish;
  };
  using Plan = std::function<Planned(const MetadataImage& image, int64_t next_offset)>;
  struct InFlight {
    int64_t last_offset = -1;
    int32_t epoch = -1;
    std::function<void(absl::Status)> finish;
  };

  // Queues `plan`: `fail(status, response)` writes a commit error into the response.
  template <typename R, typename PlanFn, typename Fail>
  void submit(PlanFn plan, Fail fail, Done<R> done);
  void start_next();

  raft::RaftNode* raft_;
  MetadataStateMachine* state_;
  ControlSettings settings_;
  std::function<int64_t()> now_ms_;
  std::deque<Plan> queue_;
  std::optional<InFlight> in_flight_;
};

}  // namespace keel::controller
