// PosixEnv's append file: reserving blocks ahead of appends (fallocate KEEP_SIZE) must never
// change what the file holds or how big it is, and the reserve must be given back on close.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "storage/env.h"
#include "storage_test_util.h"

namespace keel::storage {
namespace {

using testing::TempDir;

struct Usage {
  uint64_t size = 0;
  uint64_t allocated = 0;  // bytes of disk blocks, reserve included
};

Usage usage(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return {static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(st.st_blocks) * 512};
}

// Whether this file system reserves blocks past the end at all (ext4, xfs, btrfs do; tmpfs
// does not), so the reserve itself can be observed.
bool reserves_past_end(const std::string& probe) {
  const int fd = ::open(probe.c_str(), O_CREAT | O_WRONLY, 0644);
  const bool ok = fd >= 0 && ::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 1 << 20) == 0;
  if (fd >= 0) ::close(fd);
  ::unlink(probe.c_str());
  return ok;
}

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

TEST(PosixWritableFileTest, ReservesAheadWithoutChangingSizeAndReleasesOnClose) {
  TempDir dir;
  const std::string path = dir.file("00000000000000000000.log");
  const bool observable = reserves_past_end(dir.file("probe"));
  auto file = Env::posix()->open_writable(path);
  ASSERT_TRUE(file.ok()) << file.status();
  std::vector<uint8_t> expected;
  for (int i = 0; i < 16; ++i) {
    const auto chunk = pattern(64 << 10, static_cast<uint8_t>(i));
    ASSERT_TRUE((*file)->append(chunk).ok());
    expected.insert(expected.end(), chunk.begin(), chunk.end());
    EXPECT_EQ(usage(path).size, expected.size()) << "the reserve must not change the size";
  }
  if (observable) {
    EXPECT_GT(usage(path).allocated, expected.size()) << "no blocks reserved past the end";
  }
  ASSERT_TRUE((*file)->close().ok());
  const Usage after = usage(path);
  EXPECT_EQ(after.size, expected.size());
  EXPECT_LT(after.allocated, expected.size() + (64 << 10)) << "reserve kept after close";
  auto content = Env::posix()->read_file(path);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(std::vector<uint8_t>(content->begin(), content->end()), expected);
}

TEST(PosixWritableFileTest, ReserveIsReleasedWhenTheLastHandleGoes) {
  TempDir dir;
  const std::string path = dir.file("a.log");
  {
    auto file = Env::posix()->open_writable(path);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->append(pattern(300 << 10, 1)).ok());
  }  // destroyed without close(), as a segment's last flush ticket does
  EXPECT_EQ(usage(path).size, 300u << 10);
  EXPECT_LT(usage(path).allocated, (300u << 10) + (64 << 10));
}

TEST(PosixWritableFileTest, ReopenedFileDropsAReserveLeftByACrash) {
  TempDir dir;
  const std::string path = dir.file("b.log");
  ASSERT_TRUE(Env::posix()->write_file_atomically(path, std::string(8192, 'x')).ok());
  if (!reserves_past_end(dir.file("probe"))) GTEST_SKIP() << "no block reserves on this fs";
  {
    const int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 4 << 20), 0);
    ::close(fd);  // what a kill -9 leaves behind
  }
  ASSERT_GT(usage(path).allocated, 4u << 20);
  auto file = Env::posix()->open_writable(path);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->close().ok());
  EXPECT_EQ(usage(path).size, 8192u);
  EXPECT_LT(usage(path).allocated, 8192u + (64 << 10));
  EXPECT_EQ(*Env::posix()->read_file(path), std::string(8192, 'x'));
}

TEST(PosixWritableFileTest, TruncateThenAppendKeepsContentExact) {
  TempDir dir;
  const std::string path = dir.file("c.log");
  auto file = Env::posix()->open_writable(path);
  ASSERT_TRUE(file.ok());
  const auto first = pattern(200 << 10, 3);
  ASSERT_TRUE((*file)->append(first).ok());
  ASSERT_TRUE((*file)->truncate(1000).ok());
  EXPECT_EQ(usage(path).size, 1000u);
  const auto second = pattern(100 << 10, 9);
  ASSERT_TRUE((*file)->append(second).ok());
  ASSERT_TRUE((*file)->close().ok());
  std::vector<uint8_t> expected(first.begin(), first.begin() + 1000);
  expected.insert(expected.end(), second.begin(), second.end());
  auto content = Env::posix()->read_file(path);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(std::vector<uint8_t>(content->begin(), content->end()), expected);
}

}  // namespace
}  // namespace keel::storage
