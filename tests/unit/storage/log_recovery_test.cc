// Recovery with the real POSIX Env: the last batch cut at every byte, corrupt bytes in the
// middle, zeroed tails, missing and damaged index files. After reopening, the log holds
// exactly the valid prefix and reads and timestamp lookups agree with what was written.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "storage/file_names.h"
#include "storage/log.h"
#include "storage_test_util.h"

namespace keel::storage {
namespace {

using protocol::Bytes;
using testing::base_offsets;
using testing::read_bytes;
using testing::records_of;
using testing::simple_batch;
using testing::TempDir;

// Record timestamps near the (manual) clock, as a producer's are: segment.ms counts from them
// after a reopen.
constexpr int64_t kT0 = 1'700'000'000'000;

class RecoveryTest : public ::testing::Test {
 protected:
  std::string log_dir() const { return dir_.file("r-0"); }
  std::string segment(int64_t base, std::string_view kind = kLogSuffix) const {
    return segment_file(log_dir(), base, kind);
  }

  std::unique_ptr<Log> open(bool clean, int64_t recovery_point = -1) {
    RecoveryOptions options;
    options.clean_shutdown = clean;
    options.recovery_point = recovery_point;
    options.log = [this](std::string_view line) { lines_.emplace_back(line); };
    auto log = Log::open(Env::posix(), &clock_, log_dir(), config_, options);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? std::move(*log) : nullptr;
  }

  // Writes `count` batches (2 records each, timestamps kT0 + 10 * i), closes cleanly.
  void write_log(int count, size_t value_size = 60) {
    auto log = open(true);
    ASSERT_NE(log, nullptr);
    for (int i = 0; i < count; ++i) {
      const Bytes b = simple_batch(2, kT0 + 10 * i, value_size);
      ASSERT_TRUE(log->append(records_of(b), 1).ok());
      sizes_.push_back(b.size());
    }
    ASSERT_TRUE(log->close().ok());
  }

  // Every batch below `end` reads back whole, by offset and by timestamp.
  void expect_prefix(Log& log, int batches) {
    ASSERT_EQ(log.log_end_offset(), 2 * batches);
    for (int i = 0; i < batches; ++i) {
      Bytes got = read_bytes(log, 2 * i + 1, static_cast<int32_t>(sizes_[i]));
      ASSERT_EQ(base_offsets(got), std::vector<int64_t>{2 * i}) << "batch " << i;
      ASSERT_EQ(got.size(), sizes_[i]);
      ASSERT_TRUE(protocol::validate_batch(got).ok());
      auto found = log.offset_for_timestamp(kT0 + 10 * i);
      ASSERT_TRUE(found.ok() && found->has_value()) << "batch " << i;
      ASSERT_EQ((*found)->offset, 2 * i);
    }
    auto end = log.read(log.log_end_offset(), 1 << 20, INT64_MAX, true);
    ASSERT_TRUE(end.ok());
    EXPECT_TRUE(end->empty());
  }

  void write_file(const std::string& path, const std::string& contents) {
    ASSERT_TRUE(Env::posix()->remove_file(path).ok());
    ASSERT_TRUE(Env::posix()->write_file_atomically(path, contents).ok());
  }

  TempDir dir_;
  ManualClock clock_;
  LogConfig config_;
  std::vector<size_t> sizes_;
  std::vector<std::string> lines_;
};

TEST_F(RecoveryTest, LastBatchCutAtEveryByteKeepsExactlyTheValidPrefix) {
  config_.index_interval_bytes = 100;
  write_log(8, 20);
  auto original = Env::posix()->read_file(segment(0));
  ASSERT_TRUE(original.ok());
  const size_t last = sizes_.back();
  const size_t last_start = original->size() - last;
  for (size_t cut = 0; cut <= last; ++cut) {
    SCOPED_TRACE("cut " + std::to_string(cut));
    write_file(segment(0), original->substr(0, last_start + cut));
    auto log = open(false, cut % 2 == 0 ? -1 : 4);
    ASSERT_NE(log, nullptr);
    const bool whole = cut == last;
    expect_prefix(*log, whole ? 8 : 7);
    EXPECT_EQ(log->report().bytes_truncated, static_cast<int64_t>(whole ? 0 : cut));
    EXPECT_EQ(log->report().batches_truncated, whole || cut == 0 ? 0 : 1);
    EXPECT_EQ(*Env::posix()->file_size(segment(0)), last_start + (whole ? last : 0));
    // The log keeps working after recovery.
    ASSERT_TRUE(log->append(records_of(simple_batch(1, kT0 + 5000)), 1).ok());
    log->close_without_flush();
  }
}

TEST_F(RecoveryTest, ZeroedTailIsDropped) {
  write_log(5);
  auto original = Env::posix()->read_file(segment(0));
  ASSERT_TRUE(original.ok());
  // A file system may extend the file without the data: zeros where the last batch was.
  std::string zeroed = *original;
  std::fill(zeroed.end() - static_cast<ptrdiff_t>(sizes_.back()), zeroed.end(), '\0');
  write_file(segment(0), zeroed);
  auto log = open(false);
  ASSERT_NE(log, nullptr);
  expect_prefix(*log, 4);
  EXPECT_EQ(log->report().bytes_truncated, static_cast<int64_t>(sizes_.back()));
}

TEST_F(RecoveryTest, CorruptByteInTheMiddleTruncatesThereAndDropsLaterSegments) {
  config_.segment_bytes = 1000;
  write_log(20);
  auto log = open(true);
  const std::vector<SegmentInfo> segments = log->segments();
  log->close_without_flush();
  ASSERT_GT(segments.size(), 4u);
  // Flip one byte inside the second batch of the second segment.
  const SegmentInfo& victim = segments[1];
  auto contents = Env::posix()->read_file(victim.log_path);
  ASSERT_TRUE(contents.ok());
  const size_t batch = sizes_[0];
  (*contents)[batch + batch / 2] ^= 0x40;
  write_file(victim.log_path, *contents);
  log = open(false, 0);
  ASSERT_NE(log, nullptr);
  const int kept = static_cast<int>(victim.base_offset / 2) + 1;
  expect_prefix(*log, kept);
  const RecoveryReport& report = log->report();
  EXPECT_EQ(report.segments_deleted, static_cast<int>(segments.size()) - 2);
  EXPECT_GT(report.bytes_truncated, 0);
  EXPECT_EQ(log->segment_count(), 2);
  bool reported = false;
  for (const SegmentRecoveryEvent& e : report.events) {
    if (e.action == "truncated" && e.base_offset == victim.base_offset) reported = true;
  }
  EXPECT_TRUE(reported);
  EXPECT_FALSE(lines_.empty());
  for (size_t i = 2; i < segments.size(); ++i) {
    EXPECT_FALSE(Env::posix()->exists(segments[i].log_path)) << segments[i].log_path;
  }
  // Appends continue right after the valid prefix.
  auto r = log->append(records_of(simple_batch(1, kT0 + 9000)), 2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->base_offset, 2 * kept);
}

TEST_F(RecoveryTest, CorruptionBeforeTheRecoveryPointIsNotRescanned) {
  config_.segment_bytes = 1000;
  write_log(20);
  auto log = open(true);
  const std::vector<SegmentInfo> segments = log->segments();
  log->close_without_flush();
  // Recovery point in the last segment: only that segment is read back.
  log = open(false, segments.back().base_offset);
  EXPECT_EQ(log->report().segments_rescanned, 1);
  expect_prefix(*log, 20);
}

TEST_F(RecoveryTest, MissingOrDamagedIndexesAreRebuilt) {
  config_.segment_bytes = 2000;
  config_.index_interval_bytes = 150;
  write_log(30);
  auto log = open(true);
  const std::vector<SegmentInfo> segments = log->segments();
  log->close_without_flush();
  ASSERT_GT(segments.size(), 3u);
  struct Damage {
    const char* name;
    std::function<void(const std::string&)> apply;
  };
  auto rewrite = [&](const std::string& path, auto edit) {
    auto contents = Env::posix()->read_file(path);
    ASSERT_TRUE(contents.ok());
    edit(*contents);
    write_file(path, *contents);
  };
  const std::vector<Damage> damages = {
      {"deleted", [](const std::string& p) { ASSERT_TRUE(Env::posix()->remove_file(p).ok()); }},
      {"emptied", [&](const std::string& p) { rewrite(p, [](std::string& c) { c.clear(); }); }},
      {"odd length",
       [&](const std::string& p) { rewrite(p, [](std::string& c) { c.pop_back(); }); }},
      {"garbage",
       [&](const std::string& p) {
         rewrite(p, [](std::string& c) {
           for (size_t i = 0; i < c.size(); i += 3) c[i] = static_cast<char>(0xA5 ^ i);
         });
       }},
      {"pointing past the end",
       [&](const std::string& p) {
         rewrite(p, [](std::string& c) {
           if (c.size() >= 8) c[c.size() - 4] = 0x7f;  // last offset-index position huge
         });
       }},
  };
  for (bool clean : {true, false}) {
    for (const Damage& damage : damages) {
      for (std::string_view kind : {kIndexSuffix, kTimeIndexSuffix}) {
        SCOPED_TRACE(std::string(damage.name) + " " + std::string(kind) +
                     (clean ? " clean" : " unclean"));
        // Damage a sealed segment's index and the active segment's.
        damage.apply(segment(segments[1].base_offset, kind));
        damage.apply(segment(segments.back().base_offset, kind));
        log = open(clean, clean ? 60 : segments[2].base_offset);
        ASSERT_NE(log, nullptr);
        expect_prefix(*log, 30);
        ASSERT_TRUE(log->close().ok());
      }
    }
  }
}

TEST_F(RecoveryTest, LeftoverFilesAreCleanedUp) {
  write_log(3);
  // A temp checkpoint, an orphan index, a half-deleted segment, uncommitted cleaner output.
  for (const std::string& name :
       {std::string("leader-epoch-checkpoint.tmp"), offset_file_prefix(500) + ".index",
        offset_file_prefix(600) + ".log.deleted", offset_file_prefix(0) + ".log.cleaned"}) {
    ASSERT_TRUE(Env::posix()->write_file_atomically(join_path(log_dir(), name), "x").ok());
  }
  auto log = open(true);
  ASSERT_NE(log, nullptr);
  expect_prefix(*log, 3);
  auto names = Env::posix()->list_dir(log_dir());
  ASSERT_TRUE(names.ok());
  std::sort(names->begin(), names->end());
  EXPECT_EQ(*names, (std::vector<std::string>{
                        offset_file_prefix(0) + ".index", offset_file_prefix(0) + ".log",
                        offset_file_prefix(0) + ".timeindex", "leader-epoch-checkpoint"}));
}

}  // namespace
}  // namespace keel::storage
