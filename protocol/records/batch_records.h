// File: protocol/records/batch_records.h
// The records of one batch ready to iterate: viewed in place when uncompressed, decompressed
// into an owned buffer otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "absl/status/statusor.h"
#include "protocol/records/record_batch.h"
#include "protocol/records/record_reader.h"
#include "protocol/wire/types.h"

namespace keel::protocol {

class BatchRecords {
 public:
  // Opens `batch`, which should have passed validate_batch and must outlive the result when
  // uncompressed. Decompression stops with MESSAGE_TOO_LARGE past `max_decompressed` bytes.
  // A batch declaring no records is not decompressed at all (Kafka does not either).
  static absl::StatusOr<BatchRecords> open(std::span<const uint8_t> batch, size_t max_decompressed);

  const RecordBatchHeader& header() const { return header_; }
  // The uncompressed records area.
  std::span<const uint8_t> records() const {
    return compressed_ ? std::span<const uint8_t>(owned_) : view_;
  }
  RecordReader reader() const { return RecordReader(records(), header_.record_count); }

 private:
  RecordBatchHeader header_;
  bool compressed_ = false;
  std::span<const uint8_t> view_;  // the batch's records area, when not compressed
  Bytes owned_;                    // decompressed records, when compressed
};

}  // namespace keel::protocol
