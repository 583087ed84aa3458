// Power cuts around the LogManager's files: at every step of checkpoint_all() (each checkpoint
// must read back as the old or the new one, never a mix or garbage), of close_all() (a
// clean-shutdown marker must never promise more than is durable), of delete_log(), and just
// after create_log() + flush (the new partition directory must survive).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "storage/checkpoint_file.h"
#include "storage/file_names.h"
#include "storage/log_manager.h"
#include "tests/unit/storage/crash_test_util.h"

namespace keel::storage {
namespace {

using crash_testing::ModelBatch;
using CrashOptions = FaultEnv::CrashOptions;

struct PartitionModel {
  std::vector<ModelBatch> batches;
  int64_t durable = 0;
};

// A LogManager over one log dir on a FaultEnv, with a model per partition.
class ManagerHarness {
 public:
  explicit ManagerHarness(uint64_t seed) : env_(Env::posix(), seed), rng_(seed) {
    root_ = crash_testing::make_temp_dir("keel_manager");
  }
  ~ManagerHarness() {
    env_.clear_faults();
    manager_.reset();
    (void)Env::posix()->remove_dir(root_);
  }

  FaultEnv& env() { return env_; }
  LogManager* manager() { return manager_.get(); }
  const std::string& root() const { return root_; }
  std::map<TopicPartition, PartitionModel>& models() { return models_; }

  absl::Status open() {
    LogManagerOptions options;
    options.log_dirs = {root_};
    options.default_config = crash_testing::small_config();
    auto manager = LogManager::open(&env_, &clock_, options);
    if (!manager.ok()) return manager.status();
    manager_ = std::move(*manager);
    return absl::OkStatus();
  }

  absl::Status create(const TopicPartition& tp) {
    auto log = manager_->create_log(tp, crash_testing::small_config());
    if (!log.ok()) return log.status();
    models_[tp];
    return absl::OkStatus();
  }

  absl::Status append(const TopicPartition& tp, int n) {
    Log* log = manager_->get_log(tp);
    if (log == nullptr) return absl::NotFoundError("no log");
    for (int i = 0; i < n; ++i) {
      clock_.advance_ms(1);
      const protocol::Bytes batch = crash_testing::random_batch(rng_, next_timestamp_);
      auto result = log->append(protocol::RecordsView(batch.data(), batch.size()), 2);
      if (!result.ok()) return result.status();
      models_[tp].batches.push_back(crash_testing::stamped(batch, result->base_offset, 2));
    }
    return absl::OkStatus();
  }

  absl::Status flush_all() {
    for (auto& [tp, model] : models_) {
      Log* log = manager_->get_log(tp);
      if (log == nullptr) continue;
      auto durable = log->flush();
      if (!durable.ok()) return durable.status();
      model.durable = std::max(model.durable, *durable);
    }
    return absl::OkStatus();
  }

  absl::Status crash(const CrashOptions& options) {
    env_.freeze();
    manager_.reset();
    return env_.crash(options);
  }

  // Every modelled partition is present and a valid prefix holding its durable data.
  std::string check() {
    for (auto& [tp, model] : models_) {
      Log* log = manager_->get_log(tp);
      if (log == nullptr) return partition_dir_name(tp) + " is missing";
      std::string problem = crash_testing::check_log(*log, model.batches, model.durable);
      if (!problem.empty()) return partition_dir_name(tp) + ": " + problem;
      model.durable = log->log_end_offset();
    }
    return "";
  }

  std::string checkpoint_path() const {
    return join_path(root_, std::string(kRecoveryPointCheckpoint));
  }

 private:
  FaultEnv env_;
  ManualClock clock_;
  std::mt19937_64 rng_;
  std::string root_;
  std::unique_ptr<LogManager> manager_;
  std::map<TopicPartition, PartitionModel> models_;
  int64_t next_timestamp_ = 1'700'000'000'000;
};

const TopicPartition kA{"alpha", 0};
const TopicPartition kB{"beta.b-c", 3};

// Builds the same two-partition state for every step of a sweep.
void build(ManagerHarness& h) {
  ASSERT_TRUE(h.open().ok());
  ASSERT_TRUE(h.create(kA).ok());
  ASSERT_TRUE(h.create(kB).ok());
  ASSERT_TRUE(h.append(kA, 12).ok());
  ASSERT_TRUE(h.append(kB, 5).ok());
  ASSERT_TRUE(h.flush_all().ok());
  ASSERT_TRUE(h.manager()->checkpoint_all().ok());
  ASSERT_TRUE(h.append(kA, 6).ok());
  ASSERT_TRUE(h.append(kB, 9).ok());
  ASSERT_TRUE(h.flush_all().ok());
}

TEST(CrashCheckpointTest, NewPartitionSurvivesACrashAfterFlush) {
  for (bool keep_metadata : {false, true}) {
    ManagerHarness h(1);
    ASSERT_TRUE(h.open().ok());
    ASSERT_TRUE(h.create(kA).ok());
    ASSERT_TRUE(h.append(kA, 10).ok());
    ASSERT_TRUE(h.flush_all().ok());
    CrashOptions options;
    options.keep_unsynced_metadata = keep_metadata;
    ASSERT_TRUE(h.crash(options).ok());
    absl::Status opened = h.open();
    ASSERT_TRUE(opened.ok()) << opened;
    ASSERT_EQ(h.check(), "");
    EXPECT_EQ(h.manager()->get_log(kA)->log_end_offset(),
              crash_testing::end_of(h.models()[kA].batches));
  }
}

TEST(CrashCheckpointTest, CrashAtEveryStepOfCheckpointAll) {
  // The old and the new contents, from a run without a crash.
  OffsetMap old_points;
  OffsetMap new_points;
  {
    ManagerHarness h(2);
    build(h);
    auto before = read_offset_checkpoint(Env::posix(), h.checkpoint_path());
    ASSERT_TRUE(before.ok()) << before.status();
    old_points = *before;
    ASSERT_TRUE(h.manager()->checkpoint_all().ok());
    auto after = read_offset_checkpoint(Env::posix(), h.checkpoint_path());
    ASSERT_TRUE(after.ok()) << after.status();
    new_points = *after;
    ASSERT_NE(old_points, new_points);
  }
  for (uint64_t n = 0; n < 200; ++n) {
    SCOPED_TRACE("crash before mutation " + std::to_string(n));
    ManagerHarness h(2);
    build(h);
    h.env().freeze_after(n);
    absl::Status written = h.manager()->checkpoint_all();
    const bool completed = !h.env().frozen();
    EXPECT_EQ(written.ok(), completed) << written;
    CrashOptions options;
    options.tail = static_cast<CrashOptions::Tail>(n % 3);
    options.keep_unsynced_metadata = n % 2 == 1;
    ASSERT_TRUE(h.crash(options).ok());
    auto points = read_offset_checkpoint(Env::posix(), h.checkpoint_path());
    ASSERT_TRUE(points.ok()) << "checkpoint unreadable after the crash: " << points.status();
    if (completed) {
      EXPECT_EQ(*points, new_points);
    } else {
      EXPECT_TRUE(*points == old_points || *points == new_points);
    }
    absl::Status opened = h.open();
    ASSERT_TRUE(opened.ok()) << opened;
    ASSERT_EQ(h.check(), "");
    if (completed) return;
  }
  ADD_FAILURE() << "checkpoint_all did not complete within 200 mutations";
}

// A clean-shutdown marker that survives a crash must come with everything durable: a reopen
// trusting it finds every batch.
TEST(CrashCheckpointTest, CrashAtEveryStepOfCloseAll) {
  for (uint64_t n = 0; n < 300; ++n) {
    SCOPED_TRACE("crash before mutation " + std::to_string(n));
    ManagerHarness h(3);
    build(h);
    ASSERT_TRUE(h.append(kA, 3).ok());  // unflushed: close_all must flush it
    h.env().freeze_after(n);
    absl::Status closed = h.manager()->close_all();
    const bool completed = !h.env().frozen();
    EXPECT_EQ(closed.ok(), completed) << closed;
    if (completed) {
      for (auto& [tp, model] : h.models()) model.durable = crash_testing::end_of(model.batches);
    }
    CrashOptions options;
    options.tail = static_cast<CrashOptions::Tail>(n % 3);
    options.mix_mapped_pages = n % 2 == 0;
    options.keep_unsynced_metadata = n % 4 == 1;
    ASSERT_TRUE(h.crash(options).ok());
    const bool marker =
        Env::posix()->exists(join_path(h.root(), std::string(kCleanShutdownMarker)));
    absl::Status opened = h.open();
    ASSERT_TRUE(opened.ok()) << opened;
    if (marker) {
      // Trusted: every partition must be whole.
      for (auto& [tp, model] : h.models()) model.durable = crash_testing::end_of(model.batches);
    }
    ASSERT_EQ(h.check(), "") << (marker ? "(opened trusting the clean-shutdown marker)" : "");
    if (completed) {
      EXPECT_TRUE(marker);
      return;
    }
  }
  ADD_FAILURE() << "close_all did not complete within 300 mutations";
}

// A deletion interrupted at any point leaves the partition whole or gone, never half.
TEST(CrashCheckpointTest, CrashAtEveryStepOfDeleteLog) {
  for (uint64_t n = 0; n < 200; ++n) {
    SCOPED_TRACE("crash before mutation " + std::to_string(n));
    ManagerHarness h(4);
    build(h);
    h.env().freeze_after(n);
    absl::Status deleted = h.manager()->delete_log(kB);
    const bool completed = !h.env().frozen();
    ASSERT_TRUE(h.crash(CrashOptions{}).ok());
    absl::Status opened = h.open();
    ASSERT_TRUE(opened.ok()) << opened;
    if (h.manager()->get_log(kB) == nullptr) {
      h.models().erase(kB);
    }
    ASSERT_EQ(h.check(), "");
    if (completed) {
      EXPECT_TRUE(deleted.ok()) << deleted;
      return;
    }
  }
  ADD_FAILURE() << "delete_log did not complete within 200 mutations";
}

}  // namespace
}  // namespace keel::storage
