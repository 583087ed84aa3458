// MemEnv: the in-memory Env the Raft simulation runs its disks on.
#include "storage/mem_env.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "storage/fault_env.h"
#include "storage/log.h"

namespace keel::storage {
namespace {

std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(MemEnv, FilesDirectoriesAndRenames) {
  MemEnv env;
  EXPECT_FALSE(env.open_writable("/d/f").ok()) << "the directory must exist";
  ASSERT_TRUE(env.create_dir("/d/e").ok());
  auto w = env.open_writable("/d/f");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->append(bytes("hello ")).ok());
  std::span<const uint8_t> parts[] = {bytes("wor"), bytes("ld")};
  ASSERT_TRUE((*w)->append_vectored(parts).ok());
  EXPECT_EQ((*w)->size(), 11u);
  auto r = env.open_readable("/d/f");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*env.read_file("/d/f"), "hello world");
  ASSERT_TRUE((*w)->truncate(5).ok());
  EXPECT_EQ(*env.read_file("/d/f"), "hello");

  auto names = env.list_dir("/d");
  ASSERT_TRUE(names.ok());
  std::sort(names->begin(), names->end());
  EXPECT_EQ(*names, (std::vector<std::string>{"e", "f"}));

  ASSERT_TRUE(env.write_file_atomically("/d/g", "new").ok());
  ASSERT_TRUE(env.rename("/d/g", "/d/f").ok());
  EXPECT_EQ(*env.read_file("/d/f"), "new");
  // A handle opened before the rename still reads the replaced file, as on POSIX.
  uint8_t buf[5];
  EXPECT_EQ(*(*r)->read(0, buf), 5u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 5), "hello");

  ASSERT_TRUE(env.rename("/d", "/x").ok());
  EXPECT_TRUE(env.exists("/x/e"));
  EXPECT_EQ(*env.read_file("/x/f"), "new");
  ASSERT_TRUE(env.remove_dir("/x").ok());
  EXPECT_FALSE(env.exists("/x/f"));
  EXPECT_EQ(env.file_size("/x/f").status().code(), absl::StatusCode::kNotFound);
}

TEST(MemEnv, MappedFilesAreTheFileBytes) {
  MemEnv env;
  ASSERT_TRUE(env.create_dir("/m").ok());
  auto m = env.open_mapped("/m/i", 8);
  ASSERT_TRUE(m.ok());
  (*m)->data()[3] = 7;
  EXPECT_EQ(*env.file_size("/m/i"), 8u);
  EXPECT_EQ((*env.read_file("/m/i"))[3], 7);
  ASSERT_TRUE((*m)->resize(16).ok());
  EXPECT_EQ((*m)->data().size(), 16u);
}

TEST(MemEnv, CarriesALogThroughACrash) {
  MemEnv mem;
  FaultEnv env(&mem, 3);
  ManualClock clock;
  ASSERT_TRUE(env.create_dir("/log").ok());
  ASSERT_TRUE(env.sync_dir("/").ok());
  LogConfig config;
  config.segment_index_bytes = 1024;
  auto log = Log::open(&env, &clock, "/log", config, RecoveryOptions{});
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ((*log)->log_end_offset(), 0);
  env.freeze();
  log->reset();
  ASSERT_TRUE(env.crash().ok());
  auto again = Log::open(&env, &clock, "/log", config, RecoveryOptions{});
  ASSERT_TRUE(again.ok()) << again.status();
}

}  // namespace
}  // namespace keel::storage
