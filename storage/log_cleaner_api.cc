// The cleaner's interface to a Log: new `.cleaned` segments and the crash-safe swap.
#include "protocol/status.h"
#include "storage/file_names.h"
#include "storage/log.h"

namespace keel::storage {

absl::StatusOr<std::unique_ptr<LogSegment>> Log::create_cleaned_segment(int64_t base_offset) {
  return LogSegment::create(env_, dir_, base_offset, config_, std::string(kCleanedSuffix));
}

absl::Status Log::replace_segments(std::span<const int64_t> old_bases,
                                   std::vector<std::unique_ptr<LogSegment>> replacements) {
  if (closed_) return absl::FailedPreconditionError("log " + dir_ + " is closed");
  if (old_bases.empty() || replacements.empty()) {
    return absl::InvalidArgumentError("replace_segments needs old and new segments");
  }
  // The old segments: present, consecutive, not the active one.
  auto first = segments_.find(old_bases.front());
  auto it = first;
  for (int64_t base : old_bases) {
    if (it == segments_.end() || it->first != base) {
      return absl::InvalidArgumentError("segment " + std::to_string(base) +
                                        " is not the next segment of the log");
    }
    ++it;
  }
  if (it == segments_.end()) {
    return absl::InvalidArgumentError("the active segment cannot be replaced");
  }
  const int64_t range_end = it->first;
  int64_t previous_end = old_bases.front();
  for (const auto& seg : replacements) {
    if (seg->base_offset() < previous_end || seg->next_offset() > range_end) {
      return absl::InvalidArgumentError("cleaned segment " + std::to_string(seg->base_offset()) +
                                        " is outside the replaced offsets");
    }
    previous_end = std::max(seg->next_offset(), seg->base_offset() + 1);
  }

  // 1. New segments durable, then renamed to `.swap`: from here a crash completes the swap.
  for (auto& seg : replacements) {
    KEEL_RETURN_IF_ERROR(seg->seal());
    KEEL_RETURN_IF_ERROR(seg->sync());
  }
  for (auto& seg : replacements) {
    KEEL_RETURN_IF_ERROR(seg->rename_suffix(std::string(kCleanedSuffix), std::string(kSwapSuffix)));
  }
  KEEL_RETURN_IF_ERROR(env_->sync_dir(dir_));
  // 2. Old segments out of the map and renamed `.deleted`; new ones take their final names.
  std::vector<std::unique_ptr<LogSegment>> old;
  for (int64_t base : old_bases) {
    auto node = segments_.extract(base);
    old.push_back(std::move(node.mapped()));
    (void)old.back()->close();
    KEEL_RETURN_IF_ERROR(old.back()->rename_suffix("", std::string(kDeletedSuffix)));
  }
  for (auto& seg : replacements) {
    KEEL_RETURN_IF_ERROR(seg->rename_suffix(std::string(kSwapSuffix), ""));
    seg->release_writer();
    seg->set_clean(true);
    const int64_t base = seg->base_offset();
    segments_[base] = std::move(seg);
  }
  KEEL_RETURN_IF_ERROR(env_->sync_dir(dir_));
  // 3. The old files go (open FileSlices keep reading them).
  for (auto& seg : old) KEEL_RETURN_IF_ERROR(seg->remove_files());
  return absl::OkStatus();
}

}  // namespace keel::storage
