#include "tests/sim/controller_coverage.h"

namespace keel::sim {

std::vector<std::pair<std::string, int64_t>> ControllerCoverage::counts() const {
  return {
      {"ops ok", ops_ok},
      {"ops not-controller", ops_not_controller},
      {"lost leadership before commit", lost_leadership_before_commit},
      {"topics created", topics_created},
      {"topic already exists", topic_already_exists},
      {"topics deleted", topics_deleted},
      {"partitions added", partitions_added},
      {"configs altered", configs_altered},
      {"brokers registered", brokers_registered},
      {"brokers unfenced", brokers_unfenced},
      {"brokers fenced", brokers_fenced},
      {"leader epoch bumps", leader_epoch_bumps},
      {"image agreements", image_agreements},
      {"replay checks", replay_checks},
      {"snapshots taken with topics", snapshots_taken_with_topics},
      {"snapshot loads with topics", snapshot_loads_with_topics},
  };
}

void ControllerCoverage::add(const ControllerCoverage& o) {
  ops_ok += o.ops_ok;
  ops_not_controller += o.ops_not_controller;
  lost_leadership_before_commit += o.lost_leadership_before_commit;
  topics_created += o.topics_created;
  topic_already_exists += o.topic_already_exists;
  topics_deleted += o.topics_deleted;
  partitions_added += o.partitions_added;
  configs_altered += o.configs_altered;
  brokers_registered += o.brokers_registered;
  brokers_unfenced += o.brokers_unfenced;
  brokers_fenced += o.brokers_fenced;
  leader_epoch_bumps += o.leader_epoch_bumps;
  image_agreements += o.image_agreements;
  replay_checks += o.replay_checks;
  snapshots_taken_with_topics += o.snapshots_taken_with_topics;
  snapshot_loads_with_topics += o.snapshot_loads_with_topics;
}

}  // namespace keel::sim
