// File: tests/sim/image_dump.h
// A canonical text form of a metadata image, for comparing images across nodes and against a
// fresh replay. Written here rather than through image_records() (the snapshot writer under
// test) so a field the snapshot forgets still shows up as a difference. Leaves out what is not
// replicated state: the image's last record offset (a snapshot's image ends at the snapshot's
// end, a replayed one at its last metadata record) and the controller id (Raft leadership).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "controller/metadata_image.h"

namespace keel::sim {

// The cluster id of every simulated node.
inline constexpr char kSimClusterId[] = "sim-cluster";

std::string dump_image(const controller::MetadataImage& image);

// The image a fresh state machine builds from these committed records (offset, payload),
// skipping records that do not parse or apply as MetadataStateMachine does.
std::shared_ptr<const controller::MetadataImage> replay_records(
    const std::string& cluster_id, const std::vector<std::pair<int64_t, std::string>>& records);

}  // namespace keel::sim
