// LogManager: log dirs, partition directories, per-dir checkpoints, the clean-shutdown
// marker, create/get/delete.
#include "storage/log_manager.h"

#include <gtest/gtest.h>

#include "storage/checkpoint_file.h"
#include "storage/file_names.h"
#include "storage_test_util.h"

namespace keel::storage {
namespace {

using testing::records_of;
using testing::simple_batch;
using testing::TempDir;

class LogManagerTest : public ::testing::Test {
 protected:
  std::unique_ptr<LogManager> open() {
    LogManagerOptions options;
    options.log_dirs = {dir_.file("d1"), dir_.file("d2")};
    options.log = [this](std::string_view line) { lines_.emplace_back(line); };
    auto manager = LogManager::open(Env::posix(), &clock_, options);
    EXPECT_TRUE(manager.ok()) << manager.status();
    return manager.ok() ? std::move(*manager) : nullptr;
  }

  TempDir dir_;
  ManualClock clock_;
  std::vector<std::string> lines_;
};

TEST_F(LogManagerTest, CreateSpreadsOverDirsAndCleanRestartTrustsCheckpoints) {
  auto manager = open();
  auto a = manager->create_log({"orders", 0}, {});
  auto b = manager->create_log({"orders", 1}, {});
  auto c = manager->create_log({"my-topic.x", 12}, {});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_NE(manager->log_dir_of({"orders", 0}), manager->log_dir_of({"orders", 1}));
  EXPECT_EQ(*manager->create_log({"orders", 0}, {}), *a);  // existing log returned
  EXPECT_EQ(manager->get_log({"orders", 0}), *a);
  EXPECT_EQ(manager->get_log({"orders", 5}), nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*a)->append(records_of(simple_batch(2, 1)), 0).ok());
  ASSERT_TRUE((*c)->append(records_of(simple_batch(5, 1)), 0).ok());
  (*a)->set_high_watermark(4);
  (*a)->set_high_watermark(6);
  ASSERT_TRUE((*a)->advance_log_start_offset(2).ok());
  EXPECT_TRUE(Env::posix()->exists(dir_.file("d1/orders-0/00000000000000000000.log")) ||
              Env::posix()->exists(dir_.file("d2/orders-0/00000000000000000000.log")));
  ASSERT_TRUE(manager->close_all().ok());
  EXPECT_EQ(manager->partitions().size(), 0u);
  for (const char* d : {"d1", "d2"}) {
    EXPECT_TRUE(Env::posix()->exists(dir_.file(std::string(d) + "/.kafka_cleanshutdown")));
  }
  const std::string a_dir = dir_.file("d1");
  auto hw = read_offset_checkpoint(Env::posix(), join_path(a_dir, kReplicationOffsetCheckpoint));
  ASSERT_TRUE(hw.ok());
  EXPECT_EQ(hw->at({"orders", 0}), 6);
  auto start = read_offset_checkpoint(Env::posix(), join_path(a_dir, kLogStartOffsetCheckpoint));
  EXPECT_EQ(start->at({"orders", 0}), 2);
  auto rp = read_offset_checkpoint(Env::posix(), join_path(a_dir, kRecoveryPointCheckpoint));
  EXPECT_EQ(rp->at({"orders", 0}), 6);

  manager = open();
  EXPECT_EQ(manager->partitions().size(), 3u);
  for (const auto& [tp, report] : manager->recovery_reports()) {
    EXPECT_TRUE(report.clean) << tp.topic;
    EXPECT_EQ(report.segments_rescanned, 0);
  }
  Log* log = manager->get_log({"orders", 0});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_end_offset(), 6);
  EXPECT_EQ(log->high_watermark(), 6);
  EXPECT_EQ(log->log_start_offset(), 2);
  EXPECT_EQ(manager->get_log({"my-topic.x", 12})->log_end_offset(), 5);
  // The markers are gone while running: a crash now is unclean.
  EXPECT_FALSE(Env::posix()->exists(dir_.file("d1/.kafka_cleanshutdown")));
}

TEST_F(LogManagerTest, UncleanRestartRecoversFromCheckpoints) {
  auto manager = open();
  auto a = manager->create_log({"t", 0}, {});
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE((*a)->append(records_of(simple_batch(2, 1)), 0).ok());
  ASSERT_TRUE((*a)->flush().ok());
  ASSERT_TRUE(manager->checkpoint_all().ok());
  ASSERT_TRUE((*a)->append(records_of(simple_batch(3, 1)), 0).ok());
  manager.reset();  // no close_all: no marker
  manager = open();
  const RecoveryReport& report = manager->recovery_reports().at({"t", 0});
  EXPECT_FALSE(report.clean);
  EXPECT_EQ(report.segments_rescanned, 1);
  EXPECT_EQ(manager->get_log({"t", 0})->log_end_offset(), 5);
  EXPECT_FALSE(lines_.empty());
}

TEST_F(LogManagerTest, DeleteLogRemovesTheDirectoryAndCheckpointEntries) {
  auto manager = open();
  ASSERT_TRUE(manager->create_log({"gone", 0}, {}).ok());
  ASSERT_TRUE(manager->create_log({"kept", 0}, {}).ok());
  const std::string dir = manager->log_dir_of({"gone", 0});
  ASSERT_TRUE(manager->checkpoint_all().ok());
  ASSERT_TRUE(manager->delete_log({"gone", 0}).ok());
  EXPECT_EQ(manager->get_log({"gone", 0}), nullptr);
  EXPECT_FALSE(Env::posix()->exists(join_path(dir, "gone-0")));
  auto names = Env::posix()->list_dir(dir);
  ASSERT_TRUE(names.ok());
  for (const std::string& n : *names) EXPECT_EQ(n.find("gone"), std::string::npos) << n;
  auto rp = read_offset_checkpoint(Env::posix(), join_path(dir, kRecoveryPointCheckpoint));
  ASSERT_TRUE(rp.ok());
  EXPECT_EQ(rp->count({"gone", 0}), 0u);
  EXPECT_EQ(testing::code_of(manager->delete_log({"gone", 0})),
            protocol::ErrorCode::kUnknownTopicOrPartition);
  // A leftover of an interrupted delete is removed at startup, never loaded.
  ASSERT_TRUE(Env::posix()->create_dir(join_path(dir, "old-0.abcdef-delete")).ok());
  manager.reset();
  manager = open();
  EXPECT_FALSE(Env::posix()->exists(join_path(dir, "old-0.abcdef-delete")));
  EXPECT_EQ(manager->partitions().size(), 1u);
}

}  // namespace
}  // namespace keel::storage

namespace keel::storage {
namespace {

// The broker's periodic checkpoint: offsets gathered elsewhere are written per log dir, only
// for logs the manager holds, and an unclean restart starts from them.
TEST_F(LogManagerTest, CheckpointOffsetsWritesGatheredOffsets) {
  auto manager = open();
  auto a = manager->create_log({"gathered", 0}, {});
  ASSERT_TRUE(a.ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE((*a)->append(records_of(simple_batch(2, 1)), 0).ok());
  (*a)->set_high_watermark(8);
  ASSERT_TRUE((*a)->advance_log_start_offset(3).ok());
  std::map<TopicPartition, LogManager::LogOffsets> offsets;
  offsets[{"gathered", 0}] = {0, 3, 8};
  offsets[{"unknown", 0}] = {1, 1, 1};  // not held: ignored
  ASSERT_TRUE(manager->checkpoint_offsets(offsets).ok());
  const std::string dir = manager->log_dir_of({"gathered", 0});
  auto start = read_offset_checkpoint(Env::posix(), join_path(dir, kLogStartOffsetCheckpoint));
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start->at({"gathered", 0}), 3);
  EXPECT_EQ(start->count({"unknown", 0}), 0u);
  auto hw = read_offset_checkpoint(Env::posix(), join_path(dir, kReplicationOffsetCheckpoint));
  EXPECT_EQ(hw->at({"gathered", 0}), 8);

  // Crash (no clean close): the log start offset survives from the checkpoint.
  (*a)->close_without_flush();
  manager.reset();
  manager = open();
  Log* log = manager->get_log({"gathered", 0});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->log_start_offset(), 3);
  EXPECT_EQ(log->log_end_offset(), 8);
}

}  // namespace
}  // namespace keel::storage
