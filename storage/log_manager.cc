#include "storage/log_manager.h"

#include "protocol/error_code.h"
#include "protocol/status.h"
#include "storage/checkpoint_file.h"
#include "storage/file_names.h"
#include "storage/random.h"

namespace keel::storage {
namespace {

// 32 hex digits, for `<dir>.<uuid>-delete` names.
std::string random_hex_id() {
  Random* random = Random::system();
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 2; ++i) {
    uint64_t v = random->next_u64();
    for (int j = 0; j < 16; ++j, v >>= 4) out += kHex[v & 15];
  }
  return out;
}

}  // namespace

LogManager::LogManager(Env* env, Clock* clock, LogManagerOptions options)
    : env_(env), clock_(clock), options_(std::move(options)) {}

LogManager::~LogManager() {
  for (auto& [tp, entry] : logs_) entry.log->close_without_flush();
}

absl::StatusOr<std::unique_ptr<LogManager>> LogManager::open(Env* env, Clock* clock,
                                                             LogManagerOptions options) {
  if (options.log_dirs.empty()) return absl::InvalidArgumentError("log.dirs is empty");
  std::unique_ptr<LogManager> manager(new LogManager(env, clock, std::move(options)));
  for (const std::string& dir : manager->options_.log_dirs) {
    KEEL_RETURN_IF_ERROR(manager->load_dir(dir));
  }
  return manager;
}

absl::Status LogManager::load_dir(const std::string& log_dir) {
  KEEL_RETURN_IF_ERROR(env_->create_dir(log_dir));
  const std::string marker = join_path(log_dir, kCleanShutdownMarker);
  const bool clean = env_->exists(marker);
  KEEL_ASSIGN_OR_RETURN(OffsetMap recovery,
                        read_offset_checkpoint(env_, join_path(log_dir, kRecoveryPointCheckpoint)));
  KEEL_ASSIGN_OR_RETURN(OffsetMap starts, read_offset_checkpoint(
                                              env_, join_path(log_dir, kLogStartOffsetCheckpoint)));
  KEEL_ASSIGN_OR_RETURN(OffsetMap hws, read_offset_checkpoint(
                                           env_, join_path(log_dir, kReplicationOffsetCheckpoint)));
  KEEL_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->list_dir(log_dir));
  auto lookup = [](const OffsetMap& map, const TopicPartition& tp) {
    auto it = map.find(tp);
    return it == map.end() ? int64_t{-1} : it->second;
  };
  for (const std::string& name : names) {
    const std::string path = join_path(log_dir, name);
    if (name.ends_with(kDeleteDirSuffix)) {  // an interrupted delete_log
      KEEL_RETURN_IF_ERROR(env_->remove_dir(path));
      continue;
    }
    if (name == kMetadataLogDir) continue;  // the controller's metadata log
    std::optional<TopicPartition> tp = parse_partition_dir_name(name);
    if (!tp) continue;
    if (logs_.count(*tp)) {
      return protocol::kafka_error(protocol::ErrorCode::kKafkaStorageError,
                                   "partition " + name + " exists in two log dirs");
    }
    RecoveryOptions recovery_options;
    recovery_options.clean_shutdown = clean;
    recovery_options.recovery_point = lookup(recovery, *tp);
    recovery_options.log_start_offset = lookup(starts, *tp);
    recovery_options.high_watermark = lookup(hws, *tp);
    recovery_options.log = options_.log;
    const LogConfig config =
        options_.config_for ? options_.config_for(tp->topic) : options_.default_config;
    KEEL_ASSIGN_OR_RETURN(auto log,
                          Log::open(env_, clock_, path, config, std::move(recovery_options)));
    reports_[*tp] = log->report();
    logs_[*tp] = Entry{log_dir, std::move(log)};
  }
  // From now on a crash is an unclean shutdown.
  if (clean) {
    KEEL_RETURN_IF_ERROR(env_->remove_file(marker));
    KEEL_RETURN_IF_ERROR(env_->sync_dir(log_dir));
  }
  return absl::OkStatus();
}

absl::StatusOr<Log*> LogManager::create_log(const TopicPartition& tp, const LogConfig& config) {
  if (auto it = logs_.find(tp); it != logs_.end()) return it->second.log.get();
  // The log dir with the fewest partitions.
  std::map<std::string, int> counts;
  for (const std::string& dir : options_.log_dirs) counts[dir] = 0;
  for (const auto& [other, entry] : logs_) ++counts[entry.log_dir];
  std::string chosen = options_.log_dirs.front();
  for (const std::string& dir : options_.log_dirs) {
    if (counts[dir] < counts[chosen]) chosen = dir;
  }
  const std::string path = join_path(chosen, partition_dir_name(tp));
  RecoveryOptions fresh;
  fresh.clean_shutdown = !env_->exists(path);  // a new directory has nothing to recover
  KEEL_ASSIGN_OR_RETURN(auto log, Log::open(env_, clock_, path, config, std::move(fresh)));
  KEEL_RETURN_IF_ERROR(env_->sync_dir(chosen));
  Log* raw = log.get();
  logs_[tp] = Entry{chosen, std::move(log)};
  return raw;
}

Log* LogManager::get_log(const TopicPartition& tp) const {
  auto it = logs_.find(tp);
  return it == logs_.end() ? nullptr : it->second.log.get();
}

std::string LogManager::log_dir_of(const TopicPartition& tp) const {
  auto it = logs_.find(tp);
  return it == logs_.end() ? std::string() : it->second.log_dir;
}

std::vector<TopicPartition> LogManager::partitions() const {
  std::vector<TopicPartition> out;
  out.reserve(logs_.size());
  for (const auto& [tp, entry] : logs_) out.push_back(tp);
  return out;
}

absl::Status LogManager::delete_log(const TopicPartition& tp) {
  auto it = logs_.find(tp);
  if (it == logs_.end()) {
    return protocol::kafka_error(protocol::ErrorCode::kUnknownTopicOrPartition,
                                 "no log for " + partition_dir_name(tp),
                                 absl::StatusCode::kNotFound);
  }
  const std::string log_dir = it->second.log_dir;
  const std::string path = it->second.log->dir();
  it->second.log->close_without_flush();
  logs_.erase(it);
  const std::string doomed = path + "." + random_hex_id() + std::string(kDeleteDirSuffix);
  KEEL_RETURN_IF_ERROR(env_->rename(path, doomed));
  KEEL_RETURN_IF_ERROR(env_->sync_dir(log_dir));
  KEEL_RETURN_IF_ERROR(env_->remove_dir(doomed));
  // The partition leaves the checkpoints too.
  return write_checkpoints(log_dir);
}

absl::Status LogManager::write_checkpoints(const std::string& log_dir) {
  std::map<TopicPartition, LogOffsets> offsets;
  for (const auto& [tp, entry] : logs_) {
    offsets[tp] = {entry.log->recovery_point(), entry.log->log_start_offset(),
                   entry.log->high_watermark()};
  }
  return write_checkpoints(log_dir, offsets);
}

absl::Status LogManager::checkpoint_offsets(const std::map<TopicPartition, LogOffsets>& offsets) {
  absl::Status status;
  for (const std::string& dir : options_.log_dirs) status.Update(write_checkpoints(dir, offsets));
  return status;
}

absl::Status LogManager::write_checkpoints(const std::string& log_dir,
                                           const std::map<TopicPartition, LogOffsets>& offsets) {
  OffsetMap recovery, starts, hws;
  for (const auto& [tp, o] : offsets) {
    auto it = logs_.find(tp);
    if (it == logs_.end() || it->second.log_dir != log_dir) continue;
    recovery[tp] = o.recovery_point;
    starts[tp] = o.log_start_offset;
    hws[tp] = o.high_watermark;
  }
  KEEL_RETURN_IF_ERROR(
      write_offset_checkpoint(env_, join_path(log_dir, kRecoveryPointCheckpoint), recovery));
  KEEL_RETURN_IF_ERROR(
      write_offset_checkpoint(env_, join_path(log_dir, kLogStartOffsetCheckpoint), starts));
  return write_offset_checkpoint(env_, join_path(log_dir, kReplicationOffsetCheckpoint), hws);
}

absl::Status LogManager::checkpoint_all() {
  absl::Status status;
  for (const std::string& dir : options_.log_dirs) status.Update(write_checkpoints(dir));
  return status;
}

absl::Status LogManager::close_all() {
  std::map<std::string, absl::Status> per_dir;
  for (const std::string& dir : options_.log_dirs) per_dir[dir] = absl::OkStatus();
  for (auto& [tp, entry] : logs_) per_dir[entry.log_dir].Update(entry.log->close());
  absl::Status status;
  for (auto& [dir, dir_status] : per_dir) {
    // Checkpoints read the closed logs' final offsets.
    dir_status.Update(write_checkpoints(dir));
    if (dir_status.ok()) {
      dir_status.Update(env_->write_file_atomically(join_path(dir, kCleanShutdownMarker), ""));
    }
    status.Update(dir_status);
  }
  logs_.clear();
  return status;
}

}  // namespace keel::storage
