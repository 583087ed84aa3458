// File: storage/mapped_index.h
// A memory-mapped index file (storage/offset_index.h, storage/time_index.h): fixed-size
// big-endian entries at the start of a file that is pre-allocated while its segment is
// active and trimmed to its entries when sealed.
//
// Thread-safety: entry bytes are written and read by the owning segment's thread only;
// sync() may run concurrently on a flusher thread (FlushTicket). resize(), sync() and close()
// are serialised by an internal mutex, so a flush never sees a mapping being replaced.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/env.h"

namespace keel::storage {

class MappedIndex {
 public:
  // Opens or creates `path` and maps `length` bytes (the file is extended with zeros or cut).
  static absl::StatusOr<std::shared_ptr<MappedIndex>> open(Env* env, std::string path,
                                                           uint64_t length);
  // Opens `path` mapping exactly its current length.
  static absl::StatusOr<std::shared_ptr<MappedIndex>> open_existing(Env* env, std::string path);
  // An index of `entry_size`-byte entries: mapped at `max_bytes` rounded down to whole entries
  // while its segment is active, or at its current length (sealed) when `max_bytes` is 0.
  static absl::StatusOr<std::shared_ptr<MappedIndex>> open_entries(Env* env, std::string path,
                                                                   uint64_t max_bytes,
                                                                   size_t entry_size);

  // Zeroes [from, to) so dropped entries never look valid to a later count.
  void zero(uint64_t from, uint64_t to);

  // Empty once closed.
  std::span<uint8_t> bytes() { return closed_ ? std::span<uint8_t>() : file_->data(); }
  std::span<const uint8_t> bytes() const {
    return closed_ ? std::span<const uint8_t>() : file_->data();
  }
  uint64_t length() const { return bytes().size(); }
  const std::string& path() const { return path_; }

  // Makes sure the bytes below `end` have disk blocks before entries are stored there (see
  // MappedFile::allocate): disk full becomes an error, not SIGBUS. Reserves 64 KiB at a time.
  absl::Status ensure_allocated(uint64_t end);
  absl::Status resize(uint64_t length);
  absl::Status sync();
  absl::Status close();
  // Points the object at a renamed file (the mapping is unaffected by a rename).
  void set_path(std::string path) { path_ = std::move(path); }

 private:
  MappedIndex(std::string path, std::unique_ptr<MappedFile> file)
      : path_(std::move(path)), file_(std::move(file)) {}

  std::string path_;
  std::mutex mu_;
  std::unique_ptr<MappedFile> file_;
  uint64_t allocated_ = 0;  // bytes known to have blocks (owner thread)
  bool closed_ = false;
};

}  // namespace keel::storage
