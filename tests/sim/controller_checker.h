// File: tests/sim/controller_checker.h
// The controller simulation's invariants over the nodes' metadata images, fed incrementally
// (each time a node's applied offset moves, and when new acknowledgements arrive):
//   image-agreement      two images at the same applied offset (any nodes, any time) are equal
//   acked-create-durable an acknowledged create is in every image at or past its commit until
//                        a delete of its name may have committed
//   replay-equals-state  a node's image equals a fresh replay of its committed records
//   topic-id-unique      one id, one topic, across the run
//   leader-epoch-monotonic  per node lifetime, a partition's leader epoch never falls
//   replica-registered   replicas, ISR and leaders name brokers registered in the same image
//   records-apply        every committed record applies (the controller planned it on the
//                        state it is applied to)
// Violations go to the run's Checker (sim_checker.h), so the first one stops the run.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "controller/metadata_image.h"
#include "tests/sim/controller_coverage.h"
#include "tests/sim/sim_checker.h"
#include "tests/sim/sim_metadata_machine.h"

namespace keel::sim {

class ControllerChecker {
 public:
  // `committed`: the run's history of committed records, to find where a create committed.
  ControllerChecker(Checker* checker, ControllerCoverage* coverage,
                    const CommittedRecords* committed)
      : checker_(checker), coverage_(coverage), committed_(committed) {}

  // A create of `name` was answered OK with `id` on a node that had applied below `applied`:
  // its TopicRecord must be in the history there, and the topic in every image past it.
  void on_create_acked(const std::string& name, const controller::Uuid& id, int64_t applied);
  // A delete naming `name` was submitted on a node whose log ended at `log_end`: if it ever
  // commits, its records lie at or past there. Returns a handle for delete_had_no_effect().
  size_t on_delete_submitted(const std::string& name, int64_t log_end);
  // The delete was refused before any record was written (answered at once off-leader, or a
  // validation error): it never removes anything.
  void delete_had_no_effect(size_t handle) { deletes_[handle].may_commit = false; }

  // A new lifetime of the node: per-lifetime state starts over.
  void on_start(int32_t node) { epochs_.erase(node); }
  // The node's image after applying every record below `applied`.
  void on_image(int32_t node, int64_t applied, const controller::MetadataImage& image);
  // Replay check: `records` are the node's committed records below `applied`.
  void check_replay(int32_t node, int64_t applied, const controller::MetadataImage& image,
                    const std::vector<std::pair<int64_t, std::string>>& records);

  // Acknowledgements arrived since the images were last checked.
  uint64_t generation() const { return generation_; }
  void fail(std::string checker, std::string detail) {
    checker_->fail(std::move(checker), std::move(detail));
  }

 private:
  struct AckedCreate {
    std::string name;
    controller::Uuid id;
    int64_t committed_at;  // offset of its TopicRecord
  };
  struct DeleteSubmission {
    std::string name;
    int64_t log_end;
    bool may_commit = true;
  };
  void check_acked_creates(int32_t node, int64_t applied, const controller::MetadataImage& image);
  void check_topics(int32_t node, const controller::MetadataImage& image);

  Checker* checker_;
  ControllerCoverage* coverage_;
  const CommittedRecords* committed_;
  uint64_t generation_ = 0;
  std::map<int64_t, std::pair<int32_t, std::string>> dump_at_;  // applied -> (node, dump)
  std::vector<AckedCreate> acked_;
  std::vector<DeleteSubmission> deletes_;
  std::map<std::string, std::string> name_of_id_;  // id bytes -> topic name, ever
  // node -> (id bytes, partition) -> leader epoch, this lifetime
  std::map<int32_t, std::map<std::pair<std::string, int32_t>, int32_t>> epochs_;
};

}  // namespace keel::sim
