// File: protocol/records/record_batch_builder.h
// Builds v2 record batches: encodes records, compresses the records area, fills the header
// (lastOffsetDelta, timestamps, length) and computes the CRC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/records/record_batch.h"
#include "protocol/records/record_reader.h"
#include "protocol/wire/types.h"

namespace keel::protocol {

struct HeaderInput {
  std::string_view key;
  std::optional<ByteView> value;  // nullopt = null
};

struct RecordInput {
  int64_t timestamp = 0;          // absolute, milliseconds
  std::optional<ByteView> key;    // nullopt = null
  std::optional<ByteView> value;  // nullopt = null (tombstone)
  std::span<const HeaderInput> headers;
};

struct BatchOptions {
  Compression compression = Compression::kNone;
  int64_t base_offset = 0;
  int32_t partition_leader_epoch = -1;
  // Idempotent/transactional producers set these; -1 means none.
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  bool transactional = false;
  bool control = false;  // for markers; see build_end_txn_marker_batch
};

class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(BatchOptions options = {}) : options_(options) {}

  // Appends a record with offsetDelta = its index. The first record's timestamp becomes the
  // batch's baseTimestamp. Problems (sizes past int32) are reported by build().
  void append(const RecordInput& record);

  int32_t record_count() const { return count_; }
  // Encoded size of the records so far, before compression.
  size_t records_size() const { return records_.size(); }

  // The finished batch. The builder is unchanged and can keep appending.
  absl::StatusOr<Bytes> build() const;

 private:
  BatchOptions options_;
  Bytes records_;
  int32_t count_ = 0;
  int64_t base_timestamp_ = -1;
  int64_t max_timestamp_ = -1;
  absl::Status error_;
};

}  // namespace keel::protocol
