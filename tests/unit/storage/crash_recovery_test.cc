// Crash recovery of the Log on a FaultEnv: power cuts at random points and in every crash
// mode, torn tails at every byte, corrupt batches, missing and corrupt indexes, and crashes at
// every step of a segment roll, a truncation and a clean close. After each reopen the log must
// hold exactly a valid prefix of what was appended, including everything flushed
// (tests/unit/storage/crash_test_util.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "storage/file_names.h"
#include "tests/unit/storage/crash_test_util.h"

namespace keel::storage {
namespace {

using crash_testing::append_some;
using crash_testing::describe;
using crash_testing::DirImage;
using crash_testing::LogHarness;
using crash_testing::ModelBatch;
using crash_testing::small_config;
using CrashOptions = FaultEnv::CrashOptions;

// Names in `dir` ending with `suffix`.
std::vector<std::string> files_with_suffix(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> out;
  auto names = Env::posix()->list_dir(dir);
  if (!names.ok()) return out;
  for (const std::string& name : *names) {
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(join_path(dir, name));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Random appends, a flushed prefix, more appends, a crash in a random mode, a reopen from a
// random recovery point: the log is a valid prefix holding everything flushed. Twice, and once
// more straight after recovery.
TEST(CrashRecoveryTest, FlushedPrefixSurvivesEveryCrashMode) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    LogHarness h(seed, small_config());
    ASSERT_TRUE(h.open().ok());
    for (int round = 0; round < 3; ++round) {
      SCOPED_TRACE("round " + std::to_string(round));
      append_some(h, static_cast<int>(h.rng()() % 30) + (round == 2 ? 0 : 5), 5);
      const CrashOptions options = h.random_crash_options();
      SCOPED_TRACE(describe(options));
      ASSERT_TRUE(h.crash(options).ok());
      absl::Status opened = h.open();
      ASSERT_TRUE(opened.ok()) << opened << " recovery point " << h.last_recovery_point();
      ASSERT_EQ(h.check(), "") << "recovery point " << h.last_recovery_point();
    }
  }
}

// With every unsynced byte and name dropped, the log ends exactly at the durable offset, even
// when segments were rolled after the flush.
TEST(CrashRecoveryTest, CrashBetweenWriteAndFsyncLosesExactlyTheUnsyncedTail) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    LogHarness h(seed, small_config());
    ASSERT_TRUE(h.open().ok());
    append_some(h, 20, 0);
    auto durable = h.flush();
    ASSERT_TRUE(durable.ok()) << durable.status();
    EXPECT_EQ(*durable, crash_testing::end_of(h.model()));
    append_some(h, 15, 0);  // rolls at least one segment
    ASSERT_TRUE(h.crash().ok());
    ASSERT_TRUE(h.open(false, -1).ok());
    EXPECT_EQ(h.log()->log_end_offset(), *durable);
    ASSERT_EQ(h.check(), "");
    // The log keeps working: append, flush, crash, the new batches are there.
    append_some(h, 5, 0);
    ASSERT_TRUE(h.flush().ok());
    ASSERT_TRUE(h.crash().ok());
    ASSERT_TRUE(h.open(false, -1).ok());
    EXPECT_EQ(h.log()->log_end_offset(), crash_testing::end_of(h.model()));
    ASSERT_EQ(h.check(), "");
  }
}

// The last batch cut at every byte (and, separately, its tail replaced by zeros, as a file
// system that extended the file without writing the data shows): recovery drops exactly it.
TEST(CrashRecoveryTest, TornTailAtEveryByteOfTheLastBatch) {
  LogConfig config = small_config();
  config.segment_bytes = 1 << 20;  // one segment
  config.index_interval_bytes = 64;
  LogHarness h(7, config);
  ASSERT_TRUE(h.open().ok());
  append_some(h, 12, 0);
  ASSERT_TRUE(h.flush().ok());
  const std::string segment = segment_file(h.dir(), 0, kLogSuffix);
  auto size_before = Env::posix()->file_size(segment);
  ASSERT_TRUE(size_before.ok());
  ASSERT_TRUE(h.append_random().ok());
  ASSERT_TRUE(h.flush().ok());
  const std::vector<ModelBatch> all = h.model();
  const ModelBatch last = all.back();
  const uint64_t batch_size = last.bytes.size();
  h.drop();
  const DirImage image = crash_testing::save_dir(h.dir());

  std::vector<uint64_t> cuts;
  const uint64_t step = batch_size > 400 ? batch_size / 400 + 1 : 1;
  for (uint64_t cut = 0; cut < batch_size; cut += step) cuts.push_back(cut);
  cuts.push_back(batch_size);
  for (int zeros = 0; zeros < 2; ++zeros) {
    for (uint64_t cut : cuts) {
      if (zeros && cut == batch_size) break;
      bool whole = cut == batch_size;
      SCOPED_TRACE("cut at byte " + std::to_string(cut) + (zeros ? " (zero-filled)" : ""));
      crash_testing::restore_dir(h.dir(), image);
      if (zeros) {
        const std::string& original = image.at(segment.substr(h.dir().size() + 1));
        std::string contents = original;
        std::fill(contents.begin() + static_cast<ptrdiff_t>(*size_before + cut), contents.end(),
                  '\0');
        whole = contents == original;  // the zeroed bytes were zeros already
        ASSERT_TRUE(crash_testing::write_raw(segment, contents));
      } else {
        ASSERT_TRUE(Env::posix()->truncate_file(segment, *size_before + cut).ok());
      }
      h.set_model(all, whole ? last.last_offset + 1 : last.base_offset);
      absl::Status opened = h.open(false, -1);
      ASSERT_TRUE(opened.ok()) << opened;
      EXPECT_EQ(h.log()->log_end_offset(), whole ? last.last_offset + 1 : last.base_offset);
      if (!whole) {
        EXPECT_EQ(h.log()->report().bytes_truncated,
                  static_cast<int64_t>(zeros ? batch_size : cut));
        if (zeros || cut > 0) {
          EXPECT_FALSE(h.log()->report().events.empty());
        }
      }
      ASSERT_EQ(h.check(), "");
      // Appends continue at the right offset after the cut.
      ASSERT_TRUE(h.append_random().ok());
      ASSERT_EQ(crash_testing::check_reads(*h.log(), h.model()), "");
      h.drop();
    }
  }
}

// A flipped byte inside an old batch (any segment): a full rescan truncates the log at that
// batch, deletes the segments after it and reports it.
TEST(CrashRecoveryTest, CorruptBatchInTheMiddleTruncatesThere) {
  LogHarness h(11, small_config());
  ASSERT_TRUE(h.open().ok());
  append_some(h, 40, 0);
  ASSERT_TRUE(h.close().ok());
  const std::vector<ModelBatch> all = h.model();
  const DirImage image = crash_testing::save_dir(h.dir());
  const std::vector<std::string> segments = files_with_suffix(h.dir(), kLogSuffix);
  ASSERT_GE(segments.size(), 3u);

  std::mt19937_64 rng(5);
  for (int round = 0; round < 40; ++round) {
    crash_testing::restore_dir(h.dir(), image);
    // Pick a batch and a byte covered by the framing or the CRC (bytes 8..11 and 16..end: the
    // base offset and the leader epoch are outside the CRC, as in Kafka).
    const size_t victim = rng() % all.size();
    const ModelBatch& b = all[victim];
    uint64_t byte = rng() % (b.bytes.size() - 12);
    byte = byte < 4 ? 8 + byte : 12 + byte;
    // Locate the batch in its segment.
    std::string path;
    uint64_t position = 0;
    for (const std::string& segment : segments) {
      const std::string contents = image.at(segment.substr(h.dir().size() + 1));
      const std::string needle(reinterpret_cast<const char*>(b.bytes.data()), b.bytes.size());
      const size_t at = contents.find(needle);
      if (at != std::string::npos) {
        path = segment;
        position = at;
        break;
      }
    }
    ASSERT_FALSE(path.empty()) << "batch " << b.base_offset << " not found on disk";
    SCOPED_TRACE("batch " + std::to_string(b.base_offset) + " byte " + std::to_string(byte) +
                 " in " + path);
    std::string contents = image.at(path.substr(h.dir().size() + 1));
    contents[position + byte] = static_cast<char>(contents[position + byte] ^ (1 + rng() % 255));
    ASSERT_TRUE(crash_testing::write_raw(path, contents));

    h.set_model(all, b.base_offset);
    absl::Status opened = h.open(false, -1);
    ASSERT_TRUE(opened.ok()) << opened;
    EXPECT_EQ(h.log()->log_end_offset(), b.base_offset);
    EXPECT_GT(h.log()->report().bytes_truncated, 0);
    EXPECT_FALSE(h.log()->report().events.empty());
    ASSERT_EQ(h.check(), "");
    ASSERT_TRUE(h.append_random().ok());
    ASSERT_EQ(crash_testing::check_reads(*h.log(), h.model()), "");
    h.drop();
  }
}

// Missing, truncated or garbage `.index` / `.timeindex` files are detected and rebuilt, after
// a clean or an unclean stop: every read by offset and by timestamp still answers right.
TEST(CrashRecoveryTest, MissingAndCorruptIndexesAreRebuilt) {
  LogHarness h(13, small_config());
  ASSERT_TRUE(h.open().ok());
  append_some(h, 40, 0);
  ASSERT_TRUE(h.close().ok());
  const std::vector<ModelBatch> all = h.model();
  const int64_t end = crash_testing::end_of(all);
  const DirImage image = crash_testing::save_dir(h.dir());
  ASSERT_GE(files_with_suffix(h.dir(), kIndexSuffix).size(), 3u);

  enum Damage { kRemove, kEmpty, kOddLength, kGarbage, kDecreasing, kPastEnd, kDamages };
  const char* names[] = {"removed", "empty", "odd length", "garbage", "decreasing", "past end"};
  std::mt19937_64 rng(3);
  for (std::string_view suffix : {kIndexSuffix, kTimeIndexSuffix}) {
    for (int damage = 0; damage < kDamages; ++damage) {
      for (bool clean : {true, false}) {
        SCOPED_TRACE(std::string(suffix) + " " + names[damage] + (clean ? " clean" : " unclean"));
        crash_testing::restore_dir(h.dir(), image);
        for (const std::string& path : files_with_suffix(h.dir(), suffix)) {
          std::string contents = image.at(path.substr(h.dir().size() + 1));
          switch (damage) {
            case kRemove:
              ASSERT_TRUE(Env::posix()->remove_file(path).ok());
              continue;
            case kEmpty:
              contents.clear();
              break;
            case kOddLength:
              contents.resize(contents.size() / 2 + 5, '\x7f');
              break;
            case kGarbage:
              for (char& c : contents) c = static_cast<char>(rng());
              if (contents.empty()) contents = std::string(24, '\x55');
              break;
            case kDecreasing:
              // Entries in reverse order (each alone plausible).
              contents = std::string(contents.rbegin(), contents.rend());
              if (contents.empty()) contents = std::string(24, '\x01');
              break;
            case kPastEnd:
              contents += std::string(suffix == kIndexSuffix ? 8 : 12, '\x7f');
              break;
          }
          ASSERT_TRUE(crash_testing::write_raw(path, contents));
        }
        h.set_model(all, end);
        absl::Status opened = h.open(clean, clean ? end : -1);
        ASSERT_TRUE(opened.ok()) << opened;
        EXPECT_EQ(h.log()->log_end_offset(), end);
        const std::string problem = h.check();
        EXPECT_EQ(problem, "");
        if (!problem.empty()) {
          h.drop();
          continue;
        }
        ASSERT_TRUE(h.append_random().ok());
        ASSERT_EQ(crash_testing::check_reads(*h.log(), h.model()), "");
        h.drop();
      }
    }
  }
}

// Recovery deletes a segment (after a torn or lost tail), then new batches are appended at the
// deleted segment's offsets and flushed; a second power cut must not bring the deleted segment
// back over them, whatever recovery point the checkpoint holds.
TEST(CrashRecoveryTest, RecoveryDeletionsAreDurableBeforeNewData) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    LogHarness h(seed, small_config());
    ASSERT_TRUE(h.open().ok());
    append_some(h, 8, 0);
    ASSERT_TRUE(h.flush().ok());
    append_some(h, 3, 0);               // unflushed tail of the active segment...
    ASSERT_TRUE(h.log()->roll().ok());  // ...and a new segment after it
    append_some(h, 2, 0);
    CrashOptions keep_names;
    keep_names.keep_unsynced_metadata = true;  // the new segment's name survives, its data not
    ASSERT_TRUE(h.crash(keep_names).ok());
    ASSERT_TRUE(h.open(false, h.durable()).ok());
    ASSERT_EQ(h.check(), "");
    append_some(h, 6, 0);  // reuses the lost offsets
    auto durable = h.flush();
    ASSERT_TRUE(durable.ok());
    ASSERT_TRUE(h.crash().ok());  // names not synced since are undone
    ASSERT_TRUE(h.open(false, *durable).ok());
    ASSERT_EQ(h.check(), "") << "recovery point " << *durable;
  }
}

}  // namespace
}  // namespace keel::storage
