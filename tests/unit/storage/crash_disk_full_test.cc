// Disk faults under the Log: a full disk (ENOSPC on every write), torn writes in the middle of
// a batch, failing fsyncs, failing reads during recovery, and a real full tmpfs where the
// environment allows mounting one. The log must refuse appends with KAFKA_STORAGE_ERROR, keep
// serving reads, never corrupt anything, resume when space returns, and never claim durable
// what a failed sync did not make durable.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "protocol/error_code.h"
#include "storage/file_names.h"
#include "tests/unit/storage/crash_test_util.h"

namespace keel::storage {
namespace {

using crash_testing::LogHarness;
using crash_testing::small_config;
using protocol::ErrorCode;

void expect_storage_error(const absl::Status& s, absl::StatusCode code) {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_EQ(protocol::kafka_error_of(s), ErrorCode::kKafkaStorageError) << s;
}

void append_some(LogHarness& h, int n) {
  for (int i = 0; i < n; ++i) ASSERT_TRUE(h.append_random().ok());
}

TEST(CrashDiskFullTest, FullDiskRejectsAppendsKeepsReadsAndResumes) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    LogHarness h(seed, small_config());
    ASSERT_TRUE(h.open().ok());
    append_some(h, 20);
    ASSERT_TRUE(h.flush().ok());
    append_some(h, 3);  // some unflushed data too
    const int64_t end = h.log()->log_end_offset();
    const uint64_t size = h.log()->size_bytes();

    h.env().fail_writes_with(ENOSPC);
    for (int i = 0; i < 30; ++i) {  // enough to want several segment rolls
      expect_storage_error(h.append_random(), absl::StatusCode::kResourceExhausted);
    }
    EXPECT_EQ(h.log()->log_end_offset(), end);
    EXPECT_EQ(h.log()->size_bytes(), size);
    ASSERT_EQ(crash_testing::check_reads(*h.log(), h.model()), "");
    (void)h.flush();  // may fail or not; must not break anything

    h.env().fail_writes_with(0);  // space returns
    append_some(h, 10);
    ASSERT_TRUE(h.flush().ok());
    ASSERT_EQ(crash_testing::check_reads(*h.log(), h.model()), "");
    ASSERT_TRUE(h.close().ok());
    ASSERT_TRUE(h.open(true, crash_testing::end_of(h.model())).ok());
    ASSERT_EQ(h.check(), "");
    ASSERT_TRUE(h.crash(h.random_crash_options()).ok());
    ASSERT_TRUE(h.open().ok());
    ASSERT_EQ(h.check(), "");
  }
}

// A write that stops part-way through a batch (ENOSPC or EIO after n bytes): the append fails,
// the segment is cut back to its previous size, and everything keeps working.
TEST(CrashDiskFullTest, TornWriteInTheMiddleOfABatchIsCutBack) {
  LogHarness h(3, small_config());
  ASSERT_TRUE(h.open().ok());
  append_some(h, 10);
  ASSERT_TRUE(h.flush().ok());
  std::mt19937_64 rng(9);
  for (int round = 0; round < 60; ++round) {
    const protocol::Bytes batch = h.next_random_batch();
    const uint64_t cut = rng() % batch.size();
    const int err = round % 2 == 0 ? ENOSPC : EIO;
    SCOPED_TRACE("round " + std::to_string(round) + ": " + std::to_string(cut) + " of " +
                 std::to_string(batch.size()) + " bytes, errno " + std::to_string(err));
    const std::vector<SegmentInfo> before = h.log()->segments();
    const int64_t end = h.log()->log_end_offset();
    h.env().fail_after_bytes(cut, err);
    expect_storage_error(h.append(batch), err == ENOSPC ? absl::StatusCode::kResourceExhausted
                                                        : absl::StatusCode::kUnavailable);
    h.env().clear_faults();
    EXPECT_EQ(h.log()->log_end_offset(), end);
    const std::vector<SegmentInfo> after = h.log()->segments();
    ASSERT_FALSE(after.empty());
    // The segment written to is back to its size (a roll may have left a new empty one).
    for (const SegmentInfo& segment : after) {
      auto on_disk = Env::posix()->file_size(segment.log_path);
      ASSERT_TRUE(on_disk.ok());
      EXPECT_EQ(*on_disk, segment.size_bytes) << segment.log_path;
    }
    EXPECT_EQ(after.back().size_bytes == 0 ? before.back().size_bytes : after.back().size_bytes,
              before.back().size_bytes);
    ASSERT_EQ(crash_testing::check_reads(*h.log(), h.model()), "");
    if (round % 3 == 0) {
      ASSERT_TRUE(h.append_random().ok());
      if (round % 4 == 0) {
        ASSERT_TRUE(h.flush().ok());
      }
    }
    if (round % 10 == 9) {
      ASSERT_TRUE(h.crash(h.random_crash_options()).ok());
      ASSERT_TRUE(h.open().ok());
      ASSERT_EQ(h.check(), "");
    }
  }
  ASSERT_TRUE(h.close().ok());
  ASSERT_TRUE(h.open(true, crash_testing::end_of(h.model())).ok());
  ASSERT_EQ(h.check(), "");
}

// EIO from fdatasync surfaces from flush() and the durable offset does not advance; a crash
// then keeps at least what was durable before.
TEST(CrashDiskFullTest, FailedSyncDoesNotAdvanceTheDurableOffset) {
  for (int target = 0; target < 3; ++target) {
    SCOPED_TRACE(target == 0 ? "segment syncs" : target == 1 ? "index syncs" : "directory syncs");
    LogHarness h(40 + target, small_config());
    ASSERT_TRUE(h.open().ok());
    append_some(h, 10);
    auto durable = h.flush();
    ASSERT_TRUE(durable.ok());
    append_some(h, 12);  // rolls: a new segment name to make durable too
    FaultEnv::PathFilter filter;
    const std::string dir = h.dir();
    if (target == 0) filter = FaultEnv::paths_containing(std::string(kLogSuffix));
    if (target == 1) filter = FaultEnv::paths_containing(std::string(kIndexSuffix));
    if (target == 2) filter = [dir](const std::string& p) { return p == dir; };
    h.env().fail_syncs_with(EIO, filter);
    auto failed = h.flush();
    ASSERT_FALSE(failed.ok());
    expect_storage_error(failed.status(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(h.log()->durable_offset(), *durable);
    h.env().clear_faults();
    ASSERT_TRUE(h.crash().ok());
    ASSERT_TRUE(h.open().ok());
    ASSERT_EQ(h.check(), "");
    EXPECT_GE(h.log()->log_end_offset(), *durable);
    // After the fault clears, flush works and makes everything durable.
    append_some(h, 3);
    auto later = h.flush();
    ASSERT_TRUE(later.ok()) << later.status();
    EXPECT_EQ(*later, crash_testing::end_of(h.model()));
    ASSERT_TRUE(h.crash().ok());
    ASSERT_TRUE(h.open().ok());
    ASSERT_EQ(h.check(), "");
    EXPECT_EQ(h.log()->log_end_offset(), *later);
  }
}

// EIO while recovery reads a segment must fail the open, never truncate durable data.
TEST(CrashDiskFullTest, ReadErrorsDuringRecoveryDoNotTruncate) {
  LogHarness h(5, small_config());
  ASSERT_TRUE(h.open().ok());
  append_some(h, 30);
  ASSERT_TRUE(h.close().ok());
  const int64_t end = crash_testing::end_of(h.model());
  for (int attempt = 0; attempt < 2; ++attempt) {
    h.env().fail_reads_with(EIO, FaultEnv::paths_containing(std::string(kLogSuffix)));
    absl::Status opened = h.open(false, attempt == 0 ? -1 : 0);
    if (opened.ok()) {
      EXPECT_EQ(h.log()->log_end_offset(), end) << "recovery truncated on a read error";
      // Reads fail cleanly meanwhile.
      auto slice = h.log()->read(0, 1 << 20, end, true);
      if (slice.ok()) {
        auto bytes = read_slice(*slice);
        if (!bytes.ok()) expect_storage_error(bytes.status(), absl::StatusCode::kUnavailable);
      } else {
        expect_storage_error(slice.status(), absl::StatusCode::kUnavailable);
      }
      h.drop();
    } else {
      expect_storage_error(opened, absl::StatusCode::kUnavailable);
    }
    h.env().clear_faults();
    ASSERT_TRUE(h.open(false, -1).ok());
    EXPECT_EQ(h.log()->log_end_offset(), end);
    ASSERT_EQ(h.check(), "");
    h.drop();
  }
}

// A real full file system: a 512 KiB tmpfs (needs root and mount(2); skipped otherwise).
class CrashRealDiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = crash_testing::make_temp_dir("keel_tmpfs");
    if (::mount("tmpfs", root_.c_str(), "tmpfs", 0, "size=512k") != 0) {
      const int err = errno;
      (void)Env::posix()->remove_dir(root_);
      root_.clear();
      GTEST_SKIP() << "cannot mount a tmpfs: " << std::strerror(err);
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) ::umount2(root_.c_str(), MNT_DETACH);
    if (!root_.empty()) (void)Env::posix()->remove_dir(root_);
  }
  std::string root_;
  bool mounted_ = false;
};

TEST_F(CrashRealDiskFullTest, AppendsFailWithResourceExhaustedAndResume) {
  Env* env = Env::posix();
  ManualClock clock;
  const std::string dir = join_path(root_, "topic-0");
  ASSERT_TRUE(env->create_dir(dir).ok());
  LogConfig config = small_config();
  config.segment_bytes = 64 * 1024;
  auto log = Log::open(env, &clock, dir, config, RecoveryOptions{});
  ASSERT_TRUE(log.ok()) << log.status();
  std::mt19937_64 rng(1);
  int64_t ts = 1'700'000'000'000;
  std::vector<crash_testing::ModelBatch> model;
  // Leave ~96 KiB free by a filler file, then append until the disk is full.
  const std::string filler = join_path(root_, "filler");
  ASSERT_TRUE(env->write_file_atomically(filler, std::string(400 * 1024, 'f')).ok());
  absl::Status failure;
  for (int i = 0; i < 2000 && failure.ok(); ++i) {
    const protocol::Bytes batch = crash_testing::random_batch(rng, ts, 6, 1000);
    auto result = (*log)->append(protocol::RecordsView(batch.data(), batch.size()), 1);
    if (!result.ok()) {
      failure = result.status();
      break;
    }
    model.push_back(crash_testing::stamped(batch, result->base_offset, 1));
  }
  ASSERT_FALSE(failure.ok()) << "the tmpfs never filled up";
  expect_storage_error(failure, absl::StatusCode::kResourceExhausted);
  ASSERT_FALSE(model.empty());
  const int64_t end = (*log)->log_end_offset();
  EXPECT_EQ(end, crash_testing::end_of(model));
  ASSERT_EQ(crash_testing::check_reads(**log, model), "");
  // Space returns.
  ASSERT_TRUE(env->remove_file(filler).ok());
  for (int i = 0; i < 5; ++i) {
    const protocol::Bytes batch = crash_testing::random_batch(rng, ts, 6, 1000);
    auto result = (*log)->append(protocol::RecordsView(batch.data(), batch.size()), 1);
    ASSERT_TRUE(result.ok()) << result.status();
    model.push_back(crash_testing::stamped(batch, result->base_offset, 1));
  }
  ASSERT_TRUE((*log)->close().ok());
  log->reset();
  auto reopened = Log::open(env, &clock, dir, config, RecoveryOptions{});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->log_end_offset(), crash_testing::end_of(model));
  ASSERT_EQ(crash_testing::check_log(**reopened, model, crash_testing::end_of(model)), "");
}

}  // namespace
}  // namespace keel::storage
