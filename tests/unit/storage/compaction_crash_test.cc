// Power cuts during a clean pass (FaultEnv::freeze_after at every mutating step: cleaned
// segment creation, writes, syncs, the renames before and after replace_segments commits, the
// removal of the old files). After the crash and a reopen (full rescan, or trusting a recent
// recovery point) the log reads back, every range that one cleaned segment replaces holds
// either all its old records or all its new ones, and cleaning again gives exactly the
// result of an uninterrupted pass.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/compaction/log_cleaner.h"
#include "storage/fault_env.h"
#include "tests/unit/storage/compaction_test_util.h"
#include "tests/unit/storage/crash_test_util.h"

namespace keel::storage::compaction {
namespace {

using testing::CompactionHarness;
using testing::Rec;

constexpr std::pair<uint64_t, uint64_t> kHashKey{0x1234, 0x5678};

LogConfig crash_config() {
  LogConfig config = testing::compact_config();
  config.segment_bytes = 1500;
  return config;
}

// A log for `seed`: a cleaned part (with tombstone horizons), then more writes, the clock
// past the horizons; closed cleanly and saved, so every case starts from the same bytes.
struct Image {
  crash_testing::DirImage files;
  int64_t now_ms = 0;
  int64_t first_dirty = -1;  // for the pass under test
  int64_t end = 0;
};

Image make_image(uint64_t seed) {
  Image image;
  CompactionHarness h(Env::posix(), crash_config(), seed);
  EXPECT_TRUE(h.open().ok());
  testing::WorkloadShape shape;
  shape.key_space = 100;
  shape.tombstone_percent = 20;
  for (int i = 0; i < 30; ++i) EXPECT_TRUE(h.append_random(shape).ok());
  CleanerOptions options;
  options.hash_key = kHashKey;
  h.log().set_high_watermark(h.log().log_end_offset());
  auto first = clean_log(h.log(), h.clock(), options);
  EXPECT_TRUE(first.ok()) << first.status();
  image.first_dirty = first.ok() ? first->first_dirty_offset : -1;
  for (int i = 0; i < 30; ++i) EXPECT_TRUE(h.append_random(shape).ok());
  h.clock().advance_ms(h.config().delete_retention_ms + 1);
  image.now_ms = h.clock().now_ms();
  image.end = h.log().log_end_offset();
  EXPECT_TRUE(h.log().close().ok());
  h.drop();
  image.files = crash_testing::save_dir(h.dir());
  return image;
}

// Restores `image` into h's directory and opens it as after a clean shutdown.
absl::Status open_image(CompactionHarness& h, const Image& image) {
  crash_testing::restore_dir(h.dir(), image.files);
  h.clock().set_ms(image.now_ms);
  RecoveryOptions options;
  options.clean_shutdown = true;
  options.recovery_point = image.end;
  options.high_watermark = image.end;
  return h.open(options);
}

std::vector<Rec> in_range(const std::vector<Rec>& records, int64_t from, int64_t to) {
  std::vector<Rec> out;
  for (const Rec& r : records) {
    if (r.offset >= from && r.offset < to) out.push_back(r);
  }
  return out;
}

// Crashes a pass over the log of `seed` before its 0th, stride-th, 2*stride-th... mutation.
void crash_every_step(uint64_t seed, uint64_t stride) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  const Image image = make_image(seed);
  // The uninterrupted pass.
  std::vector<Rec> before, after;
  std::vector<int64_t> bounds;
  {
    CompactionHarness ref(Env::posix(), crash_config(), seed);
    ASSERT_TRUE(open_image(ref, image).ok());
    CleanerOptions options;
    options.hash_key = kHashKey;
    options.first_dirty_offset = image.first_dirty;
    std::string problem;
    before = testing::read_records(ref.log(), &problem);
    ASSERT_EQ(problem, "");
    auto result = clean_log(ref.log(), ref.clock(), options);
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_GT(result->groups_replaced, 1);
    after = testing::read_records(ref.log(), &problem);
    ASSERT_EQ(problem, "");
    ASSERT_NE(before, after);
    for (const SegmentInfo& s : ref.log().segments()) bounds.push_back(s.base_offset);
    bounds.push_back(ref.log().log_end_offset());
  }

  bool completed = false;
  int crashes = 0;
  for (uint64_t step = 0; step < 3000 && !completed; step += stride) {
    SCOPED_TRACE("crash before mutation " + std::to_string(step));
    FaultEnv env(Env::posix(), seed);
    CompactionHarness h(&env, crash_config(), seed);
    ASSERT_TRUE(open_image(h, image).ok());
    CleanerOptions options;
    options.hash_key = kHashKey;
    options.first_dirty_offset = image.first_dirty;
    const int64_t end = image.end;
    env.freeze_after(step);
    auto result = clean_log(h.log(), h.clock(), options);
    if (!env.frozen()) {
      ASSERT_TRUE(result.ok()) << result.status();
      completed = true;
    }
    FaultEnv::CrashOptions crash;
    crash.keep_unsynced_metadata = step % 2 == 1;
    crash.mix_mapped_pages = step % 3 == 0;
    env.freeze();
    h.drop();
    ASSERT_TRUE(env.crash(crash).ok());
    ++crashes;

    RecoveryOptions recovery;
    recovery.recovery_point = step % 4 < 2 ? -1 : end;  // full rescan, or a recent point
    absl::Status opened = h.open(recovery);
    ASSERT_TRUE(opened.ok()) << opened;
    ASSERT_EQ(h.log().log_end_offset(), end);
    std::string problem;
    const std::vector<Rec> got = testing::read_records(h.log(), &problem);
    ASSERT_EQ(problem, "");
    for (size_t i = 0; i + 1 < bounds.size(); ++i) {
      const std::vector<Rec> slice = in_range(got, bounds[i], bounds[i + 1]);
      const bool old_ok = slice == in_range(before, bounds[i], bounds[i + 1]);
      const bool new_ok = slice == in_range(after, bounds[i], bounds[i + 1]);
      ASSERT_TRUE(old_ok || new_ok) << "offsets [" << bounds[i] << ", " << bounds[i + 1]
                                    << ") are neither the old nor the cleaned records";
    }
    // Cleaning again finishes the job exactly.
    h.log().set_high_watermark(h.log().log_end_offset());
    auto again = clean_log(h.log(), h.clock(), options);
    ASSERT_TRUE(again.ok()) << again.status();
    ASSERT_EQ(testing::diff(testing::read_records(h.log(), &problem), after), "");
    ASSERT_EQ(problem, "");
  }
  EXPECT_TRUE(completed);
  EXPECT_GT(crashes, 10);
}

TEST(CompactionCrashTest, CrashAtEveryStepLeavesEachGroupAllOldOrAllNew) { crash_every_step(1, 1); }

TEST(CompactionCrashTest, CrashAtEveryThirdStepOfAnotherLog) { crash_every_step(2, 3); }

}  // namespace
}  // namespace keel::storage::compaction
