// FaultEnv itself: the power-loss model (file data, names, directories, mapped files), the
// injected errors and their Status shape, freezing, determinism and counters.
#include "storage/fault_env.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cerrno>
#include <string>
#include <vector>

#include "protocol/error_code.h"
#include "storage/io_error.h"

namespace keel::storage {
namespace {

using protocol::ErrorCode;
using CrashOptions = FaultEnv::CrashOptions;

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class FaultEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/keel_fault_env_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { (void)Env::posix()->remove_dir(root_); }

  std::string path(const std::string& name) const { return join_path(root_, name); }

  // Creates `name` with `contents`, synced, its name made durable.
  void write_durable(const std::string& name, const std::string& contents) {
    auto file = env_.open_writable(path(name));
    ASSERT_TRUE(file.ok()) << file.status();
    ASSERT_TRUE((*file)->append(bytes(contents)).ok());
    ASSERT_TRUE((*file)->sync().ok());
    ASSERT_TRUE((*file)->close().ok());
    ASSERT_TRUE(env_.sync_dir(root_).ok());
  }

  std::string contents(const std::string& name) {
    auto s = Env::posix()->read_file(path(name));
    return s.ok() ? *s : "<missing>";
  }

  std::string root_;
  FaultEnv env_{Env::posix(), 42};
};

TEST_F(FaultEnvTest, CrashDropsUnsyncedAppends) {
  write_durable("a", "durable");
  auto file = env_.open_writable(path("a"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->append(bytes("+lost")).ok());
  EXPECT_EQ(contents("a"), "durable+lost");
  EXPECT_EQ(env_.synced_size(path("a")), 7u);
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("a"), "durable");
  // The old handle is dead; a new one works.
  EXPECT_FALSE((*file)->append(bytes("x")).ok());
  EXPECT_EQ(contents("a"), "durable");
  auto again = env_.open_writable(path("a"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->append(bytes("!")).ok());
  EXPECT_EQ(contents("a"), "durable!");
}

TEST_F(FaultEnvTest, SyncCoversAppendsOfEveryHandle) {
  write_durable("a", "");
  auto w1 = env_.open_writable(path("a"));
  auto w2 = env_.open_writable(path("a"));
  ASSERT_TRUE(w1.ok() && w2.ok());
  ASSERT_TRUE((*w1)->append(bytes("one")).ok());
  ASSERT_TRUE((*w2)->append(bytes("two")).ok());
  ASSERT_TRUE((*w1)->sync().ok());
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("a"), "onetwo");
}

TEST_F(FaultEnvTest, UntouchedFilesSurviveAsTheyAre) {
  auto raw = Env::posix()->open_writable(path("raw"));
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE((*raw)->append(bytes("not through FaultEnv")).ok());
  ASSERT_TRUE((*raw)->close().ok());
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("raw"), "not through FaultEnv");
  // First touch adopts it as durable.
  auto file = env_.open_writable(path("raw"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->append(bytes("?")).ok());
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("raw"), "not through FaultEnv");
}

TEST_F(FaultEnvTest, CreationNeedsDirSync) {
  auto file = env_.open_writable(path("new"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->append(bytes("data")).ok());
  ASSERT_TRUE((*file)->sync().ok());
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_FALSE(Env::posix()->exists(path("new")));

  file = env_.open_writable(path("new"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->append(bytes("data")).ok());
  ASSERT_TRUE(env_.sync_dir(root_).ok());  // name durable, content not
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("new"), "");
}

TEST_F(FaultEnvTest, KeepUnsyncedMetadataKeepsNamesButNotData) {
  auto file = env_.open_writable(path("new"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->append(bytes("synced")).ok());
  ASSERT_TRUE((*file)->sync().ok());
  ASSERT_TRUE((*file)->append(bytes("-not")).ok());
  CrashOptions options;
  options.keep_unsynced_metadata = true;
  ASSERT_TRUE(env_.crash(options).ok());
  EXPECT_EQ(contents("new"), "synced");
}

TEST_F(FaultEnvTest, RenameAndRemoveNeedDirSync) {
  write_durable("a", "AAA");
  write_durable("b", "BBB");
  ASSERT_TRUE(env_.rename(path("a"), path("c")).ok());
  ASSERT_TRUE(env_.remove_file(path("b")).ok());
  EXPECT_FALSE(Env::posix()->exists(path("b")));
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("a"), "AAA");
  EXPECT_EQ(contents("b"), "BBB");
  EXPECT_FALSE(Env::posix()->exists(path("c")));

  ASSERT_TRUE(env_.rename(path("a"), path("c")).ok());
  ASSERT_TRUE(env_.remove_file(path("b")).ok());
  ASSERT_TRUE(env_.sync_dir(root_).ok());
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_FALSE(Env::posix()->exists(path("a")));
  EXPECT_FALSE(Env::posix()->exists(path("b")));
  EXPECT_EQ(contents("c"), "AAA");
}

TEST_F(FaultEnvTest, RenameOverDurableFileRestoresIt) {
  write_durable("target", "old");
  auto file = env_.open_writable(path("tmp"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->append(bytes("new")).ok());
  ASSERT_TRUE((*file)->sync().ok());
  ASSERT_TRUE(env_.rename(path("tmp"), path("target")).ok());
  EXPECT_EQ(contents("target"), "new");
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("target"), "old");
  EXPECT_FALSE(Env::posix()->exists(path("tmp")));
}

// write_file_atomically leaves the old or the new contents whichever step fails or crashes.
TEST_F(FaultEnvTest, WriteFileAtomicallyIsOldOrNew) {
  const std::string target = path("checkpoint");
  for (int step = 0; step < 6; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    ASSERT_TRUE(env_.write_file_atomically(target, "old").ok());
    switch (step) {
      case 0:
        env_.fail_writes_with(ENOSPC);
        break;
      case 1:
        env_.fail_after_bytes(1, EIO);
        break;
      case 2:
        env_.fail_syncs_with(EIO, FaultEnv::paths_containing(".tmp"));
        break;
      case 3:
        env_.fail_syncs_with(EIO, [this](const std::string& p) { return p == root_; });
        break;
      default:
        break;
    }
    absl::Status s = env_.write_file_atomically(target, "new");
    EXPECT_EQ(s.ok(), step >= 4) << s;
    env_.clear_faults();
    CrashOptions options;
    options.keep_unsynced_metadata = step == 5;
    ASSERT_TRUE(env_.crash(options).ok());
    const std::string got = contents("checkpoint");
    EXPECT_TRUE(got == "old" || got == "new") << got;
    if (step >= 4) {
      EXPECT_EQ(got, "new");
    }
  }
}

TEST_F(FaultEnvTest, TruncationIsDurableOnlyAfterSync) {
  write_durable("a", "0123456789");
  ASSERT_TRUE(env_.truncate_file(path("a"), 4).ok());
  EXPECT_EQ(contents("a"), "0123");
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("a"), "0123456789");

  auto file = env_.open_writable(path("a"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->truncate(4).ok());
  ASSERT_TRUE((*file)->append(bytes("xy")).ok());
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("a"), "0123456789");

  file = env_.open_writable(path("a"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->truncate(4).ok());
  ASSERT_TRUE((*file)->append(bytes("xy")).ok());
  ASSERT_TRUE((*file)->sync().ok());
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("a"), "0123xy");
}

TEST_F(FaultEnvTest, TornTailKeepsAPrefixOfTheUnsyncedBytes) {
  const std::string tail = "abcdefghijklmnopqrstuvwxyz";
  std::vector<size_t> sizes;
  for (int round = 0; round < 40; ++round) {
    write_durable("a", "synced|");
    auto file = env_.open_writable(path("a"));
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->append(bytes(tail)).ok());
    CrashOptions options;
    options.tail = CrashOptions::Tail::kTorn;
    ASSERT_TRUE(env_.crash(options).ok());
    const std::string got = contents("a");
    ASSERT_GE(got.size(), 7u);
    ASSERT_EQ(got, ("synced|" + tail).substr(0, got.size()));
    sizes.push_back(got.size());
    ASSERT_TRUE(env_.remove_file(path("a")).ok());
  }
  std::sort(sizes.begin(), sizes.end());
  EXPECT_LT(sizes.front(), sizes.back());  // the cut point varies
}

TEST_F(FaultEnvTest, CorruptTailFlipsOnlyUnsyncedBytes) {
  const std::string tail(100, 'x');
  int corrupted = 0;
  for (int round = 0; round < 40; ++round) {
    write_durable("a", "synced|");
    auto file = env_.open_writable(path("a"));
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->append(bytes(tail)).ok());
    CrashOptions options;
    options.tail = CrashOptions::Tail::kCorrupt;
    ASSERT_TRUE(env_.crash(options).ok());
    const std::string got = contents("a");
    ASSERT_GE(got.size(), 7u);
    ASSERT_EQ(got.substr(0, 7), "synced|");
    int diffs = 0;
    for (size_t i = 7; i < got.size(); ++i) diffs += got[i] != 'x';
    EXPECT_LE(diffs, 3);
    corrupted += diffs > 0;
    ASSERT_TRUE(env_.remove_file(path("a")).ok());
  }
  EXPECT_GT(corrupted, 0);
}

TEST_F(FaultEnvTest, MappedFileRevertsToLastSync) {
  write_durable("idx", "");
  auto mapped = env_.open_mapped(path("idx"), 8192);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  auto data = (*mapped)->data();
  data[0] = 1;
  data[5000] = 2;
  ASSERT_TRUE((*mapped)->sync().ok());
  data[1] = 3;
  data[5001] = 4;
  env_.freeze();
  mapped->reset();
  ASSERT_TRUE(env_.crash().ok());
  const std::string got = contents("idx");
  ASSERT_EQ(got.size(), 8192u);
  EXPECT_EQ(got[0], 1);
  EXPECT_EQ(got[5000], 2);
  EXPECT_EQ(got[1], 0);
  EXPECT_EQ(got[5001], 0);
}

TEST_F(FaultEnvTest, MappedFileNeverSyncedIsEmptyAfterCrash) {
  write_durable("keep", "");
  auto mapped = env_.open_mapped(path("idx"), 4096);
  ASSERT_TRUE(mapped.ok());
  (*mapped)->data()[0] = 9;
  ASSERT_TRUE(env_.sync_dir(root_).ok());
  env_.freeze();
  mapped->reset();
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("idx"), "");
}

TEST_F(FaultEnvTest, MappedPagesMixOldAndNew) {
  write_durable("idx", "");
  bool saw_old = false;
  bool saw_new = false;
  for (int round = 0; round < 10; ++round) {
    auto mapped = env_.open_mapped(path("idx"), 4 * 4096);
    ASSERT_TRUE(mapped.ok());
    auto data = (*mapped)->data();
    for (int page = 0; page < 4; ++page) data[page * 4096] = 1;
    ASSERT_TRUE((*mapped)->sync().ok());
    for (int page = 0; page < 4; ++page) data[page * 4096] = 2;
    env_.freeze();
    mapped->reset();
    CrashOptions options;
    options.mix_mapped_pages = true;
    ASSERT_TRUE(env_.crash(options).ok());
    const std::string got = contents("idx");
    ASSERT_EQ(got.size(), 4u * 4096);
    for (int page = 0; page < 4; ++page) {
      const char c = got[page * 4096];
      ASSERT_TRUE(c == 1 || c == 2);
      saw_old |= c == 1;
      saw_new |= c == 2;
    }
  }
  EXPECT_TRUE(saw_old);
  EXPECT_TRUE(saw_new);
}

TEST_F(FaultEnvTest, DirectoriesNeedTheirParentSynced) {
  const std::string dir = path("topic-0");
  ASSERT_TRUE(env_.create_dir(dir).ok());
  auto file = env_.open_writable(join_path(dir, "seg"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->append(bytes("data")).ok());
  ASSERT_TRUE((*file)->sync().ok());
  ASSERT_TRUE(env_.sync_dir(dir).ok());
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_FALSE(Env::posix()->exists(dir));

  ASSERT_TRUE(env_.create_dir(dir).ok());
  file = env_.open_writable(join_path(dir, "seg"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->append(bytes("data")).ok());
  ASSERT_TRUE((*file)->sync().ok());
  ASSERT_TRUE(env_.sync_dir(dir).ok());
  ASSERT_TRUE(env_.sync_dir(root_).ok());
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("topic-0/seg"), "data");

  // An unsynced removal of the directory is undone, a synced one is not.
  ASSERT_TRUE(env_.remove_dir(dir).ok());
  EXPECT_FALSE(Env::posix()->exists(dir));
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("topic-0/seg"), "data");
  ASSERT_TRUE(env_.remove_dir(dir).ok());
  ASSERT_TRUE(env_.sync_dir(root_).ok());
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_FALSE(Env::posix()->exists(dir));
}

TEST_F(FaultEnvTest, DirectoryRenameNeedsParentSync) {
  const std::string dir = path("topic-0");
  ASSERT_TRUE(env_.create_dir(dir).ok());
  ASSERT_TRUE(env_.sync_dir(root_).ok());
  write_durable("topic-0/seg", "data");
  ASSERT_TRUE(env_.sync_dir(dir).ok());
  ASSERT_TRUE(env_.rename(dir, path("topic-0.x-delete")).ok());
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("topic-0/seg"), "data");
  EXPECT_FALSE(Env::posix()->exists(path("topic-0.x-delete")));

  ASSERT_TRUE(env_.rename(dir, path("topic-0.x-delete")).ok());
  ASSERT_TRUE(env_.sync_dir(root_).ok());
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_FALSE(Env::posix()->exists(dir));
  EXPECT_EQ(contents("topic-0.x-delete/seg"), "data");
}

// ---- injected errors ---------------------------------------------------------------------

// The injected Status has exactly the shape of a real one (storage/io_error.h).
void expect_storage_error(const absl::Status& s, absl::StatusCode code) {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_EQ(protocol::kafka_error_of(s), ErrorCode::kKafkaStorageError) << s;
}

TEST_F(FaultEnvTest, DiskFullFailsAppendsWithoutWritingUntilSpaceReturns) {
  write_durable("a", "abc");
  auto file = env_.open_writable(path("a"));
  ASSERT_TRUE(file.ok());
  env_.fail_writes_with(ENOSPC);
  expect_storage_error((*file)->append(bytes("def")), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(contents("a"), "abc");
  EXPECT_EQ((*file)->size(), 3u);
  expect_storage_error(env_.write_file_atomically(path("b"), "x"),
                       absl::StatusCode::kResourceExhausted);
  // Reads keep working.
  auto read = env_.read_file(path("a"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "abc");
  env_.fail_writes_with(0);
  EXPECT_TRUE((*file)->append(bytes("def")).ok());
  EXPECT_EQ(contents("a"), "abcdef");
  EXPECT_EQ(env_.stats().injected_errors, 2u);
}

TEST_F(FaultEnvTest, FailAfterBytesTearsTheCrossingWrite) {
  auto file = env_.open_writable(path("a"));
  ASSERT_TRUE(file.ok());
  env_.fail_after_bytes(25, EIO);
  EXPECT_TRUE((*file)->append(bytes("0123456789")).ok());
  const std::string first = "abcde", second = "fghij";  // the spans must outlive the call
  std::span<const uint8_t> parts[2] = {bytes(first), bytes(second)};
  EXPECT_TRUE((*file)->append_vectored(parts).ok());
  expect_storage_error((*file)->append(bytes("KLMNOPQRST")), absl::StatusCode::kUnavailable);
  EXPECT_EQ(contents("a"), "0123456789abcdefghijKLMNO");
  EXPECT_EQ((*file)->size(), 25u);
  expect_storage_error((*file)->append(bytes("z")), absl::StatusCode::kUnavailable);
  EXPECT_EQ(contents("a"), "0123456789abcdefghijKLMNO");
  env_.clear_faults();
  EXPECT_TRUE((*file)->append(bytes("z")).ok());
  EXPECT_EQ(env_.stats().bytes_written, 26u);
}

TEST_F(FaultEnvTest, FailedSyncMakesNothingDurable) {
  write_durable("a", "abc");
  auto file = env_.open_writable(path("a"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->append(bytes("def")).ok());
  env_.fail_syncs_with(EIO);
  expect_storage_error((*file)->sync(), absl::StatusCode::kUnavailable);
  expect_storage_error(env_.sync_dir(root_), absl::StatusCode::kUnavailable);
  EXPECT_EQ(env_.synced_size(path("a")), 3u);
  env_.clear_faults();
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_EQ(contents("a"), "abc");
}

TEST_F(FaultEnvTest, ReadFaultsHitOnlyChosenPaths) {
  write_durable("x.index", "index");
  write_durable("x.log", "log");
  env_.fail_reads_with(EIO, FaultEnv::paths_containing(".index"));
  auto bad = env_.read_file(path("x.index"));
  ASSERT_FALSE(bad.ok());
  expect_storage_error(bad.status(), absl::StatusCode::kUnavailable);
  auto good = env_.read_file(path("x.log"));
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, "log");
}

TEST_F(FaultEnvTest, InjectedErrorsMatchIoError) {
  for (int err : {ENOSPC, EIO}) {
    absl::Status real = io_error("write", path("a"), err);
    env_.fail_writes_with(err);
    auto file = env_.open_writable(path("a"));
    ASSERT_TRUE(file.ok());
    absl::Status injected = (*file)->append(bytes("x"));
    EXPECT_EQ(injected, real);
  }
}

// The same seed and the same operations give the same faults.
std::vector<int> random_outcomes(const std::string& file_path, uint64_t seed) {
  FaultEnv env(Env::posix(), seed);
  FaultEnv::RandomFaults faults;
  faults.write_error = 0.2;
  faults.torn_write = 0.2;
  faults.sync_error = 0.3;
  faults.write_errno = ENOSPC;
  env.set_random_faults(faults);
  std::vector<int> outcomes;
  auto file = env.open_writable(file_path);
  if (!file.ok()) return outcomes;
  for (int i = 0; i < 60; ++i) {
    absl::Status s = i % 3 == 2 ? (*file)->sync() : (*file)->append(bytes("0123456789"));
    outcomes.push_back(static_cast<int>(s.code()));
    outcomes.push_back(static_cast<int>((*file)->size()));
  }
  (void)env.remove_file(file_path);
  return outcomes;
}

TEST_F(FaultEnvTest, RandomFaultsAreDeterministicPerSeed) {
  const std::vector<int> a = random_outcomes(path("r"), 7);
  const std::vector<int> b = random_outcomes(path("r"), 7);
  const std::vector<int> c = random_outcomes(path("r"), 8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  int errors = 0;
  for (size_t i = 0; i < a.size(); i += 2) errors += a[i] != 0;
  EXPECT_GT(errors, 5);
  EXPECT_LT(errors, 50);
}

TEST_F(FaultEnvTest, FrozenEnvChangesNothing) {
  write_durable("a", "abc");
  auto file = env_.open_writable(path("a"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->append(bytes("def")).ok());
  env_.freeze();
  EXPECT_TRUE(env_.frozen());
  expect_storage_error((*file)->append(bytes("x")), absl::StatusCode::kUnavailable);
  expect_storage_error((*file)->sync(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(env_.open_writable(path("b")).ok());
  EXPECT_FALSE(env_.write_file_atomically(path("c"), "x").ok());
  EXPECT_FALSE(env_.remove_file(path("a")).ok());
  EXPECT_FALSE(env_.rename(path("a"), path("d")).ok());
  EXPECT_EQ(contents("a"), "abcdef");
  ASSERT_TRUE(env_.crash().ok());
  EXPECT_FALSE(env_.frozen());
  EXPECT_EQ(contents("a"), "abc");
  EXPECT_FALSE(Env::posix()->exists(path("b")));
}

// Stepping freeze_after through an action crashes it at every point; each leaves old or new.
TEST_F(FaultEnvTest, FreezeAfterCrashesAtEveryStep) {
  write_durable("cp", "old");
  uint64_t steps = 0;
  for (uint64_t n = 0;; ++n) {
    env_.freeze_after(n);
    absl::Status s = env_.write_file_atomically(path("cp"), "new");
    const bool completed = !env_.frozen();
    EXPECT_EQ(s.ok(), completed);
    env_.freeze();
    ASSERT_TRUE(env_.crash().ok());
    const std::string got = contents("cp");
    EXPECT_TRUE(got == "old" || got == "new") << "n=" << n << " got " << got;
    if (completed) {
      EXPECT_EQ(got, "new");
      steps = n;
      break;
    }
    EXPECT_EQ(got, "old") << "n=" << n;
  }
  EXPECT_GE(steps, 5u);  // remove tmp?, open, append, sync, rename, sync_dir
}

TEST_F(FaultEnvTest, CountsOperations) {
  write_durable("a", "abc");
  auto mapped = env_.open_mapped(path("m"), 4096);
  ASSERT_TRUE(mapped.ok());
  ASSERT_TRUE((*mapped)->sync().ok());
  const FaultEnv::Stats stats = env_.stats();
  EXPECT_EQ(stats.appends, 1u);
  EXPECT_EQ(stats.bytes_written, 3u);
  EXPECT_EQ(stats.file_syncs, 1u);
  EXPECT_EQ(stats.dir_syncs, 1u);
  EXPECT_EQ(stats.mapped_syncs, 1u);
  EXPECT_EQ(stats.crashes, 0u);
}

}  // namespace
}  // namespace keel::storage
