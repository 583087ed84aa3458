// File: tests/sim/controller_coverage.h
// What the controller simulation exercised, summed over seeds; a CI slice fails if any count
// is zero (a checker that never had anything to check proves nothing).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace keel::sim {

struct ControllerCoverage {
  int64_t ops_ok = 0;              // answered OK after their records committed
  int64_t ops_not_controller = 0;  // answered NOT_CONTROLLER (off-leader or lost leadership)
  int64_t lost_leadership_before_commit = 0;  // ... after its records were appended
  int64_t topics_created = 0;
  int64_t topic_already_exists = 0;
  int64_t topics_deleted = 0;
  int64_t partitions_added = 0;
  int64_t configs_altered = 0;
  int64_t brokers_registered = 0;
  int64_t brokers_unfenced = 0;
  int64_t brokers_fenced = 0;      // by a want_fence or want_shutdown heartbeat
  int64_t leader_epoch_bumps = 0;  // a partition's leader epoch rose on a node
  int64_t image_agreements = 0;    // two nodes' images at one offset compared
  int64_t replay_checks = 0;       // fresh replays compared with a node's image
  int64_t snapshots_taken_with_topics = 0;
  int64_t snapshot_loads_with_topics = 0;

  void add(const ControllerCoverage& o);
  // "name count" pairs in print order.
  std::vector<std::pair<std::string, int64_t>> counts() const;
};

}  // namespace keel::sim
