// File: controller/control/leader_election.h
// Partition leadership as pure functions of the image (Kafka's PartitionChangeBuilder and
// the election parts of ReplicationControlManager). Every leader change is a
// PartitionChangeRecord; applying one that names a new leader bumps the leader epoch.
//
// Rules: a leader is elected from the ISR only (unclean election is off), in replica order,
// among brokers that are registered, unfenced and not in controlled shutdown. The last ISR
// member is never removed: a partition whose only in-sync replica goes away keeps it in the
// ISR with no leader (offline), so the data it alone holds is not given up, and it leads again
// when that broker comes back.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "controller/control/control_types.h"
#include "controller/control/controller_result.h"
#include "controller/metadata_image.h"
#include "controller/metadata_records.pb.h"

namespace keel::controller {

// True when `node_id` may lead now (registered, unfenced, not shutting down).
bool eligible_leader(const MetadataImage& image, int32_t node_id);

// The records that take `node_id` out of every ISR it is in and elect new leaders where it
// led (fencing, controlled shutdown).
std::vector<metadata::MetadataRecord> remove_from_isrs(const MetadataImage& image, int32_t node_id);

// Partitions without a leader whose ISR has an eligible member get one (a broker came back).
// `returning` counts as eligible although the image still shows it fenced (it is unfenced by
// the same batch).
std::vector<metadata::MetadataRecord> elect_offline_leaders(const MetadataImage& image,
                                                            int32_t returning = -1);

// A broker coming back (unfenced in the same batch) rejoins the ISR of every partition it is a
// replica of, and partitions without a leader get one. Until partition data is replicated, an
// ISR place is metadata only and every replica counts as in sync; the replicas' leaders take
// over ISR expansion (AlterPartition) when they replicate, and this becomes
// elect_offline_leaders alone.
std::vector<metadata::MetadataRecord> rejoin_isrs(const MetadataImage& image, int32_t returning);

// Partitions whose preferred (first) replica is in the ISR, eligible and not the leader get it
// back as leader (auto.leader.rebalance.enable, ElectLeaders PREFERRED).
std::vector<metadata::MetadataRecord> elect_preferred_leaders(const MetadataImage& image);

// ElectLeaders (API 43) for the named partitions, or every partition when `targets` is null.
// PREFERRED: the first replica becomes leader where it is in the ISR and eligible — OK;
// ELECTION_NOT_NEEDED when it already leads; PREFERRED_LEADER_NOT_AVAILABLE otherwise.
// UNCLEAN: Keel never elects an out-of-sync replica, so, as Kafka's UNCLEAN does before it
// falls back to an unclean choice: ELECTION_NOT_NEEDED when the partition has a leader, a clean
// election from the ISR when one is possible (OK), else ELIGIBLE_LEADERS_NOT_AVAILABLE.
// UNKNOWN_TOPIC_OR_PARTITION for what the image lacks. Named partitions are answered in request
// order (one listed twice is answered twice, elected once). With null `targets` (Kafka's
// rule): every topic appears, with each partition except those answered ELECTION_NOT_NEEDED.
ControllerResult<std::vector<TopicElections>> elect_leaders(
    const MetadataImage& image, ElectionType type,
    const std::optional<std::vector<ElectionTarget>>& targets);

}  // namespace keel::controller
