// File: tests/unit/storage/crash_test_util.h
// The harness shared by the crash and disk-fault tests of the log (crash_*_test.cc): a Log on
// a FaultEnv over a temp dir, random client batches, and an in-memory model of the log (the
// bytes of every acknowledged append exactly as the log must store them).
//
// check_log() (and LogHarness::check(), used after every reopen) returns "" when these hold,
// else the first violation, for `ASSERT_EQ(h.check(), "") << "seed " << seed`:
//   - the log is a prefix of the model: its start offset is 0, its end offset is the end of
//     some model batch (nothing unacknowledged, no gap), and its durable offset is not past
//     its end;
//   - every offset made durable (a successful flush, or a clean close) is present;
//   - reading every retained batch by its first and its last offset returns the model's bytes,
//     a read at the end offset is empty, and offset_for_timestamp finds each batch's first
//     timestamp at its base offset (timestamps strictly increase across the log).
// Outcomes a crash legitimately leaves in doubt are accepted, and only those:
//   - the last append that failed (a crash or fault hit it after some bytes were written) may
//     be present whole, with the offsets it would have had, if no later append succeeded;
//   - after truncate_to(t), the truncated batches may come back (a truncation is durable only
//     once synced) while nothing at or after t has been made durable since.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "protocol/records/record_batch.h"
#include "protocol/records/record_batch_builder.h"
#include "storage/fault_env.h"
#include "storage/log.h"

namespace keel::storage::crash_testing {

using protocol::Bytes;

inline std::string make_temp_dir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return "";
  return tmpl;
}

// Small segments and indexes so a few dozen batches roll several segments and index often.
inline LogConfig small_config() {
  LogConfig config;
  config.segment_bytes = 8 * 1024;
  config.segment_index_bytes = 1024;
  config.index_interval_bytes = 512;
  return config;
}

// A client batch of 1..max_records records with strictly increasing timestamps from
// `next_timestamp` (advanced past them), a random codec, random keys and values (some
// compressible, some not).
inline Bytes random_batch(std::mt19937_64& rng, int64_t& next_timestamp, int max_records = 6,
                          size_t max_value = 300) {
  protocol::BatchOptions options;
  options.compression = static_cast<protocol::Compression>(rng() % 5);
  protocol::RecordBatchBuilder builder(options);
  const int records = 1 + static_cast<int>(rng() % max_records);
  std::vector<std::string> keys(records);
  std::vector<std::string> values(records);
  for (int i = 0; i < records; ++i) {
    keys[i] = "key-" + std::to_string(rng() % 50);
    const size_t n = rng() % (max_value + 1);
    const bool text = rng() % 2 == 0;
    for (size_t j = 0; j < n; ++j) {
      values[i].push_back(text ? static_cast<char>('a' + j % 7) : static_cast<char>(rng()));
    }
    protocol::RecordInput record;
    record.timestamp = next_timestamp++;
    if (rng() % 4 != 0) {
      record.key =
          protocol::ByteView(reinterpret_cast<const uint8_t*>(keys[i].data()), keys[i].size());
    }
    record.value =
        protocol::ByteView(reinterpret_cast<const uint8_t*>(values[i].data()), values[i].size());
    builder.append(record);
  }
  auto batch = builder.build();
  return batch.ok() ? *batch : Bytes{};
}

struct ModelBatch {
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  int64_t first_timestamp = 0;
  Bytes bytes;  // as stored: base offset and leader epoch stamped
};

// `batch` as the log stores it at `base_offset` in `epoch`.
inline ModelBatch stamped(const Bytes& batch, int64_t base_offset, int32_t epoch) {
  ModelBatch m;
  m.bytes = batch;
  (void)protocol::set_base_offset(m.bytes, base_offset);
  (void)protocol::set_partition_leader_epoch(m.bytes, epoch);
  auto header = protocol::parse_batch_header(m.bytes);
  m.base_offset = base_offset;
  m.last_offset = header.ok() ? header->last_offset() : base_offset;
  m.first_timestamp = header.ok() ? header->base_timestamp : -1;
  return m;
}

inline int64_t end_of(const std::vector<ModelBatch>& model) {
  return model.empty() ? 0 : model.back().last_offset + 1;
}

// Reads every model batch back (see the file comment).
inline std::string check_reads(const Log& log, const std::vector<ModelBatch>& model) {
  const int64_t leo = log.log_end_offset();
  for (const ModelBatch& b : model) {
    for (int64_t offset : {b.base_offset, b.last_offset}) {
      auto slice = log.read(offset, static_cast<int32_t>(b.bytes.size()), leo, true);
      if (!slice.ok()) {
        return "read(" + std::to_string(offset) + ") failed: " + slice.status().ToString();
      }
      auto bytes = read_slice(*slice);
      if (!bytes.ok()) {
        return "read_slice(" + std::to_string(offset) + ") failed: " + bytes.status().ToString();
      }
      if (*bytes != b.bytes) {
        return "read(" + std::to_string(offset) + ") returned " + std::to_string(bytes->size()) +
               " bytes that differ from the batch at " + std::to_string(b.base_offset) + " (" +
               std::to_string(b.bytes.size()) + " bytes)";
      }
    }
    auto found = log.offset_for_timestamp(b.first_timestamp);
    if (!found.ok() || !found->has_value() || (*found)->offset != b.base_offset) {
      return "offset_for_timestamp(" + std::to_string(b.first_timestamp) + ") = " +
             (!found.ok()           ? found.status().ToString()
              : !found->has_value() ? std::string("none")
                                    : std::to_string((*found)->offset)) +
             ", expected " + std::to_string(b.base_offset);
    }
  }
  auto end = log.read(leo, 1 << 20, leo, true);
  if (!end.ok()) return "read at the log end failed: " + end.status().ToString();
  if (!end->empty()) return "read at the log end returned data";
  return "";
}

// The prefix and durability invariants; on success `model` shrinks to the log's prefix.
inline std::string check_log(const Log& log, std::vector<ModelBatch>& model, int64_t durable) {
  const int64_t leo = log.log_end_offset();
  if (log.log_start_offset() != 0) {
    return "log start offset " + std::to_string(log.log_start_offset()) + " != 0";
  }
  if (leo < durable) {
    return "durable data lost: log end offset " + std::to_string(leo) + " < durable offset " +
           std::to_string(durable);
  }
  size_t kept = 0;
  while (kept < model.size() && model[kept].last_offset < leo) ++kept;
  const int64_t prefix_end = kept == 0 ? 0 : model[kept - 1].last_offset + 1;
  if (prefix_end != leo) {
    return "log end offset " + std::to_string(leo) +
           " is not the end of an acknowledged prefix (nearest " + std::to_string(prefix_end) +
           ", acknowledged up to " + std::to_string(end_of(model)) + ")";
  }
  if (log.durable_offset() > leo) {
    return "durable offset " + std::to_string(log.durable_offset()) + " > log end offset " +
           std::to_string(leo);
  }
  std::vector<ModelBatch> prefix(model.begin(), model.begin() + static_cast<ptrdiff_t>(kept));
  std::string problem = check_reads(log, prefix);
  if (problem.empty()) model = std::move(prefix);
  return problem;
}

// Every file of a directory tree, for restoring a log to the same bytes between cases.
using DirImage = std::map<std::string, std::string>;

inline DirImage save_dir(const std::string& dir) {
  DirImage image;
  auto names = Env::posix()->list_dir(dir);
  if (!names.ok()) return image;
  for (const std::string& name : *names) {
    auto contents = Env::posix()->read_file(join_path(dir, name));
    if (contents.ok()) image[name] = *contents;
  }
  return image;
}

// Replaces `path` with `contents` (no fsync: tests rewrite the disk between cases).
inline bool write_raw(const std::string& path, const std::string& contents) {
  if (Env::posix()->exists(path) && !Env::posix()->remove_file(path).ok()) return false;
  auto file = Env::posix()->open_writable(path);
  if (!file.ok()) return false;
  const bool ok = (*file)
                      ->append(std::span<const uint8_t>(
                          reinterpret_cast<const uint8_t*>(contents.data()), contents.size()))
                      .ok();
  return (*file)->close().ok() && ok;
}

inline void restore_dir(const std::string& dir, const DirImage& image) {
  (void)Env::posix()->remove_dir(dir);
  (void)Env::posix()->create_dir(dir);
  for (const auto& [name, contents] : image) (void)write_raw(join_path(dir, name), contents);
}

class LogHarness {
 public:
  LogHarness(uint64_t seed, LogConfig config)
      : env_(Env::posix(), seed), rng_(seed), config_(config) {
    root_ = make_temp_dir("keel_crash");
    dir_ = join_path(root_, "topic-0");
    // Created outside the FaultEnv: the partition directory itself is durable.
    (void)Env::posix()->create_dir(dir_);
  }
  ~LogHarness() {
    env_.clear_faults();
    log_.reset();
    (void)Env::posix()->remove_dir(root_);
  }
  LogHarness(const LogHarness&) = delete;
  LogHarness& operator=(const LogHarness&) = delete;

  FaultEnv& env() { return env_; }
  Log* log() { return log_.get(); }
  ManualClock& clock() { return clock_; }
  const std::string& dir() const { return dir_; }
  const std::vector<ModelBatch>& model() const { return model_; }
  int64_t durable() const { return durable_; }
  std::mt19937_64& rng() { return rng_; }
  int32_t epoch() const { return epoch_; }
  void set_epoch(int32_t epoch) { epoch_ = epoch; }
  // For tests that rewind the disk (restore_dir) and the model with it.
  void set_model(std::vector<ModelBatch> model, int64_t durable) {
    model_ = std::move(model);
    durable_ = durable;
    in_doubt_.reset();
    before_truncation_.reset();
  }

  // Opens the log. `recovery_point` < -1 picks one at random among the valid ones (-1, the
  // durable offset, or an earlier batch boundary), as a checkpoint of any age would give.
  absl::Status open(bool clean_shutdown = false, int64_t recovery_point = -2) {
    RecoveryOptions options;
    options.clean_shutdown = clean_shutdown;
    if (recovery_point < -1) {
      const int choice = static_cast<int>(rng_() % 3);
      std::vector<int64_t> boundaries = {0};
      for (const ModelBatch& b : model_) {
        if (b.last_offset < durable_) boundaries.push_back(b.last_offset + 1);
      }
      recovery_point = choice == 0   ? -1
                       : choice == 1 ? durable_
                                     : boundaries[rng_() % boundaries.size()];
    }
    options.recovery_point = recovery_point;
    last_recovery_point_ = recovery_point;
    auto log = Log::open(&env_, &clock_, dir_, config_, options);
    if (!log.ok()) return log.status();
    log_ = std::move(*log);
    return absl::OkStatus();
  }
  int64_t last_recovery_point() const { return last_recovery_point_; }

  // Appends `batch` (a client batch). On success its stamped copy joins the model; on failure
  // it is the in-doubt append (see the file comment).
  absl::Status append(const Bytes& batch) {
    clock_.advance_ms(1);
    const int64_t expected_base = end_of(model_);
    auto result = log_->append(protocol::RecordsView(batch.data(), batch.size()), epoch_);
    if (!result.ok()) {
      in_doubt_ = stamped(batch, expected_base, epoch_);
      return result.status();
    }
    in_doubt_.reset();
    if (result->base_offset != expected_base) {
      return absl::InternalError("append got base offset " + std::to_string(result->base_offset) +
                                 ", expected " + std::to_string(expected_base));
    }
    model_.push_back(stamped(batch, result->base_offset, epoch_));
    return absl::OkStatus();
  }
  absl::Status append_random() { return append(next_random_batch()); }
  Bytes next_random_batch() { return random_batch(rng_, next_timestamp_); }

  absl::StatusOr<int64_t> flush() {
    auto durable = log_->flush();
    if (durable.ok()) note_durable(*durable);
    return durable;
  }
  // Records what the log claims durable.
  void note_durable(int64_t offset) {
    durable_ = std::max(durable_, offset);
    if (before_truncation_ && durable_ > truncated_at_) before_truncation_.reset();
  }

  // Replication's truncation; the model follows the log, keeping the old one while the
  // truncation may still be undone by a crash. A failed truncate_to may have happened in part.
  absl::Status truncate_to(int64_t offset) {
    const std::vector<ModelBatch> old = model_;
    const int64_t old_durable = durable_;
    absl::Status status = log_->truncate_to(offset);
    if (!status.ok()) {
      // Anything from the batch holding `offset` may be gone after a crash.
      int64_t floor = offset;
      for (const ModelBatch& b : model_) {
        if (b.base_offset <= offset && offset <= b.last_offset) floor = b.base_offset;
      }
      durable_ = std::min(durable_, floor);
    }
    const int64_t end = log_->log_end_offset();
    if (end < end_of(model_)) {
      if (!before_truncation_) {
        before_truncation_ = old;
        durable_before_truncation_ = old_durable;
      }
      truncated_at_ = std::max<int64_t>(end, 0);
      while (!model_.empty() && model_.back().last_offset >= end) model_.pop_back();
      durable_ = std::min(durable_, std::max<int64_t>(end, 0));
      in_doubt_.reset();
    }
    return status;
  }

  // Power cut now: the env freezes, the Log is dropped (its destructor cannot write), the disk
  // is rewritten to what survived.
  absl::Status crash(FaultEnv::CrashOptions options = {}) {
    if (log_ && !env_.frozen()) note_durable(log_->durable_offset());
    env_.freeze();
    log_.reset();
    return env_.crash(options);
  }
  // A random crash mode.
  FaultEnv::CrashOptions random_crash_options() {
    FaultEnv::CrashOptions options;
    // kCorrupt is left out: a flipped byte in a batch's base offset or leader epoch (outside
    // the CRC, by Kafka's format) is undetectable, so the model cannot demand detection.
    options.tail = static_cast<FaultEnv::CrashOptions::Tail>(rng_() % 2);
    options.mix_mapped_pages = rng_() % 2 == 0;
    options.keep_unsynced_metadata = rng_() % 3 == 0;
    return options;
  }
  // Clean close: on success everything is durable.
  absl::Status close() {
    if (!log_) return absl::OkStatus();
    const int64_t end = log_->log_end_offset();
    absl::Status status = log_->close();
    if (status.ok()) note_durable(end);
    log_.reset();
    return status;
  }
  void drop() { log_.reset(); }

  // The invariants of the file comment, after a reopen; shrinks the model to the log.
  std::string check() {
    if (!log_) return "log not open";
    const int64_t leo = log_->log_end_offset();
    if (in_doubt_ && leo == in_doubt_->last_offset + 1 &&
        in_doubt_->base_offset == end_of(model_)) {
      model_.push_back(*in_doubt_);
    }
    in_doubt_.reset();
    std::vector<ModelBatch> model = model_;
    std::string problem = check_log(*log_, model, durable_);
    if (!problem.empty() && before_truncation_) {
      // The truncation was undone by the crash: the old batches are back.
      model = *before_truncation_;
      const std::string old_problem =
          check_log(*log_, model, std::min(durable_before_truncation_, durable_));
      if (old_problem.empty()) {
        problem.clear();
        ++undone_truncations_;
      } else {
        problem += " (nor a prefix of the log before truncate_to: " + old_problem + ")";
      }
    }
    before_truncation_.reset();
    if (!problem.empty()) return problem;
    model_ = std::move(model);
    // What recovery left is on disk now (FaultEnv treats it as durable after a crash).
    durable_ = std::min(durable_, end_of(model_));
    note_durable(log_->durable_offset());
    return "";
  }
  int undone_truncations() const { return undone_truncations_; }

 private:
  FaultEnv env_;
  ManualClock clock_;
  std::mt19937_64 rng_;
  LogConfig config_;
  std::string root_;
  std::string dir_;
  std::unique_ptr<Log> log_;
  std::vector<ModelBatch> model_;
  int64_t durable_ = 0;
  std::optional<ModelBatch> in_doubt_;
  std::optional<std::vector<ModelBatch>> before_truncation_;
  int64_t durable_before_truncation_ = 0;
  int64_t truncated_at_ = 0;
  int undone_truncations_ = 0;
  int64_t next_timestamp_ = 1'700'000'000'000;
  int64_t last_recovery_point_ = -1;
  int32_t epoch_ = 3;
};

// Appends `n` random batches, flushing after each with probability 1/`flush_every`.
inline void append_some(LogHarness& h, int n, int flush_every) {
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(h.append_random().ok());
    if (flush_every > 0 && h.rng()() % flush_every == 0) {
      ASSERT_TRUE(h.flush().ok());
    }
  }
}

inline std::string describe(const FaultEnv::CrashOptions& o) {
  return "tail=" + std::to_string(static_cast<int>(o.tail)) +
         " mix_mapped=" + std::to_string(o.mix_mapped_pages) +
         " keep_metadata=" + std::to_string(o.keep_unsynced_metadata);
}

// Steps `action` through freeze_after(0, 1, 2, ...) on logs built the same way, crashing it at
// every point, until it completes; after each crash the log must recover to a valid prefix.
template <typename Setup, typename Action>
void crash_at_every_step(uint64_t seed, LogConfig config, Setup setup, Action action,
                         int* steps_out = nullptr) {
  for (uint64_t n = 0; n < 500; ++n) {
    SCOPED_TRACE("crash before mutation " + std::to_string(n));
    LogHarness h(seed, config);
    ASSERT_TRUE(h.open().ok());
    setup(h);
    h.env().freeze_after(n);
    action(h);
    const bool completed = !h.env().frozen();
    const FaultEnv::CrashOptions options = h.random_crash_options();
    SCOPED_TRACE(describe(options));
    ASSERT_TRUE(h.crash(options).ok());
    absl::Status opened = h.open();
    ASSERT_TRUE(opened.ok()) << opened;
    ASSERT_EQ(h.check(), "") << "recovery point " << h.last_recovery_point();
    // And the recovered log works.
    ASSERT_TRUE(h.append_random().ok());
    ASSERT_TRUE(h.flush().ok());
    ASSERT_TRUE(h.crash().ok());
    ASSERT_TRUE(h.open().ok());
    ASSERT_EQ(h.check(), "");
    if (completed) {
      if (steps_out != nullptr) *steps_out = static_cast<int>(n);
      return;
    }
  }
  ADD_FAILURE() << "action did not complete within 500 mutations";
}

}  // namespace keel::storage::crash_testing
