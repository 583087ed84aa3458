#include "storage/leader_epoch_cache.h"

#include "protocol/status.h"
#include "storage/checkpoint_file.h"

namespace keel::storage {

absl::StatusOr<std::unique_ptr<LeaderEpochCache>> LeaderEpochCache::load(Env* env,
                                                                         std::string path) {
  std::unique_ptr<LeaderEpochCache> cache(new LeaderEpochCache(env, path));
  if (!env->exists(path)) return cache;
  KEEL_ASSIGN_OR_RETURN(std::string text, env->read_file(path));
  KEEL_ASSIGN_OR_RETURN(auto entries, parse_epoch_checkpoint(text));
  for (const auto& [epoch, offset] : entries) {
    // Keep only a strictly increasing sequence (a damaged file must not break lookups).
    if (!cache->entries_.empty() &&
        (epoch <= cache->entries_.back().epoch || offset < cache->entries_.back().start_offset)) {
      continue;
    }
    cache->entries_.push_back({epoch, offset});
  }
  return cache;
}

absl::Status LeaderEpochCache::persist() const {
  std::vector<std::pair<int32_t, int64_t>> pairs;
  pairs.reserve(entries_.size());
  for (const EpochEntry& e : entries_) pairs.emplace_back(e.epoch, e.start_offset);
  return env_->write_file_atomically(path_, format_epoch_checkpoint(pairs));
}

absl::Status LeaderEpochCache::assign(int32_t epoch, int64_t start_offset) {
  if (epoch < 0 || (!entries_.empty() && epoch <= entries_.back().epoch)) {
    return absl::OkStatus();
  }
  while (!entries_.empty() && entries_.back().start_offset >= start_offset) entries_.pop_back();
  entries_.push_back({epoch, start_offset});
  return persist();
}

EpochEndOffset LeaderEpochCache::end_offset_for(int32_t epoch, int64_t log_end_offset) const {
  if (epoch < 0 || entries_.empty()) return {};
  if (epoch == entries_.back().epoch) return {epoch, log_end_offset};
  // First entry with a larger epoch.
  size_t higher = 0;
  while (higher < entries_.size() && entries_[higher].epoch <= epoch) ++higher;
  if (higher == entries_.size()) return {};  // newer than anything known
  const int64_t end = entries_[higher].start_offset;
  if (higher == 0) return {epoch, end};  // older than every known epoch
  return {entries_[higher - 1].epoch, end};
}

absl::Status LeaderEpochCache::truncate_from_end(int64_t offset) {
  const size_t before = entries_.size();
  while (!entries_.empty() && entries_.back().start_offset >= offset) entries_.pop_back();
  return entries_.size() == before ? absl::OkStatus() : persist();
}

absl::Status LeaderEpochCache::truncate_from_start(int64_t offset) {
  // The last entry starting at or below `offset` covers it; everything before it goes.
  size_t covering = entries_.size();
  for (size_t i = 0; i < entries_.size() && entries_[i].start_offset <= offset; ++i) covering = i;
  if (covering == entries_.size()) return absl::OkStatus();  // all entries start above
  if (covering == 0 && entries_[0].start_offset == offset) return absl::OkStatus();
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<ptrdiff_t>(covering));
  entries_[0].start_offset = offset;
  return persist();
}

absl::Status LeaderEpochCache::clear() {
  if (entries_.empty() && !env_->exists(path_)) return absl::OkStatus();
  entries_.clear();
  return persist();
}

}  // namespace keel::storage
