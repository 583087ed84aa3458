// File: storage/batch_scanner.h
// Sequential reader of the record batches stored in a region of a segment file, through a
// buffer so that walking small batches costs few reads. Checks framing only (header present,
// magic 2, batchLength sane, batch inside the region); callers check CRCs with batch().
//
// Lifetime: the file must outlive the scanner; spans it returns are valid until next().
// Thread-safety: one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/records/record_batch.h"
#include "storage/env.h"

namespace keel::storage {

class BatchScanner {
 public:
  enum class Step { kBatch, kEnd, kCorrupt };

  // Scans [start, end) of `file`. Batches larger than `max_batch_bytes` count as corrupt.
  BatchScanner(const RandomAccessFile& file, uint64_t start, uint64_t end, size_t buffer_size,
               uint64_t max_batch_bytes = UINT32_MAX);

  // Moves to the batch after the current one (the first call reads the batch at `start`).
  // kEnd exactly at `end`; kCorrupt (see problem()) when the bytes there are not a batch.
  // An error status only for I/O failures.
  absl::StatusOr<Step> next();

  const protocol::RecordBatchHeader& header() const { return header_; }
  uint64_t position() const { return position_; }
  uint64_t batch_size() const { return header_.size_in_bytes(); }
  // The whole current batch.
  absl::StatusOr<std::span<const uint8_t>> batch();
  const std::string& problem() const { return problem_; }

 private:
  // The bytes [pos, pos + n) of the file, through the buffer when they fit in it.
  absl::StatusOr<std::span<const uint8_t>> fetch(uint64_t pos, size_t n);

  const RandomAccessFile& file_;
  uint64_t next_ = 0;  // position of the next batch
  uint64_t end_;
  uint64_t max_batch_bytes_;
  size_t buffer_size_;
  std::vector<uint8_t> buffer_;
  uint64_t buffer_pos_ = 0;  // file position of buffer_[0]
  size_t buffer_len_ = 0;
  std::vector<uint8_t> large_;  // a batch larger than the buffer
  protocol::RecordBatchHeader header_;
  uint64_t position_ = 0;
  std::string problem_;
};

}  // namespace keel::storage
