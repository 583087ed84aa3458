// File: controller/metadata_state_machine.cc
#include "controller/metadata_state_machine.h"

#include "absl/strings/str_cat.h"
#include "controller/image_records.h"
#include "protocol/error_code.h"

namespace keel::controller {

MetadataStateMachine::MetadataStateMachine(MetadataPublisher* publisher, std::string cluster_id,
                                           std::function<void(std::string_view)> log)
    : publisher_(publisher), cluster_id_(std::move(cluster_id)), log_(std::move(log)) {
  MetadataDelta empty(std::make_shared<const MetadataImage>());
  empty.set_cluster_id(cluster_id_);
  published_ = empty.apply();
}

void MetadataStateMachine::fail(absl::Status status) {
  ++bad_records_;
  if (log_) log_(std::string(status.message()));
  if (failed_.ok()) failed_ = std::move(status);
}

void MetadataStateMachine::on_committed(int64_t offset, int32_t /*epoch*/,
                                        std::string_view payload) {
  metadata::MetadataRecord record;
  if (!record.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    fail(protocol::kafka_error(
        protocol::ErrorCode::kCorruptMessage,
        absl::StrCat("metadata record at offset ", offset, " does not parse; skipped")));
    return;
  }
  if (!pending_) pending_.emplace(published_);
  absl::Status s = pending_->replay(record, offset);
  if (!s.ok()) fail(s);
}

void MetadataStateMachine::on_applied_through(int64_t /*end_offset*/) { publish_pending(); }

void MetadataStateMachine::publish_pending() {
  if (!pending_) return;
  MetadataDelta delta = std::move(*pending_);
  pending_.reset();
  published_ = delta.apply();
  if (publisher_ != nullptr) publisher_->publish(delta, published_);
}

void MetadataStateMachine::on_leader_change(int32_t leader_id, int32_t /*epoch*/) {
  leader_id_ = leader_id;
  if (!pending_) pending_.emplace(published_);
  pending_->set_controller_id(leader_id);
  // Leadership is news of its own: publish it now rather than with the next batch.
  publish_pending();
}

absl::StatusOr<std::string> MetadataStateMachine::take_snapshot(int64_t /*end_offset*/) {
  metadata::MetadataSnapshot snapshot;
  for (metadata::MetadataRecord& r : image_records(*image())) {
    *snapshot.add_records() = std::move(r);
  }
  return snapshot.SerializeAsString();
}

absl::Status MetadataStateMachine::load_snapshot(int64_t end_offset, std::string_view bytes) {
  metadata::MetadataSnapshot snapshot;
  if (!snapshot.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return protocol::kafka_error(
        protocol::ErrorCode::kCorruptMessage,
        absl::StrCat("metadata snapshot at ", end_offset, " does not parse"));
  }
  MetadataDelta delta(std::make_shared<const MetadataImage>());
  delta.set_cluster_id(cluster_id_);
  delta.set_controller_id(leader_id_);
  // Offsets end at the snapshot's last one. Every part of an image came from at least one
  // record of the log, so a snapshot never holds more records than offsets below its end.
  const int64_t n = snapshot.records_size();
  if (n > end_offset) {
    return protocol::kafka_error(protocol::ErrorCode::kCorruptMessage,
                                 absl::StrCat("metadata snapshot at ", end_offset, " holds ", n,
                                              " records, more than its offsets"));
  }
  int64_t offset = end_offset - n;
  for (const metadata::MetadataRecord& r : snapshot.records()) {
    absl::Status s = delta.replay(r, offset++);
    if (!s.ok()) return s;
  }
  pending_.reset();
  published_ = delta.apply();
  ++snapshots_loaded_;
  if (publisher_ != nullptr) publisher_->publish(delta, published_);
  return absl::OkStatus();
}

std::shared_ptr<const MetadataImage> MetadataStateMachine::image() const {
  return pending_ ? pending_->apply() : published_;
}

}  // namespace keel::controller
