// RaftNode snapshots: taking them at the applied offset, serving them in chunks
// (FetchSnapshot) and installing a fetched one.
#include <algorithm>

#include "controller/raft/raft_node.h"

namespace keel::controller::raft {
namespace {

constexpr int64_t kFetchRetryBackoffMs = 50;
// A snapshot larger than this is refused by a follower (a lying size field).
constexpr int64_t kMaxSnapshotBytes = 1LL << 30;

}  // namespace

void RaftNode::maybe_take_snapshot(int64_t now_ms) {
  const int64_t covered = log_->latest_snapshot() ? log_->latest_snapshot()->end_offset : 0;
  if (applied_ <= covered) return;
  const bool by_size = bytes_since_snapshot_ >= config_.snapshot_min_bytes_between;
  const bool by_time = config_.snapshot_interval_ms > 0 &&
                       now_ms - last_snapshot_ms_ >= config_.snapshot_interval_ms;
  if (!by_size && !by_time) return;
  last_snapshot_ms_ = now_ms;
  const std::optional<int32_t> epoch = log_->epoch_at(applied_ - 1);
  if (!epoch) return;
  absl::StatusOr<std::string> state = sm_->take_snapshot(applied_);
  if (!state.ok()) return;  // the state machine may decline; try again next interval
  absl::Status status = log_->write_snapshot(SnapshotId{applied_, *epoch}, *state);
  if (!status.ok()) {
    fail(status);
    return;
  }
  bytes_since_snapshot_ = 0;
  ++stats_.snapshots_taken;
}

void RaftNode::on_fetch_snapshot_request(const Envelope& in, const FetchSnapshotRequest& req) {
  FetchSnapshotResponse response;
  response.current_leader = current_leader();
  response.snapshot_id = req.snapshot_id;
  auto fail_with = [&](ErrorCode error) {
    response.error = error;
    reply(in, std::move(response));
  };
  if (req.replica_id != in.from || req.position < 0 || req.max_bytes <= 0) {
    return fail_with(ErrorCode::kInvalidRequest);
  }
  if (req.current_leader_epoch > quorum_.epoch) {
    observe_epoch(req.current_leader_epoch, -1, now_ms_);  // a newer epoch exists: step down
    if (!active()) return;
    response.current_leader = current_leader();
  }
  if (req.current_leader_epoch < quorum_.epoch) return fail_with(ErrorCode::kFencedLeaderEpoch);
  if (role_ != Role::kLeader || req.current_leader_epoch != quorum_.epoch) {
    return fail_with(ErrorCode::kNotLeaderOrFollower);
  }
  if (!log_->latest_snapshot() || !(*log_->latest_snapshot() == req.snapshot_id)) {
    return fail_with(ErrorCode::kSnapshotNotFound);
  }
  absl::StatusOr<std::string> file = log_->read_snapshot_file();
  if (!file.ok()) {
    fail(file.status());
    return;
  }
  const int64_t size = static_cast<int64_t>(file->size());
  if (req.position > size) return fail_with(ErrorCode::kInvalidRequest);
  const int64_t n =
      std::min<int64_t>({size - req.position, req.max_bytes, config_.fetch_snapshot_max_bytes});
  response.size = size;
  response.position = req.position;
  response.bytes.assign(file->begin() + req.position, file->begin() + req.position + n);
  if (auto it = replicas_.find(req.replica_id); it != replicas_.end()) {
    it->second.last_fetch_ms = std::max(it->second.last_fetch_ms, int64_t{0});
  }
  reply(in, std::move(response));
}

void RaftNode::send_fetch_snapshot(int64_t now_ms) {
  if (!download_ || quorum_.leader_id < 0 || fetch_in_flight_ != 0) return;
  FetchSnapshotRequest request;
  request.replica_id = config_.node_id;
  request.current_leader_epoch = quorum_.epoch;
  request.snapshot_id = download_->id;
  request.position = static_cast<int64_t>(download_->bytes.size());
  request.max_bytes = config_.fetch_snapshot_max_bytes;
  fetch_in_flight_ = send(quorum_.leader_id, request, now_ms);
}

void RaftNode::on_fetch_snapshot_response(const Envelope& in, const FetchSnapshotResponse& resp,
                                          int64_t now_ms) {
  if (resp.current_leader.epoch > quorum_.epoch) {
    observe_epoch(resp.current_leader.epoch, resp.current_leader.leader_id, now_ms);
    return;
  }
  if (role_ != Role::kFollower || in.from != quorum_.leader_id || !download_) return;
  if (resp.error != ErrorCode::kNone || !(resp.snapshot_id == download_->id) ||
      resp.position != static_cast<int64_t>(download_->bytes.size()) || resp.size < 0 ||
      resp.size > kMaxSnapshotBytes ||
      resp.position + static_cast<int64_t>(resp.bytes.size()) > resp.size ||
      (resp.bytes.empty() && resp.position < resp.size)) {
    // Start over with a plain fetch: the leader may have a newer snapshot by now.
    if (resp.error == ErrorCode::kNone) ++stats_.dropped_messages;
    download_.reset();
    next_fetch_ms_ = now_ms + kFetchRetryBackoffMs;
    return;
  }
  download_->bytes.append(resp.bytes.begin(), resp.bytes.end());
  last_leader_contact_ms_ = now_ms;
  fetch_deadline_ms_ = now_ms + config_.fetch_timeout_ms;
  if (static_cast<int64_t>(download_->bytes.size()) == resp.size) {
    const SnapshotDownload done = std::move(*download_);
    download_.reset();
    if (!decode_snapshot_file(done.id, done.bytes).ok()) {
      ++stats_.dropped_messages;  // corrupt transfer: never installed
      next_fetch_ms_ = now_ms + kFetchRetryBackoffMs;
      return;
    }
    absl::Status status = log_->install_snapshot(done.id, done.bytes);
    if (status.ok()) {
      absl::StatusOr<std::string> state = log_->read_snapshot_state();
      status = state.status();
      if (status.ok()) status = sm_->load_snapshot(done.id.end_offset, *state);
    }
    if (!status.ok()) {
      fail(status);
      return;
    }
    ++stats_.snapshots_installed;
    applied_ = done.id.end_offset;
    high_watermark_ = std::max(high_watermark_, done.id.end_offset);
    log_->set_high_watermark(high_watermark_);
    bytes_since_snapshot_ = 0;
  }
  next_fetch_ms_ = now_ms;
  send_fetch(now_ms);
}

}  // namespace keel::controller::raft
