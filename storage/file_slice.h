// File: storage/file_slice.h
// A byte range of a log segment file, returned by Log::read for the fetch path: the server
// sends it with sendfile(2) (plaintext) or copies it (TLS, tests).
//
// Lifetime: the shared_ptr keeps the file open, so a slice stays readable even after retention
// or truncation removed its segment from the log (the bytes were whole batches when read;
// truncate_to may later cut them, as in Kafka).
// Thread-safety: a FileSlice is an immutable value; it may be read from any thread.
#pragma once

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "protocol/wire/types.h"
#include "storage/env.h"

namespace keel::storage {

struct FileSlice {
  std::shared_ptr<const RandomAccessFile> file;  // null for an empty slice
  uint64_t position = 0;
  uint64_t size = 0;

  bool empty() const { return size == 0; }
};

// Copies the slice's bytes into memory. KAFKA_STORAGE_ERROR if the file is shorter than the
// slice (it was truncated since) or cannot be read.
absl::StatusOr<protocol::Bytes> read_slice(const FileSlice& slice);

}  // namespace keel::storage
