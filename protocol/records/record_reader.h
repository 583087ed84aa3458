// File: protocol/records/record_reader.h
// Lazy, allocation-free iteration over the records of a batch (magic 2). Each record is
// bounds-checked when reached, and yielded as views into the records buffer, which must
// outlive the views.
//
// Malformed records are INVALID_RECORD, as Kafka's record iterator reports them
// (InvalidRecordException: premature end, size mismatch, bad header count, bytes left over).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace keel::protocol {

using ByteView = std::span<const uint8_t>;

struct RecordHeaderView {
  std::string_view key;           // never null on the wire
  std::optional<ByteView> value;  // nullopt = null
};

// The headers of one record; already validated when the record was read.
class HeaderReader {
 public:
  HeaderReader() = default;
  HeaderReader(ByteView bytes, uint32_t count) : bytes_(bytes), count_(count) {}

  uint32_t count() const { return count_; }
  // The next header; false after the last.
  bool next(RecordHeaderView& out);

 private:
  ByteView bytes_;
  uint32_t count_ = 0;
  uint32_t index_ = 0;
  size_t pos_ = 0;
};

struct RecordView {
  int8_t attributes = 0;  // unused by Kafka so far
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  std::optional<ByteView> key;    // nullopt = null key
  std::optional<ByteView> value;  // nullopt = null value (a tombstone)
  uint32_t header_count = 0;
  ByteView header_bytes;  // the encoded headers
  ByteView encoded;       // the whole record, its length prefix included

  HeaderReader headers() const { return HeaderReader(header_bytes, header_count); }
};

// Usage:
//   RecordReader reader(records_area, header.record_count);
//   RecordView r;
//   while (reader.next(r)) use(r);
//   KEEL_RETURN_IF_ERROR(reader.status());
class RecordReader {
 public:
  // `records` is an uncompressed records area (a batch's bytes after offset 61, or the
  // decompressed blob) declared to hold `record_count` records.
  RecordReader(ByteView records, int32_t record_count);

  // A reader over the records of an uncompressed batch; the batch should have passed
  // validate_batch. Fails (UNSUPPORTED_COMPRESSION_TYPE) for a compressed batch: use
  // BatchRecords (batch_records.h) for those.
  static absl::StatusOr<RecordReader> for_batch(ByteView batch);

  // Reads the next record into `out`. False after the last declared record or on an error.
  bool next(RecordView& out);

  // OK at the clean end: all declared records read and no bytes left over (Kafka checks the
  // leftover only for batches with records).
  absl::Status status() const { return status_; }
  // Records not yet read.
  int32_t remaining() const { return remaining_; }

 private:
  bool fail(const std::string& reason);

  ByteView records_;
  size_t pos_ = 0;
  int32_t remaining_;
  int32_t index_ = 0;
  bool check_leftover_;
  bool done_ = false;
  absl::Status status_;
};

}  // namespace keel::protocol
