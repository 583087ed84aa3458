#include "controller/raft/raft_log.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "protocol/error_code.h"
#include "protocol/records/batch_iterator.h"
#include "protocol/records/crc32c.h"
#include "protocol/records/record_batch.h"
#include "protocol/records/record_batch_builder.h"
#include "protocol/records/record_reader.h"
#include "protocol/status.h"
#include "storage/file_slice.h"

namespace keel::controller::raft {
namespace {

using protocol::ErrorCode;
using protocol::kafka_error;

constexpr std::string_view kSnapshotSuffix = ".checkpoint";
constexpr char kSnapshotMagic[] = "keel-raft-snapshot";

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void put_i16(protocol::Bytes& out, int16_t v) {
  out.push_back(static_cast<uint8_t>(static_cast<uint16_t>(v) >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void put_i32(protocol::Bytes& out, int32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<uint8_t>(static_cast<uint32_t>(v) >> shift));
  }
}

}  // namespace

std::string snapshot_file_name(const SnapshotId& id) {
  char name[64];
  std::snprintf(name, sizeof(name), "%020" PRId64 "-%010" PRId32 ".checkpoint", id.end_offset,
                id.epoch);
  return name;
}

std::optional<SnapshotId> parse_snapshot_file_name(std::string_view name) {
  if (name.size() != 20 + 1 + 10 + kSnapshotSuffix.size() || !name.ends_with(kSnapshotSuffix) ||
      name[20] != '-') {
    return std::nullopt;
  }
  SnapshotId id;
  if (!absl::SimpleAtoi(absl::string_view(name.data(), 20), &id.end_offset) ||
      !absl::SimpleAtoi(absl::string_view(name.data() + 21, 10), &id.epoch) || id.end_offset < 0 ||
      id.epoch < 0) {
    return std::nullopt;
  }
  return id;
}

std::string encode_snapshot_file(const SnapshotId& id, std::string_view state) {
  return absl::StrCat(kSnapshotMagic, " 0 ", id.end_offset, " ", id.epoch, " ", state.size(), " ",
                      protocol::crc32c(as_bytes(state)), "\n",
                      absl::string_view(state.data(), state.size()));
}

absl::StatusOr<std::string_view> decode_snapshot_file(const SnapshotId& id, std::string_view file) {
  auto bad = [&](std::string_view why) {
    return kafka_error(
        ErrorCode::kKafkaStorageError,
        absl::StrCat("bad snapshot ", snapshot_file_name(id), ": ", std::string(why)),
        absl::StatusCode::kDataLoss);
  };
  const size_t newline = file.find('\n');
  if (newline == std::string_view::npos) return bad("no header");
  std::vector<absl::string_view> parts =
      absl::StrSplit(absl::string_view(file.data(), newline), ' ');
  int64_t end = 0, size = 0;
  int32_t epoch = 0;
  uint32_t crc = 0;
  if (parts.size() != 6 || parts[0] != kSnapshotMagic || parts[1] != "0" ||
      !absl::SimpleAtoi(parts[2], &end) || !absl::SimpleAtoi(parts[3], &epoch) ||
      !absl::SimpleAtoi(parts[4], &size) || !absl::SimpleAtoi(parts[5], &crc)) {
    return bad("malformed header");
  }
  if (end != id.end_offset || epoch != id.epoch) return bad("header names another snapshot");
  std::string_view state = file.substr(newline + 1);
  if (static_cast<int64_t>(state.size()) != size) return bad("size mismatch");
  if (protocol::crc32c(as_bytes(state)) != crc) return bad("checksum mismatch");
  return state;
}

absl::StatusOr<std::unique_ptr<RaftLog>> RaftLog::open(storage::Env* env, storage::Clock* clock,
                                                       std::string dir, storage::LogConfig config) {
  KEEL_RETURN_IF_ERROR(env->create_dir(dir));
  // The directories must survive a power cut with what is written inside them. Synced on every
  // open, not only on creation: an earlier open may have created them and failed before.
  for (std::string path = dir; path.find('/') != std::string::npos;) {
    const size_t slash = path.rfind('/');
    path = slash == 0 ? "/" : path.substr(0, slash);
    KEEL_RETURN_IF_ERROR(env->sync_dir(path));
    if (path == "/") break;
  }
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<storage::Log> log,
                        storage::Log::open(env, clock, dir, config, storage::RecoveryOptions{}));
  std::unique_ptr<RaftLog> raft_log(new RaftLog(env, std::move(dir), std::move(log)));
  KEEL_RETURN_IF_ERROR(raft_log->load_snapshots());
  return raft_log;
}

RaftLog::~RaftLog() { close(); }

void RaftLog::close() {
  if (log_) log_->close_without_flush();
  log_.reset();
}

absl::Status RaftLog::load_snapshots() {
  KEEL_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->list_dir(dir_));
  std::vector<SnapshotId> ids;
  for (const std::string& name : names) {
    if (std::optional<SnapshotId> id = parse_snapshot_file_name(name)) ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end(), [](const SnapshotId& a, const SnapshotId& b) {
    return a.end_offset != b.end_offset ? a.end_offset > b.end_offset : a.epoch > b.epoch;
  });
  for (const SnapshotId& id : ids) {
    absl::StatusOr<std::string> file =
        env_->read_file(storage::join_path(dir_, snapshot_file_name(id)));
    if (file.ok() && decode_snapshot_file(id, *file).ok()) {
      snapshot_ = id;
      break;
    }
  }
  if (!snapshot_) return absl::OkStatus();
  const SnapshotId id = *snapshot_;
  // The log continues the snapshot only if it holds the snapshot's last record with the same
  // epoch (log matching); otherwise it is a leftover of an interrupted install.
  // (The epoch cache may have been trimmed to the old log start, so read the batch itself.)
  // A log starting exactly at the snapshot (an installed one) continues it by construction.
  bool continues = log_->log_start_offset() == id.end_offset;
  if (log_->log_start_offset() < id.end_offset && log_->log_end_offset() >= id.end_offset) {
    KEEL_ASSIGN_OR_RETURN(protocol::Bytes batch, read(id.end_offset - 1, 1));
    protocol::BatchIterator batches{std::span<const uint8_t>(batch)};
    if (batches.next()) {
      absl::StatusOr<protocol::RecordBatchHeader> header =
          protocol::validate_batch(batches.batch());
      continues = header.ok() && header->partition_leader_epoch == id.epoch &&
                  header->base_offset <= id.end_offset - 1 &&
                  header->last_offset() >= id.end_offset - 1;
    }
  }
  if (!continues) {
    if (log_->log_start_offset() != id.end_offset || log_->log_end_offset() != id.end_offset) {
      KEEL_RETURN_IF_ERROR(log_->truncate_fully_and_start_at(id.end_offset));
    }
    return absl::OkStatus();
  }
  if (log_->log_start_offset() == id.end_offset) return absl::OkStatus();
  log_->set_high_watermark(id.end_offset);
  return log_->advance_log_start_offset(id.end_offset).status();
}

int32_t RaftLog::last_epoch() const {
  if (end_offset() > start_offset()) {
    std::optional<int32_t> epoch = epoch_at(end_offset() - 1);
    if (epoch) return *epoch;
  }
  return snapshot_ ? snapshot_->epoch : 0;
}

std::optional<int32_t> RaftLog::epoch_at(int64_t offset) const {
  if (snapshot_ && offset == snapshot_->end_offset - 1 && offset < log_->log_start_offset()) {
    return snapshot_->epoch;
  }
  if (offset < log_->log_start_offset() || offset >= log_->log_end_offset()) return std::nullopt;
  const std::vector<storage::EpochEntry>& entries = log_->epoch_cache().entries();
  auto it = std::upper_bound(
      entries.begin(), entries.end(), offset,
      [](int64_t value, const storage::EpochEntry& entry) { return value < entry.start_offset; });
  if (it == entries.begin()) return std::nullopt;
  return std::prev(it)->epoch;
}

DivergingEpoch RaftLog::end_offset_for_epoch(int32_t epoch) const {
  const storage::EpochEndOffset end = log_->end_offset_for_epoch(epoch);
  return {end.epoch, end.end_offset};
}

absl::StatusOr<int64_t> RaftLog::append_payloads(const std::vector<std::string>& payloads,
                                                 int32_t epoch, int64_t now_ms) {
  if (payloads.empty()) return kafka_error(ErrorCode::kInvalidRequest, "nothing to append");
  protocol::RecordBatchBuilder builder;
  for (const std::string& payload : payloads) {
    protocol::RecordInput input;
    input.timestamp = now_ms;
    input.value = as_bytes(payload);
    builder.append(input);
  }
  KEEL_ASSIGN_OR_RETURN(protocol::Bytes batch, builder.build());
  KEEL_ASSIGN_OR_RETURN(storage::AppendResult result,
                        log_->append(protocol::RecordsView(batch.data(), batch.size()), epoch));
  return result.last_offset;
}

absl::StatusOr<int64_t> RaftLog::append_leader_change(int32_t epoch, int32_t leader_id,
                                                      const std::vector<int32_t>& voters,
                                                      int64_t now_ms) {
  // Key as Kafka's control records (version, type); value is Keel's own small layout:
  // version, leader id, voter count, voter ids.
  protocol::Bytes key, value;
  put_i16(key, 0);
  put_i16(key, kLeaderChangeControlType);
  put_i16(value, 0);
  put_i32(value, leader_id);
  put_i32(value, static_cast<int32_t>(voters.size()));
  for (int32_t voter : voters) put_i32(value, voter);
  // Log::append refuses control batches (they never come from clients), so the batch is built
  // with its offset and epoch already in place, as a follower would receive it.
  protocol::BatchOptions options;
  options.control = true;
  options.base_offset = end_offset();
  options.partition_leader_epoch = epoch;
  protocol::RecordBatchBuilder builder(options);
  protocol::RecordInput input;
  input.timestamp = now_ms;
  input.key = protocol::ByteView(key);
  input.value = protocol::ByteView(value);
  builder.append(input);
  KEEL_ASSIGN_OR_RETURN(protocol::Bytes batch, builder.build());
  KEEL_ASSIGN_OR_RETURN(
      storage::AppendResult result,
      log_->append_as_follower(protocol::RecordsView(batch.data(), batch.size())));
  return result.last_offset;
}

absl::StatusOr<int64_t> RaftLog::append_fetched(std::span<const uint8_t> records,
                                                int32_t max_epoch) {
  protocol::BatchIterator batches(records);
  int64_t next = end_offset();
  int32_t epoch = last_epoch();
  size_t valid_bytes = 0;
  absl::Status problem;
  while (batches.next()) {
    absl::StatusOr<protocol::RecordBatchHeader> header = protocol::validate_batch(batches.batch());
    if (!header.ok()) {
      problem = header.status();
      break;
    }
    if (header->base_offset != next || header->last_offset() < header->base_offset ||
        header->partition_leader_epoch < epoch || header->partition_leader_epoch > max_epoch) {
      problem = kafka_error(ErrorCode::kInvalidRecord,
                            absl::StrCat("fetched batch at ", header->base_offset, " epoch ",
                                         header->partition_leader_epoch,
                                         " does not continue the log at ", next, " epoch ", epoch));
      break;
    }
    next = header->last_offset() + 1;
    epoch = header->partition_leader_epoch;
    valid_bytes = batches.batch_position() + batches.batch().size();
  }
  if (problem.ok() && !batches.status().ok() && !batches.partial_tail()) problem = batches.status();
  if (valid_bytes == 0) {
    if (!problem.ok()) return problem;
    return end_offset();
  }
  KEEL_RETURN_IF_ERROR(
      log_->append_as_follower(protocol::RecordsView(records.data(), valid_bytes)).status());
  return end_offset();
}

absl::StatusOr<protocol::Bytes> RaftLog::read(int64_t offset, int32_t max_bytes) const {
  KEEL_ASSIGN_OR_RETURN(storage::FileSlice slice,
                        log_->read(offset, max_bytes, end_offset(), /*min_one_batch=*/true));
  if (slice.empty()) return protocol::Bytes();
  return storage::read_slice(slice);
}

absl::Status RaftLog::visit(int64_t from, int64_t to, const EntryVisitor& fn) const {
  int64_t next = from;
  while (next < to) {
    KEEL_ASSIGN_OR_RETURN(protocol::Bytes bytes, read(next, 1 << 20));
    if (bytes.empty()) {
      return kafka_error(ErrorCode::kKafkaStorageError,
                         absl::StrCat("metadata log has no batch at ", next));
    }
    protocol::BatchIterator batches{std::span<const uint8_t>(bytes)};
    const int64_t before = next;
    while (batches.next() && next < to) {
      KEEL_ASSIGN_OR_RETURN(protocol::RecordBatchHeader header,
                            protocol::validate_batch(batches.batch()));
      if (header.last_offset() < next) continue;
      if (header.is_control()) {
        for (int64_t offset = std::max(next, header.base_offset);
             offset <= header.last_offset() && offset < to; ++offset) {
          fn(offset, header.partition_leader_epoch, true, {});
        }
        next = std::min(to, header.last_offset() + 1);
        continue;
      }
      KEEL_ASSIGN_OR_RETURN(protocol::RecordReader reader,
                            protocol::RecordReader::for_batch(batches.batch()));
      protocol::RecordView view;
      while (reader.next(view)) {
        const int64_t offset = header.base_offset + view.offset_delta;
        if (offset < next) continue;
        if (offset >= to) break;
        std::string_view payload;
        if (view.value) {
          payload = std::string_view(reinterpret_cast<const char*>(view.value->data()),
                                     view.value->size());
        }
        fn(offset, header.partition_leader_epoch, false, payload);
        next = offset + 1;
      }
      KEEL_RETURN_IF_ERROR(reader.status());
      next = std::min(to, std::max(next, header.last_offset() + 1));
    }
    KEEL_RETURN_IF_ERROR(batches.status());
    if (next == before) {
      return kafka_error(ErrorCode::kKafkaStorageError,
                         absl::StrCat("metadata log read made no progress at ", next));
    }
  }
  return absl::OkStatus();
}

absl::Status RaftLog::truncate_impossible_batches(int32_t max_epoch) {
  int64_t next = start_offset();
  int32_t previous = snapshot_ ? snapshot_->epoch : 0;
  while (next < end_offset()) {
    KEEL_ASSIGN_OR_RETURN(protocol::Bytes bytes, read(next, 1 << 20));
    if (bytes.empty()) return log_->truncate_to(std::max(next, start_offset()));  // a hole
    protocol::BatchIterator batches{std::span<const uint8_t>(bytes)};
    const int64_t before = next;
    while (batches.next()) {
      KEEL_ASSIGN_OR_RETURN(protocol::RecordBatchHeader header,
                            protocol::validate_batch(batches.batch()));
      if (header.last_offset() < next) continue;  // the batch holding the log start
      const int32_t epoch = header.partition_leader_epoch;
      const bool continues = header.base_offset == next || next == start_offset();
      if (!continues || header.base_offset > next || epoch < previous || epoch > max_epoch) {
        return log_->truncate_to(std::max(next, start_offset()));
      }
      previous = epoch;
      next = header.last_offset() + 1;
    }
    KEEL_RETURN_IF_ERROR(batches.status());
    if (next == before) break;
  }
  return absl::OkStatus();
}

absl::Status RaftLog::write_snapshot(const SnapshotId& id, std::string_view state) {
  KEEL_RETURN_IF_ERROR(env_->write_file_atomically(storage::join_path(dir_, snapshot_file_name(id)),
                                                   encode_snapshot_file(id, state)));
  snapshot_ = id;
  if (id.end_offset > log_->log_start_offset()) {
    log_->set_high_watermark(std::max(log_->high_watermark(), id.end_offset));
    KEEL_RETURN_IF_ERROR(log_->advance_log_start_offset(id.end_offset).status());
  }
  return remove_snapshots_before(id);
}

absl::Status RaftLog::remove_snapshots_before(const SnapshotId& keep) {
  KEEL_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->list_dir(dir_));
  for (const std::string& name : names) {
    std::optional<SnapshotId> id = parse_snapshot_file_name(name);
    if (id && id->end_offset < keep.end_offset) {
      KEEL_RETURN_IF_ERROR(env_->remove_file(storage::join_path(dir_, name)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RaftLog::read_snapshot_file() const {
  if (!snapshot_) return kafka_error(ErrorCode::kSnapshotNotFound, "no snapshot");
  return env_->read_file(storage::join_path(dir_, snapshot_file_name(*snapshot_)));
}

absl::StatusOr<std::string> RaftLog::read_snapshot_state() const {
  KEEL_ASSIGN_OR_RETURN(std::string file, read_snapshot_file());
  KEEL_ASSIGN_OR_RETURN(std::string_view state, decode_snapshot_file(*snapshot_, file));
  return std::string(state);
}

absl::Status RaftLog::install_snapshot(const SnapshotId& id, std::string_view file) {
  KEEL_RETURN_IF_ERROR(decode_snapshot_file(id, file).status());
  KEEL_RETURN_IF_ERROR(
      env_->write_file_atomically(storage::join_path(dir_, snapshot_file_name(id)), file));
  snapshot_ = id;
  KEEL_RETURN_IF_ERROR(log_->truncate_fully_and_start_at(id.end_offset));
  return remove_snapshots_before(id);
}

}  // namespace keel::controller::raft
