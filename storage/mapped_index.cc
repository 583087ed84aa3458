#include "storage/mapped_index.h"

#include <algorithm>
#include <cstring>

#include "protocol/status.h"

namespace keel::storage {

absl::StatusOr<std::shared_ptr<MappedIndex>> MappedIndex::open(Env* env, std::string path,
                                                               uint64_t length) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file, env->open_mapped(path, length));
  return std::shared_ptr<MappedIndex>(new MappedIndex(std::move(path), std::move(file)));
}

absl::StatusOr<std::shared_ptr<MappedIndex>> MappedIndex::open_entries(Env* env, std::string path,
                                                                       uint64_t max_bytes,
                                                                       size_t entry_size) {
  if (max_bytes == 0) return open_existing(env, std::move(path));
  return open(env, std::move(path), max_bytes / entry_size * entry_size);
}

void MappedIndex::zero(uint64_t from, uint64_t to) {
  // An empty mapping has a null data(): memset must not see it even for zero bytes.
  if (to <= from) return;
  std::memset(bytes().data() + from, 0, to - from);
}

absl::StatusOr<std::shared_ptr<MappedIndex>> MappedIndex::open_existing(Env* env,
                                                                        std::string path) {
  uint64_t length = 0;
  if (env->exists(path)) {
    KEEL_ASSIGN_OR_RETURN(length, env->file_size(path));
  }
  return open(env, std::move(path), length);
}

absl::Status MappedIndex::ensure_allocated(uint64_t end) {
  if (end <= allocated_) return absl::OkStatus();
  constexpr uint64_t kChunk = 64 * 1024;
  const uint64_t target = std::min(length(), (end + kChunk - 1) / kChunk * kChunk);
  if (target < end) return absl::OutOfRangeError("index " + path_ + " is full");
  KEEL_RETURN_IF_ERROR(file_->allocate(allocated_, target - allocated_));
  allocated_ = target;
  return absl::OkStatus();
}

absl::Status MappedIndex::resize(uint64_t length) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return absl::FailedPreconditionError("index " + path_ + " is closed");
  allocated_ = std::min(allocated_, length);
  return file_->resize(length);
}

absl::Status MappedIndex::sync() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return absl::OkStatus();
  return file_->sync();
}

absl::Status MappedIndex::close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  return file_->close();
}

}  // namespace keel::storage
