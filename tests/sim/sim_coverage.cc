#include "tests/sim/sim_cluster.h"

namespace keel::sim {

void Coverage::add(const Coverage& o) {
  elections += o.elections;
  leader_changes += o.leader_changes;
  divergence_truncations += o.divergence_truncations;
  snapshot_installs += o.snapshot_installs;
  snapshots_taken += o.snapshots_taken;
  crashes_losing_unsynced += o.crashes_losing_unsynced;
  partitions_healed += o.partitions_healed;
  commits += o.commits;
  messages += o.messages;
  malformed_messages += o.malformed_messages;
  disk_errors += o.disk_errors;
}

}  // namespace keel::sim
