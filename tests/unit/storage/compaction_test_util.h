// File: tests/unit/storage/compaction_test_util.h
// Shared by the compaction tests (compaction_*_test.cc): a compacted Log on any Env with a
// ManualClock, random keyed workloads, the whole log read back record by record, and an
// in-memory model of exactly which records a cleaned log must hold.
//
// The model (CompactionModel) keeps every record appended and, per clean pass over the offsets
// below the pass's first uncleanable offset U at time `now`, removes:
//   - records below U that are not the latest of their key among the records below U;
//   - tombstones below U whose batch got its delete horizon in an earlier pass at time t with
//     t + delete.retention.ms <= now (a tombstone first cleaned now gets horizon now + drm).
// Everything at or above U is untouched.
#pragma once

#include <stdlib.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/records/batch_iterator.h"
#include "protocol/records/batch_records.h"
#include "protocol/records/record_batch.h"
#include "protocol/records/record_batch_builder.h"
#include "storage/compaction/log_cleaner.h"
#include "storage/env.h"
#include "storage/fault_env.h"
#include "storage/file_slice.h"
#include "storage/log.h"

namespace keel::storage::compaction::testing {

using protocol::Bytes;

struct Rec {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;  // nullopt: tombstone
  bool operator==(const Rec&) const = default;
};

inline std::string describe(const Rec& r) {
  return "{offset " + std::to_string(r.offset) + ", ts " + std::to_string(r.timestamp) + ", key " +
         (r.key ? *r.key : "<null>") + ", value " +
         (r.value ? std::to_string(r.value->size()) + " bytes" : "<tombstone>") + "}";
}

// A batch header as read back, for tests about batch fields.
struct ReadBatch {
  protocol::RecordBatchHeader header;
  std::vector<Rec> records;
};

inline std::string str(protocol::ByteView v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size());
}
inline protocol::ByteView bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Reads the log from its start to its end: every batch CRC-checked, records decoded with
// absolute timestamps. On a problem returns it in *problem (and what was read so far).
inline std::vector<ReadBatch> read_batches(const Log& log, std::string* problem) {
  std::vector<ReadBatch> out;
  const int64_t leo = log.log_end_offset();
  int64_t offset = log.log_start_offset();
  int64_t previous = -1;
  while (offset < leo) {
    auto slice = log.read(offset, 1 << 20, leo, true);
    if (!slice.ok()) {
      *problem = "read(" + std::to_string(offset) + "): " + slice.status().ToString();
      return out;
    }
    if (slice->empty()) break;
    auto bytes = read_slice(*slice);
    if (!bytes.ok()) {
      *problem = "read_slice: " + bytes.status().ToString();
      return out;
    }
    protocol::BatchIterator it(*bytes);
    while (it.next()) {
      auto header = protocol::validate_batch(it.batch());
      if (!header.ok()) {
        *problem = "bad batch at " + std::to_string(offset) + ": " + header.status().ToString();
        return out;
      }
      if (header->base_offset <= previous) {
        *problem = "batch at " + std::to_string(header->base_offset) + " after offset " +
                   std::to_string(previous);
        return out;
      }
      ReadBatch batch{*header, {}};
      auto records = protocol::BatchRecords::open(it.batch(), 64u << 20);
      if (!records.ok()) {
        *problem = "records at " + std::to_string(header->base_offset) + ": " +
                   records.status().ToString();
        return out;
      }
      protocol::RecordReader reader = records->reader();
      protocol::RecordView r;
      while (reader.next(r)) {
        Rec rec;
        rec.offset = header->base_offset + r.offset_delta;
        rec.timestamp = static_cast<int64_t>(static_cast<uint64_t>(header->base_timestamp) +
                                             static_cast<uint64_t>(r.timestamp_delta));
        if (r.key) rec.key = str(*r.key);
        if (r.value) rec.value = str(*r.value);
        if (rec.offset <= previous || rec.offset > header->last_offset()) {
          *problem = "record offset " + std::to_string(rec.offset) + " out of order in batch " +
                     std::to_string(header->base_offset);
          return out;
        }
        previous = rec.offset;
        batch.records.push_back(std::move(rec));
      }
      if (!reader.status().ok()) {
        *problem = "record reader: " + reader.status().ToString();
        return out;
      }
      previous = header->last_offset();
      offset = header->last_offset() + 1;
      out.push_back(std::move(batch));
    }
    if (!it.status().ok()) {
      *problem = "batch framing: " + it.status().ToString();
      return out;
    }
  }
  return out;
}

inline std::vector<Rec> records_of(const std::vector<ReadBatch>& batches) {
  std::vector<Rec> out;
  for (const ReadBatch& b : batches) out.insert(out.end(), b.records.begin(), b.records.end());
  return out;
}

inline std::vector<Rec> read_records(const Log& log, std::string* problem) {
  return records_of(read_batches(log, problem));
}

class CompactionModel {
 public:
  void add(const Rec& r) { present_[r.offset] = r; }

  void apply_clean(int64_t first_uncleanable, int64_t now, int64_t delete_retention_ms) {
    std::map<std::string, int64_t> latest;
    for (const auto& [offset, r] : present_) {
      if (offset >= first_uncleanable) break;
      if (r.key) latest[*r.key] = offset;
    }
    for (auto it = present_.begin(); it != present_.end() && it->first < first_uncleanable;) {
      const Rec& r = it->second;
      bool keep = r.key.has_value() && latest[*r.key] == r.offset;
      if (keep && !r.value) {
        auto horizon = first_cleaned_.find(r.offset);
        if (horizon == first_cleaned_.end()) {
          first_cleaned_[r.offset] = now;
        } else if (horizon->second + delete_retention_ms <= now) {
          keep = false;
        }
      }
      it = keep ? std::next(it) : present_.erase(it);
    }
  }
  // Retention removed everything below `offset`.
  void drop_below(int64_t offset) {
    while (!present_.empty() && present_.begin()->first < offset) present_.erase(present_.begin());
  }

  std::vector<Rec> expected() const {
    std::vector<Rec> out;
    for (const auto& [offset, r] : present_) out.push_back(r);
    return out;
  }

 private:
  std::map<int64_t, Rec> present_;
  std::map<int64_t, int64_t> first_cleaned_;  // tombstone offset -> time its horizon was set
};

// "" when `got` equals `want`, else the first difference.
inline std::string diff(const std::vector<Rec>& got, const std::vector<Rec>& want) {
  for (size_t i = 0; i < std::max(got.size(), want.size()); ++i) {
    if (i >= got.size()) return "missing " + describe(want[i]);
    if (i >= want.size()) return "unexpected " + describe(got[i]);
    if (!(got[i] == want[i])) return "got " + describe(got[i]) + ", want " + describe(want[i]);
  }
  return "";
}

// Small segments so a few dozen batches make many of them.
inline LogConfig compact_config() {
  LogConfig config;
  config.segment_bytes = 3000;
  config.segment_index_bytes = 4096;
  config.index_interval_bytes = 256;
  config.cleanup_compact = true;
  config.cleanup_delete = false;
  config.retention_ms = -1;
  config.delete_retention_ms = 1000;
  return config;
}

inline std::string make_temp_dir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return "";
  return tmpl;
}

struct WorkloadShape {
  int key_space = 40;
  int max_records = 8;
  size_t max_value = 120;
  int tombstone_percent = 12;
};

// A compacted log with a model. The partition directory is created with the real POSIX env
// so that it is durable whatever `env` is. Without an env the harness uses its own FaultEnv
// over the POSIX one, which models fsyncs instead of doing them (fast tests).
class CompactionHarness {
 public:
  CompactionHarness(LogConfig config, uint64_t seed) : CompactionHarness(nullptr, config, seed) {}
  CompactionHarness(Env* env, LogConfig config, uint64_t seed)
      : own_env_(env == nullptr ? std::make_unique<FaultEnv>(Env::posix(), seed) : nullptr),
        env_(env == nullptr ? own_env_.get() : env),
        config_(config),
        rng_(seed) {
    root_ = make_temp_dir("keel_compaction");
    dir_ = join_path(root_, "topic-0");
    (void)Env::posix()->create_dir(dir_);
  }
  ~CompactionHarness() {
    log_.reset();
    (void)Env::posix()->remove_dir(root_);
  }
  CompactionHarness(const CompactionHarness&) = delete;
  CompactionHarness& operator=(const CompactionHarness&) = delete;

  absl::Status open(RecoveryOptions options = {}) {
    auto log = Log::open(env_, &clock_, dir_, config_, std::move(options));
    if (!log.ok()) return log.status();
    log_ = std::move(*log);
    return absl::OkStatus();
  }
  void drop() { log_.reset(); }

  Log& log() { return *log_; }
  ManualClock& clock() { return clock_; }
  CompactionModel& model() { return model_; }
  std::mt19937_64& rng() { return rng_; }
  const std::string& dir() const { return dir_; }
  const LogConfig& config() const { return config_; }

  // Appends one client batch of `records` (offsets assigned by the log) and models it.
  absl::StatusOr<AppendResult> append(const std::vector<Rec>& records, protocol::Compression codec,
                                      protocol::BatchOptions options = {}) {
    options.compression = codec;
    protocol::RecordBatchBuilder builder(options);
    for (const Rec& r : records) {
      protocol::RecordInput in;
      in.timestamp = r.timestamp;
      if (r.key) in.key = bytes_of(*r.key);
      if (r.value) in.value = bytes_of(*r.value);
      builder.append(in);
    }
    auto batch = builder.build();
    if (!batch.ok()) return batch.status();
    auto result = log_->append(protocol::RecordsView(batch->data(), batch->size()), 1);
    if (!result.ok()) return result.status();
    for (size_t i = 0; i < records.size(); ++i) {
      Rec r = records[i];
      r.offset = result->base_offset + static_cast<int64_t>(i);
      model_.add(r);
    }
    return result;
  }

  // A random keyed batch in a random codec: overwrites (small key space) and tombstones.
  absl::Status append_random(const WorkloadShape& shape = {}) {
    const int n = 1 + static_cast<int>(rng_() % shape.max_records);
    std::vector<Rec> records;
    for (int i = 0; i < n; ++i) {
      Rec r;
      r.timestamp = clock_.now_ms() - 1000 + static_cast<int64_t>(rng_() % 2000);
      r.key = "key-" + std::to_string(rng_() % shape.key_space);
      if (static_cast<int>(rng_() % 100) >= shape.tombstone_percent) {
        std::string v(rng_() % (shape.max_value + 1), 'a');
        for (char& c : v) c = static_cast<char>('a' + rng_() % 3);
        r.value = std::move(v);
      }
      records.push_back(std::move(r));
    }
    clock_.advance_ms(1);
    return append(records, static_cast<protocol::Compression>(rng_() % 5)).status();
  }

  // Cleans with the high watermark at the log end, then applies the same pass to the model.
  // The pass must be complete (max_rounds 0 or enough).
  absl::StatusOr<CleanResult> clean(CleanerOptions options = {}) {
    log_->set_high_watermark(log_->log_end_offset());
    options.first_dirty_offset = first_dirty_;
    auto result = clean_log(*log_, clock_, options);
    if (!result.ok()) return result;
    first_dirty_ = result->first_dirty_offset;
    if (result->retention.segments_deleted > 0) model_.drop_below(log_->log_start_offset());
    // The model knows complete passes only (a partial one sets horizons past its end).
    if (result->first_dirty_offset != result->range.first_uncleanable_offset) {
      return absl::InternalError("the pass stopped at " +
                                 std::to_string(result->first_dirty_offset) + " before " +
                                 std::to_string(result->range.first_uncleanable_offset));
    }
    model_.apply_clean(result->range.first_uncleanable_offset, clock_.now_ms(),
                       log_->config().delete_retention_ms);
    return result;
  }
  int64_t first_dirty() const { return first_dirty_; }

  // "" when the log holds exactly the model's records.
  std::string check() {
    std::string problem;
    std::vector<Rec> got = read_records(*log_, &problem);
    if (!problem.empty()) return problem;
    return diff(got, model_.expected());
  }

 private:
  std::unique_ptr<FaultEnv> own_env_;
  Env* env_;
  LogConfig config_;
  std::mt19937_64 rng_;
  ManualClock clock_;
  std::string root_;
  std::string dir_;
  std::unique_ptr<Log> log_;
  CompactionModel model_;
  int64_t first_dirty_ = -1;
};

}  // namespace keel::storage::compaction::testing
