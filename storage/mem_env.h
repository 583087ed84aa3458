// File: storage/mem_env.h
// MemEnv: an Env whose files live in memory. For simulations and tests that run thousands of
// logs (the Raft simulation wraps one per node in a FaultEnv, which models durability itself),
// where a real disk's syscalls would dominate. Semantics follow POSIX where the log relies on
// them: a removed or renamed-over file stays readable through handles opened before; a mapped
// file's bytes are the file's bytes; directories must exist before files are created in them.
//
// Thread-safety: one mutex guards the name space; file contents are not locked (one owner
// per file, as for the log). Syncs are no-ops.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "storage/env.h"

namespace keel::storage {

class MemEnv final : public Env {
 public:
  MemEnv() = default;
  MemEnv(const MemEnv&) = delete;
  MemEnv& operator=(const MemEnv&) = delete;

  absl::StatusOr<std::unique_ptr<WritableFile>> open_writable(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> open_readable(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<MappedFile>> open_mapped(const std::string& path,
                                                          uint64_t size) override;
  bool exists(const std::string& path) override;
  absl::StatusOr<uint64_t> file_size(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> list_dir(const std::string& dir) override;
  absl::Status create_dir(const std::string& dir) override;
  absl::Status remove_file(const std::string& path) override;
  absl::Status remove_dir(const std::string& dir) override;
  absl::Status rename(const std::string& from, const std::string& to) override;
  absl::Status truncate_file(const std::string& path, uint64_t size) override;
  absl::Status sync_dir(const std::string& dir) override;

  // Total bytes held by live files (for tests that bound memory).
  uint64_t total_bytes() const;

  using Data = std::vector<uint8_t>;

 private:
  bool parent_exists(const std::string& path) const;
  // The file at `path`, created empty when missing; NotFound when its directory is. Holds mu_.
  absl::StatusOr<std::shared_ptr<Data>> file_or_create(const std::string& path);

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Data>> files_;
  std::set<std::string> dirs_;
};

}  // namespace keel::storage
