// RaftLog recovery: batches a corrupted unsynced tail can leave behind with a valid CRC (the
// base offset and epoch fields are outside it) are cut off.
#include "controller/raft/raft_log.h"

#include "gtest/gtest.h"
#include "protocol/records/batch_iterator.h"
#include "storage/mem_env.h"

namespace keel::controller::raft {
namespace {

constexpr char kDir[] = "/m/__cluster_metadata-0";
constexpr char kSegment[] = "/m/__cluster_metadata-0/00000000000000000000.log";

class RaftLogRecoveryTest : public ::testing::Test {
 protected:
  // Three batches at offsets 0, 1, 2 with epochs 1, 1, 2.
  void SetUp() override {
    auto log = open();
    ASSERT_TRUE(log->append_payloads({"a"}, 1, 0).ok());
    ASSERT_TRUE(log->append_payloads({"b"}, 1, 0).ok());
    ASSERT_TRUE(log->append_payloads({"c"}, 2, 0).ok());
    ASSERT_TRUE(log->flush().ok());
  }
  std::unique_ptr<RaftLog> open() {
    auto log = RaftLog::open(&env_, &clock_, kDir, storage::LogConfig{});
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? std::move(*log) : nullptr;
  }
  // Rewrites bytes [at, at + 4) or [at, at + 8) of the third batch's header.
  void patch_third_batch(size_t field, uint64_t value, size_t width) {
    std::string file = *env_.read_file(kSegment);
    protocol::BatchIterator batches{
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(file.data()), file.size())};
    ASSERT_TRUE(batches.next() && batches.next() && batches.next());
    const size_t pos = batches.batch_position() + field;
    for (size_t i = 0; i < width; ++i) {
      file[pos + i] = static_cast<char>(value >> (8 * (width - 1 - i)));
    }
    ASSERT_TRUE(env_.remove_file(kSegment).ok());
    auto w = env_.open_writable(kSegment);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->append(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(file.data()),
                                                      file.size()))
                    .ok());
  }

  storage::MemEnv env_;
  storage::ManualClock clock_{0};
};

TEST_F(RaftLogRecoveryTest, KeepsAConsistentLog) {
  auto log = open();
  ASSERT_TRUE(log->truncate_impossible_batches(2).ok());
  EXPECT_EQ(log->end_offset(), 3);
  EXPECT_EQ(log->last_epoch(), 2);
}

TEST_F(RaftLogRecoveryTest, CutsAnEpochAboveThePersistedOne) {
  patch_third_batch(12, 0x7f000000, 4);  // partitionLeaderEpoch
  auto log = open();
  EXPECT_EQ(log->end_offset(), 3) << "the storage log's recovery cannot see it";
  ASSERT_TRUE(log->truncate_impossible_batches(2).ok());
  EXPECT_EQ(log->end_offset(), 2);
  EXPECT_EQ(log->last_epoch(), 1);
}

TEST_F(RaftLogRecoveryTest, CutsAnEpochGoingBackwards) {
  patch_third_batch(12, 0, 4);
  auto log = open();
  EXPECT_EQ(log->end_offset(), 3);
  ASSERT_TRUE(log->truncate_impossible_batches(2).ok());
  EXPECT_EQ(log->end_offset(), 2);
}

TEST_F(RaftLogRecoveryTest, CutsAnOffsetJump) {
  patch_third_batch(0, 15000000, 8);  // baseOffset
  auto log = open();
  EXPECT_EQ(log->end_offset(), 15000001) << "the storage log allows gaps (compaction)";
  ASSERT_TRUE(log->truncate_impossible_batches(2).ok());
  EXPECT_EQ(log->end_offset(), 2);
}

}  // namespace
}  // namespace keel::controller::raft
