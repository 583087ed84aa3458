// Property test: random appends (sizes, record counts, codecs, unordered timestamps), rolls,
// clock jumps, clean and unclean reopens, checked after every step against an in-memory model:
// reads by offset return exactly the model's batches (whole, in order, within max_bytes) and
// reads by timestamp return the model's first record at or after the timestamp.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "protocol/records/record_batch.h"
#include "storage/log.h"
#include "storage_test_util.h"

namespace keel::storage {
namespace {

using protocol::Bytes;
using protocol::Compression;
using testing::TempDir;

struct ModelBatch {
  int64_t base_offset = 0;
  Bytes bytes;                      // as the log must store it
  std::vector<int64_t> timestamps;  // per record, in offset order
  int64_t last_offset() const { return base_offset + static_cast<int64_t>(timestamps.size()) - 1; }
};

class Model {
 public:
  std::vector<ModelBatch> batches;

  int64_t end() const { return batches.empty() ? 0 : batches.back().last_offset() + 1; }
  size_t containing(int64_t offset) const {
    size_t i = 0;
    while (i < batches.size() && batches[i].last_offset() < offset) ++i;
    return i;
  }
  std::optional<TimestampOffset> first_at_or_after(int64_t ts) const {
    for (const ModelBatch& b : batches) {
      for (size_t i = 0; i < b.timestamps.size(); ++i) {
        if (b.timestamps[i] >= ts) {
          return TimestampOffset{b.timestamps[i], b.base_offset + static_cast<int64_t>(i)};
        }
      }
    }
    return std::nullopt;
  }
  int64_t max_timestamp() const {
    int64_t max = -1;
    for (const ModelBatch& b : batches) {
      for (int64_t t : b.timestamps) max = std::max(max, t);
    }
    return max;
  }
};

class PropertyRun {
 public:
  explicit PropertyRun(uint64_t seed) : rng_(seed) {
    config_.segment_bytes = 1024 + static_cast<int64_t>(rng_() % 8192);
    config_.segment_index_bytes = 96 + static_cast<int64_t>(rng_() % 2048);
    config_.index_interval_bytes = static_cast<int64_t>(rng_() % 1024);
    config_.segment_ms = 1000 + static_cast<int64_t>(rng_() % 100'000);
    config_.max_message_bytes = 1 << 20;
    if (rng_() % 4 == 0) config_.timestamp_type = TimestampType::kLogAppendTime;
  }

  ::testing::AssertionResult run(int steps) {
    if (!open(true, -1)) return ::testing::AssertionFailure() << "open failed";
    for (int step = 0; step < steps; ++step) {
      const uint64_t op = rng_() % 100;
      if (op < 75) {
        if (auto r = append(); !r) return r;
      } else if (op < 80) {
        if (!log_->roll().ok()) return ::testing::AssertionFailure() << "roll failed";
      } else if (op < 85) {
        clock_.advance_ms(static_cast<int64_t>(rng_() % 20'000));
      } else if (op < 90) {
        if (!log_->close().ok()) return ::testing::AssertionFailure() << "close failed";
        log_.reset();
        if (!open(true, model_.end())) return ::testing::AssertionFailure() << "clean reopen";
      } else if (op < 93) {
        // Unclean: nothing was lost (the page cache survived), any recovery point works.
        const int64_t rp = rng_() % 2 == 0 ? -1 : static_cast<int64_t>(rng_() % (model_.end() + 1));
        log_->close_without_flush();
        log_.reset();
        if (!open(false, rp)) return ::testing::AssertionFailure() << "unclean reopen";
      }
      if (auto r = check(); !r) return r << " (step " << step << ")";
    }
    return ::testing::AssertionSuccess();
  }

 private:
  bool open(bool clean, int64_t recovery_point) {
    RecoveryOptions options;
    options.clean_shutdown = clean;
    options.recovery_point = recovery_point;
    auto log = Log::open(Env::posix(), &clock_, dir_.file("p-0"), config_, options);
    if (!log.ok()) return false;
    log_ = std::move(*log);
    return log_->report().bytes_truncated == 0;
  }

  // One append of 1-3 random batches.
  ::testing::AssertionResult append() {
    const int n = 1 + static_cast<int>(rng_() % 3);
    std::vector<Bytes> batches;
    std::vector<std::vector<int64_t>> stamps;
    for (int b = 0; b < n; ++b) {
      const int records = 1 + static_cast<int>(rng_() % 8);
      std::vector<testing::TestRecord> input;
      std::vector<int64_t> ts;
      for (int r = 0; r < records; ++r) {
        // Mostly increasing, sometimes going back in time.
        next_ts_ += static_cast<int64_t>(rng_() % 50) - (rng_() % 5 == 0 ? 120 : 0);
        ts.push_back(next_ts_);
        const size_t size = rng_() % 4 == 0 ? rng_() % 600 : rng_() % 40;
        std::string value(size, static_cast<char>('a' + rng_() % 26));
        if (rng_() % 2) {
          for (char& c : value) c = static_cast<char>(rng_());
        }
        input.push_back({next_ts_, "k" + std::to_string(rng_() % 100), value});
      }
      batches.push_back(testing::make_batch(input, static_cast<Compression>(rng_() % 5)));
      stamps.push_back(ts);
    }
    const Bytes region = testing::concat(batches);
    const int32_t epoch = static_cast<int32_t>(model_.end() / 200);
    clock_.advance_ms(1);
    auto result = log_->append(testing::records_of(region), epoch);
    if (static_cast<int64_t>(region.size()) > config_.segment_bytes) {
      if (result.ok()) return ::testing::AssertionFailure() << "oversized append accepted";
      return ::testing::AssertionSuccess();
    }
    if (!result.ok()) return ::testing::AssertionFailure() << result.status();
    int64_t offset = model_.end();
    if (result->base_offset != offset) return ::testing::AssertionFailure() << "base offset";
    const bool lat = config_.timestamp_type == TimestampType::kLogAppendTime;
    for (size_t i = 0; i < batches.size(); ++i) {
      ModelBatch m;
      m.base_offset = offset;
      m.bytes = batches[i];
      if (lat) {
        (void)protocol::set_log_append_time(m.bytes, clock_.now_ms());
        for (int64_t& t : stamps[i]) t = clock_.now_ms();
      }
      (void)protocol::set_base_offset(m.bytes, offset);
      (void)protocol::set_partition_leader_epoch(m.bytes, epoch);
      m.timestamps = stamps[i];
      offset = m.last_offset() + 1;
      model_.batches.push_back(std::move(m));
    }
    if (result->last_offset != offset - 1) return ::testing::AssertionFailure() << "last offset";
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult check() {
    if (log_->log_end_offset() != model_.end()) {
      return ::testing::AssertionFailure()
             << "end offset " << log_->log_end_offset() << " != " << model_.end();
    }
    const int64_t end = model_.end();
    std::vector<int64_t> segment_ends;
    for (const SegmentInfo& s : log_->segments()) segment_ends.push_back(s.end_offset);
    for (int probe = 0; probe < 8 && end > 0; ++probe) {
      const int64_t offset = static_cast<int64_t>(rng_() % end);
      const int32_t max_bytes = static_cast<int32_t>(rng_() % 3000);
      const int64_t max_offset = offset + static_cast<int64_t>(rng_() % 40);
      auto slice = log_->read(offset, max_bytes, max_offset, true);
      if (!slice.ok()) return ::testing::AssertionFailure() << slice.status();
      auto bytes = read_slice(*slice);
      if (!bytes.ok()) return ::testing::AssertionFailure() << bytes.status();
      // Expected: whole batches from the one holding `offset`, below max_offset, within
      // max_bytes (at least one), not crossing the end of its segment.
      size_t i = model_.containing(offset);
      const int64_t seg_end = *std::upper_bound(segment_ends.begin(), segment_ends.end(),
                                                model_.batches[i].base_offset);
      Bytes expected;
      for (; i < model_.batches.size(); ++i) {
        const ModelBatch& b = model_.batches[i];
        if (b.last_offset() >= max_offset || b.base_offset >= seg_end) break;
        if (!expected.empty() &&
            expected.size() + b.bytes.size() > static_cast<size_t>(max_bytes)) {
          break;
        }
        expected.insert(expected.end(), b.bytes.begin(), b.bytes.end());
      }
      if (*bytes != expected) {
        return ::testing::AssertionFailure()
               << "read(" << offset << ", " << max_bytes << ", " << max_offset << ") returned "
               << bytes->size() << " bytes, expected " << expected.size();
      }
    }
    for (int probe = 0; probe < 4; ++probe) {
      const int64_t ts = next_ts_ - static_cast<int64_t>(rng_() % 3000) + 100;
      auto found = log_->offset_for_timestamp(ts);
      if (!found.ok()) return ::testing::AssertionFailure() << found.status();
      if (*found != model_.first_at_or_after(ts)) {
        return ::testing::AssertionFailure()
               << "offset_for_timestamp(" << ts
               << ") = " << (found->has_value() ? std::to_string((*found)->offset) : "none");
      }
    }
    auto max = log_->offset_for_timestamp(kMaxTimestamp);
    if (!max.ok()) return ::testing::AssertionFailure() << max.status();
    const int64_t max_ts = model_.max_timestamp();
    if (max_ts >= 0 && *max != model_.first_at_or_after(max_ts)) {
      return ::testing::AssertionFailure() << "max timestamp lookup";
    }
    return ::testing::AssertionSuccess();
  }

  std::mt19937_64 rng_;
  TempDir dir_{"keel_prop"};
  ManualClock clock_;
  LogConfig config_;
  std::unique_ptr<Log> log_;
  Model model_;
  int64_t next_ts_ = 1'700'000'000'000;
};

TEST(LogPropertyTest, RandomAppendsRollsAndReopensMatchTheModel) {
  constexpr uint64_t kSeeds = 40;
  constexpr int kSteps = 120;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    PropertyRun run(seed);
    ASSERT_TRUE(run.run(kSteps)) << "seed " << seed;
  }
}

}  // namespace
}  // namespace keel::storage
