// File: controller/control/commit_failure.h
// When a control manager's records fail to commit, every part of its answer that it had
// accepted gets the commit's error; parts it refused keep their own. One functor for every
// answer shape, shared by the single-node Controller and the QuorumController.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "controller/control/control_types.h"

namespace keel::controller {

struct FailAccepted {
  void operator()(const absl::Status& error, std::vector<absl::Status>& statuses) const {
    for (absl::Status& s : statuses) {
      if (s.ok()) s = error;
    }
  }
  void operator()(const absl::Status& error, std::vector<CreateTopicResult>& results) const {
    for (CreateTopicResult& r : results) {
      if (r.status.ok()) r.status = error;
    }
  }
  void operator()(const absl::Status& error, std::vector<TopicElections>& results) const {
    for (TopicElections& t : results) {
      for (PartitionElection& p : t.partitions) {
        if (p.status.ok()) p.status = error;
      }
    }
  }
  void operator()(const absl::Status& error, absl::Status& response) const {
    if (response.ok()) response = error;
  }
};

}  // namespace keel::controller
