// File: storage/log_manager.h
// All partition logs of a node, spread over the directories of `log.dirs`. Each log dir holds
// one directory per partition (`<topic>-<partition>`) and the per-dir files:
//   recovery-point-offset-checkpoint   durable offset per partition (recovery starts there)
//   log-start-offset-checkpoint        log start offset per partition (DeleteRecords)
//   replication-offset-checkpoint      high watermark per partition
//   .kafka_cleanshutdown               present only between a clean close_all() and the next
//                                      open: recovery may then trust indexes and checkpoints
// (formats in docs/storage-format.md).
//
// Thread-safety: the manager's own methods (create/get/delete/checkpoint/close) must be called
// from one thread at a time (the broker's control thread); the Logs it returns follow
// storage/log.h (one owner each). checkpoint_all() reads the logs' offsets, so it runs where
// that is safe (e.g. on a timer posted to each owner first, or while appends are paused).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/env.h"
#include "storage/log.h"
#include "storage/log_config.h"
#include "storage/topic_partition.h"

namespace keel::storage {

struct LogManagerOptions {
  std::vector<std::string> log_dirs;  // log.dirs
  LogConfig default_config;           // for logs found on disk without a known topic config
  // The config of an existing topic found on disk at open (issue 4 wires topic configs in);
  // may be empty, then default_config is used.
  std::function<LogConfig(const std::string& topic)> config_for;
  // Recovery messages of every log (see RecoveryOptions::log); may be empty.
  std::function<void(std::string_view)> log;
};

class LogManager {
 public:
  // Opens every partition directory under each log dir, recovering each per its dir's
  // clean-shutdown marker and checkpoints, then deletes the markers (a crash from now on is
  // unclean) and removes leftovers of interrupted deletions (`*-delete` dirs). The
  // controller's metadata log (`__cluster_metadata-0`, file_names.h) is not a partition and is
  // left alone.
  // `env` and `clock` must outlive the manager.
  static absl::StatusOr<std::unique_ptr<LogManager>> open(Env* env, Clock* clock,
                                                          LogManagerOptions options);
  ~LogManager();

  // Creates the partition's log in the log dir holding the fewest partitions; returns the
  // existing log when there is one (with its config unchanged).
  absl::StatusOr<Log*> create_log(const TopicPartition& tp, const LogConfig& config);
  // nullptr when the partition has no log here. The pointer is valid until delete_log or
  // close_all.
  Log* get_log(const TopicPartition& tp) const;
  // Closes the log, renames its directory to `<dir>.<uuid>-delete` (so a crash mid-way never
  // leaves a half-deleted partition that would be loaded), then removes it. NotFound (with
  // UNKNOWN_TOPIC_OR_PARTITION) when absent.
  absl::Status delete_log(const TopicPartition& tp);
  std::vector<TopicPartition> partitions() const;
  // The log dir of a partition ("" if absent).
  std::string log_dir_of(const TopicPartition& tp) const;

  // Writes the three per-dir checkpoint files of every log dir. Reads every log: only while
  // no other thread owns one (startup, shutdown, tests).
  absl::Status checkpoint_all();

  // The offsets a checkpoint records for one log.
  struct LogOffsets {
    int64_t recovery_point = 0;
    int64_t log_start_offset = 0;
    int64_t high_watermark = 0;
  };
  // Writes the checkpoints from offsets the caller gathered on each log's owner (the broker's
  // periodic checkpoint, while the logs serve). Logs absent from `offsets` are left out.
  absl::Status checkpoint_offsets(const std::map<TopicPartition, LogOffsets>& offsets);
  // Cleanly closes every log, writes the checkpoints, then the clean-shutdown markers (only in
  // dirs where every log closed cleanly). The manager is empty afterwards.
  absl::Status close_all();

  // What recovery did for each log opened at startup.
  const std::map<TopicPartition, RecoveryReport>& recovery_reports() const { return reports_; }

 private:
  struct Entry {
    std::string log_dir;
    std::unique_ptr<Log> log;
  };

  LogManager(Env* env, Clock* clock, LogManagerOptions options);
  absl::Status load_dir(const std::string& log_dir);
  absl::Status write_checkpoints(const std::string& log_dir);
  absl::Status write_checkpoints(const std::string& log_dir,
                                 const std::map<TopicPartition, LogOffsets>& offsets);

  Env* env_;
  Clock* clock_;
  LogManagerOptions options_;
  std::map<TopicPartition, Entry> logs_;
  std::map<TopicPartition, RecoveryReport> reports_;
};

}  // namespace keel::storage
