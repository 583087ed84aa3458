// A real full disk: the log on a 1 MiB tmpfs (needs root; skipped otherwise). Appends fail with
// KAFKA_STORAGE_ERROR (disk full), nothing is half-written, reads keep working, and appends
// resume once space is freed; a reopen sees exactly the acknowledged batches.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

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

class TmpfsDiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
    if (::mount("tmpfs", mount_.path().c_str(), "tmpfs", 0, "size=1m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) ::umount2(mount_.path().c_str(), MNT_DETACH);
  }

  TempDir mount_{"keel_tmpfs"};
  bool mounted_ = false;
};

TEST_F(TmpfsDiskFullTest, AppendsFailCleanlyAndResumeWhenSpaceReturns) {
  // Ballast to free later.
  const std::string ballast = join_path(mount_.path(), "ballast");
  ASSERT_TRUE(Env::posix()->write_file_atomically(ballast, std::string(200 * 1024, 'b')).ok());
  ManualClock clock;
  LogConfig config;
  config.segment_bytes = 128 * 1024;  // several rolls before the disk fills
  config.segment_index_bytes = 16 * 1024;
  config.index_interval_bytes = 1024;
  RecoveryOptions fresh;
  fresh.clean_shutdown = true;
  auto opened = Log::open(Env::posix(), &clock, join_path(mount_.path(), "t-0"), config, fresh);
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<Log> log = std::move(*opened);

  std::vector<Bytes> acked;
  absl::Status failure;
  for (int i = 0; i < 1000 && failure.ok(); ++i) {
    Bytes batch = simple_batch(4, clock.now_ms() + i, 2000 + i % 700);
    auto r = log->append(records_of(batch), 1);
    if (r.ok()) {
      acked.push_back(std::move(batch));
    } else {
      failure = r.status();
    }
  }
  ASSERT_FALSE(failure.ok()) << "the disk never filled";
  EXPECT_EQ(testing::code_of(failure), protocol::ErrorCode::kKafkaStorageError) << failure;
  EXPECT_EQ(failure.code(), absl::StatusCode::kResourceExhausted) << failure;
  const int64_t end = log->log_end_offset();
  EXPECT_EQ(end, static_cast<int64_t>(acked.size()) * 4);
  // Still full: more failures, nothing changes.
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(log->append(records_of(simple_batch(4, clock.now_ms(), 3000)), 1).ok());
  }
  EXPECT_EQ(log->log_end_offset(), end);
  // Reads keep working and return exactly what was acknowledged.
  for (size_t i = 0; i < acked.size(); ++i) {
    Bytes got =
        read_bytes(*log, static_cast<int64_t>(i) * 4, static_cast<int32_t>(acked[i].size()));
    ASSERT_EQ(base_offsets(got), std::vector<int64_t>{static_cast<int64_t>(i) * 4});
    ASSERT_EQ(got.size(), acked[i].size());
    ASSERT_TRUE(protocol::validate_batch(got).ok());
  }
  uint64_t on_disk = 0;
  for (const SegmentInfo& s : log->segments()) {
    auto size = Env::posix()->file_size(s.log_path);
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size, s.size_bytes) << "no partial batch left in " << s.log_path;
    on_disk += *size;
  }
  uint64_t expected = 0;
  for (const Bytes& b : acked) expected += b.size();
  EXPECT_EQ(on_disk, expected);

  // Space returns: appends succeed again, right after the acknowledged ones.
  ASSERT_TRUE(Env::posix()->remove_file(ballast).ok());
  for (int i = 0; i < 5; ++i) {
    Bytes batch = simple_batch(4, clock.now_ms(), 2000);
    auto r = log->append(records_of(batch), 1);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->base_offset, static_cast<int64_t>(acked.size()) * 4);
    acked.push_back(std::move(batch));
  }
  ASSERT_TRUE(log->flush().ok());
  ASSERT_TRUE(log->close().ok());
  for (bool clean : {true, false}) {
    RecoveryOptions options;
    options.clean_shutdown = clean;
    auto reopened =
        Log::open(Env::posix(), &clock, join_path(mount_.path(), "t-0"), config, options);
    ASSERT_TRUE(reopened.ok()) << reopened.status();
    EXPECT_EQ((*reopened)->log_end_offset(), static_cast<int64_t>(acked.size()) * 4);
    EXPECT_EQ((*reopened)->report().bytes_truncated, 0);
    ASSERT_TRUE((*reopened)->close().ok());
  }
}

}  // namespace
}  // namespace keel::storage
