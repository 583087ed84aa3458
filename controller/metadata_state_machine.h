// File: controller/metadata_state_machine.h
// The metadata log's state machine under Raft: every committed record (one serialized
// metadata::MetadataRecord per Raft record) is replayed into a MetadataDelta, and each time
// the Raft node has applied whole batches the new image is published to the node's
// MetadataPublisher, so readers see every controller operation (one batch) all at once or not
// at all. Snapshots are the image written as records (image_records.h).
//
// A committed record that does not apply means the log and the code disagree (corruption or
// a bug): the record is skipped, counted and logged, and failed() reports the first such
// error; the node's owner decides what to do (Kafka's controller stops).
//
// Not thread-safe: called by the Raft node's owner only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "controller/metadata_image.h"
#include "controller/metadata_publisher.h"
#include "controller/raft/raft_config.h"

namespace keel::controller {

class MetadataStateMachine final : public raft::StateMachine {
 public:
  MetadataStateMachine(MetadataPublisher* publisher, std::string cluster_id,
                       std::function<void(std::string_view)> log = nullptr);

  void on_committed(int64_t offset, int32_t epoch, std::string_view payload) override;
  void on_applied_through(int64_t end_offset) override;
  void on_leader_change(int32_t leader_id, int32_t epoch) override;
  absl::StatusOr<std::string> take_snapshot(int64_t end_offset) override;
  absl::Status load_snapshot(int64_t end_offset, std::string_view bytes) override;

  // The image including everything applied (published or about to be).
  std::shared_ptr<const MetadataImage> image() const;
  const absl::Status& failed() const { return failed_; }
  int64_t bad_records() const { return bad_records_; }
  int64_t snapshots_loaded() const { return snapshots_loaded_; }

 private:
  void fail(absl::Status status);
  // Publishes what was applied since the last publish, if anything.
  void publish_pending();

  MetadataPublisher* publisher_;
  std::string cluster_id_;
  std::function<void(std::string_view)> log_;
  std::shared_ptr<const MetadataImage> published_;
  std::optional<MetadataDelta> pending_;  // records applied since the last publish
  int32_t leader_id_ = -1;
  absl::Status failed_;
  int64_t bad_records_ = 0;
  int64_t snapshots_loaded_ = 0;
};

}  // namespace keel::controller
