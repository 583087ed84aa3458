#include "tests/sim/sim_metadata_machine.h"

#include <algorithm>

#include "controller/metadata_records.pb.h"

namespace keel::sim {

namespace metadata = keel::metadata;

void SimMetadataMachine::on_committed(int64_t offset, int32_t epoch, std::string_view payload) {
  committed_->emplace(offset, std::string(payload));  // Raft's checkers vouch it is the same
  if (mutant_ == ControllerMutant::kNone) return real_.on_committed(offset, epoch, payload);
  metadata::MetadataRecord record;
  if (!record.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return real_.on_committed(offset, epoch, payload);
  }
  if (mutant_ == ControllerMutant::kDropConfig && node_ == 1 && !dropped_ && record.has_config() &&
      record.config().resource_type() == metadata::CONFIG_RESOURCE_TOPIC) {
    dropped_ = true;
    return;
  }
  if (mutant_ == ControllerMutant::kForgetTopic && forgets(record)) return;
  if (mutant_ == ControllerMutant::kIgnoreRetention && record.has_config() &&
      record.config().name() == "retention.ms" && record.config().value() == "5000") {
    return;
  }
  if (mutant_ == ControllerMutant::kPhantomReplica && record.has_partition() &&
      record.partition().partition_id() == 1) {
    metadata::PartitionRecord* p = record.mutable_partition();
    const int32_t victim = p->replicas(0);
    auto swap = [&](int32_t& id) {
      if (id == victim) id = 9;
    };
    for (int32_t& id : *p->mutable_replicas()) swap(id);
    for (int32_t& id : *p->mutable_isr()) swap(id);
    if (p->leader() == victim) p->set_leader(9);
    const std::string doctored = record.SerializeAsString();
    return real_.on_committed(offset, epoch, doctored);
  }
  real_.on_committed(offset, epoch, payload);
}

bool SimMetadataMachine::forgets(const metadata::MetadataRecord& r) {
  if (r.has_topic() && r.topic().name() == "t5") {
    forgotten_.insert(r.topic().topic_id());
    return true;
  }
  return (r.has_partition() && forgotten_.count(r.partition().topic_id())) ||
         (r.has_partition_change() && forgotten_.count(r.partition_change().topic_id())) ||
         (r.has_remove_topic() && forgotten_.count(r.remove_topic().topic_id())) ||
         (r.has_config() && r.config().resource_type() == metadata::CONFIG_RESOURCE_TOPIC &&
          r.config().resource_name() == "t5");
}

absl::StatusOr<std::string> SimMetadataMachine::take_snapshot(int64_t end_offset) {
  if (!real_.image()->topics().empty()) ++coverage_->snapshots_taken_with_topics;
  absl::StatusOr<std::string> bytes = real_.take_snapshot(end_offset);
  metadata::MetadataSnapshot snapshot;
  if (!bytes.ok() || real_.image()->topics().empty() || !snapshot.ParseFromString(*bytes)) {
    return bytes;
  }
  if (mutant_ == ControllerMutant::kSnapshotResetsEpochs) {
    for (metadata::MetadataRecord& r : *snapshot.mutable_records()) {
      if (r.has_partition()) r.mutable_partition()->set_leader_epoch(0);
    }
    return snapshot.SerializeAsString();
  }
  if (mutant_ != ControllerMutant::kSnapshotLosesTopic) return bytes;
  const auto& [name, topic] = *real_.image()->topics().rbegin();
  const std::string id = controller::uuid_to_bytes(topic->id);
  metadata::MetadataSnapshot kept;
  for (const metadata::MetadataRecord& r : snapshot.records()) {
    const bool lost = (r.has_topic() && r.topic().name() == name) ||
                      (r.has_partition() && r.partition().topic_id() == id) ||
                      (r.has_config() && r.config().resource_name() == name &&
                       r.config().resource_type() == metadata::CONFIG_RESOURCE_TOPIC);
    if (!lost) *kept.add_records() = r;
  }
  return kept.SerializeAsString();
}

absl::Status SimMetadataMachine::load_snapshot(int64_t end_offset, std::string_view bytes) {
  absl::Status s = real_.load_snapshot(end_offset, bytes);
  if (s.ok() && !real_.image()->topics().empty()) ++coverage_->snapshot_loads_with_topics;
  return s;
}

}  // namespace keel::sim
