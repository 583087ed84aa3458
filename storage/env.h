// File: storage/env.h
// The thin file-system interface every storage component goes through (LevelDB's Env idea).
// PosixEnv is the real one; tests substitute FaultEnv (storage/fault_env.h), which injects
// torn writes, ENOSPC, EIO and crashes that lose everything not synced.
//
// Errors: an I/O failure returns a Status carrying KAFKA_STORAGE_ERROR (protocol/error_code.h);
// ENOSPC is absl::ResourceExhausted, other errors absl::Unavailable / NotFound, so callers can
// tell "disk full" (retry when space returns) from "file missing".
//
// Thread-safety: an Env may be used from any thread. A file object is used by one thread at a
// time, except that sync() may run on a flusher thread while the owner appends (the kernel
// orders these; sync covers at least everything appended before it started).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/clock.h"

namespace keel::storage {

// An append-only file (log segments).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of `data` (retrying short writes); on error nothing is known about how much
  // was written, so the caller truncates back to its last known size.
  virtual absl::Status append(std::span<const uint8_t> data) = 0;
  // Appends the parts in order with one writev where possible.
  virtual absl::Status append_vectored(std::span<const std::span<const uint8_t>> parts) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual absl::Status sync() = 0;
  // Cuts the file to `size` bytes; later appends continue from there.
  virtual absl::Status truncate(uint64_t size) = 0;
  virtual absl::Status close() = 0;
  // Bytes in the file as this handle knows them (appends included).
  virtual uint64_t size() const = 0;
};

// Positional reads of a file that may be growing (segments being read while appended).
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to dst.size() bytes at `offset`; fewer only at end of file.
  virtual absl::StatusOr<size_t> read(uint64_t offset, std::span<uint8_t> dst) const = 0;
  // Current size of the file on disk.
  virtual absl::StatusOr<uint64_t> size() const = 0;
  // A file descriptor usable with sendfile(2), or -1 when the file is not a real one.
  virtual int native_handle() const { return -1; }
};

// A memory-mapped file of a fixed length (offset and time indexes: preallocated, trimmed on
// roll). Writes through data() reach the file; sync() makes them durable.
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  virtual std::span<uint8_t> data() = 0;
  virtual std::span<const uint8_t> data() const = 0;
  virtual absl::Status sync() = 0;
  // Changes the file's length (growing fills with zeros) and remaps it.
  virtual absl::Status resize(uint64_t size) = 0;
  virtual absl::Status close() = 0;
  // Reserves disk blocks for [offset, offset + length) so that writes through data() there
  // cannot fail later: a store into an unallocated page of a full disk raises SIGBUS instead
  // of returning ENOSPC. The default (files that are not real) has nothing to reserve.
  virtual absl::Status allocate(uint64_t offset, uint64_t length) {
    (void)offset;
    (void)length;
    return absl::OkStatus();
  }
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX environment.
  static Env* posix();

  // Opens `path` for appending, creating it if missing (existing content is kept).
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> open_writable(const std::string& path) = 0;
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>> open_readable(
      const std::string& path) = 0;
  // Opens or creates `path` and sets its length to `size` before mapping it.
  virtual absl::StatusOr<std::unique_ptr<MappedFile>> open_mapped(const std::string& path,
                                                                  uint64_t size) = 0;

  virtual bool exists(const std::string& path) = 0;
  virtual absl::StatusOr<uint64_t> file_size(const std::string& path) = 0;
  // Names (not paths) of the entries in `dir`, without "." and "..".
  virtual absl::StatusOr<std::vector<std::string>> list_dir(const std::string& dir) = 0;
  // Creates `dir` and missing parents; OK if it exists.
  virtual absl::Status create_dir(const std::string& dir) = 0;
  virtual absl::Status remove_file(const std::string& path) = 0;
  // Removes `dir` and everything below it.
  virtual absl::Status remove_dir(const std::string& dir) = 0;
  virtual absl::Status rename(const std::string& from, const std::string& to) = 0;
  virtual absl::Status truncate_file(const std::string& path, uint64_t size) = 0;
  // Makes creations, renames and removals inside `dir` durable.
  virtual absl::Status sync_dir(const std::string& dir) = 0;

  // Whole-file helpers for small files (checkpoints, markers).
  virtual absl::StatusOr<std::string> read_file(const std::string& path);
  // Writes `path.tmp`, syncs it, renames it over `path` and syncs the directory: after a crash
  // the file holds either the old or the new contents, never a mix.
  virtual absl::Status write_file_atomically(const std::string& path, std::string_view contents);
};

// Joins a directory and a name with exactly one '/'.
std::string join_path(std::string_view dir, std::string_view name);

}  // namespace keel::storage
