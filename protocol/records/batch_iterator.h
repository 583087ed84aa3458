// File: protocol/records/batch_iterator.h
// Walks the consecutive record batches of a records region (a Produce partition's records, a
// Fetch response's records, a log segment). Only the framing is checked here (length field,
// magic); validate_batch checks each batch's contents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/wire/types.h"

namespace keel::protocol {

// Usage:
//   BatchIterator it(records);
//   while (it.next()) use(it.batch());
//   KEEL_RETURN_IF_ERROR(it.status());
class BatchIterator {
 public:
  explicit BatchIterator(std::span<const uint8_t> region) : region_(region) {}
  explicit BatchIterator(RecordsView region) : region_(region.span()) {}

  // Moves to the next whole batch. False at the end of the region or on a framing error.
  bool next();

  // The current batch, header included (valid after next() returned true).
  std::span<const uint8_t> batch() const { return batch_; }
  // Byte position of the current batch within the region.
  size_t batch_position() const { return batch_pos_; }

  // OK at a clean end. CORRUPT_MESSAGE for a bad length field or a batch running past the end
  // of the region; INVALID_RECORD for a magic other than 2.
  absl::Status status() const { return status_; }

  // True when iteration stopped only because the last batch is cut short. A Fetch response may
  // legally end that way (the broker trims to max_bytes), so Fetch readers can ignore it.
  bool partial_tail() const { return partial_tail_; }

 private:
  bool fail(absl::Status status, bool partial);

  std::span<const uint8_t> region_;
  size_t pos_ = 0;
  size_t batch_pos_ = 0;
  std::span<const uint8_t> batch_;
  absl::Status status_;
  bool partial_tail_ = false;
  bool done_ = false;
};

// All batches of `region`, or the first framing error.
absl::StatusOr<std::vector<std::span<const uint8_t>>> split_batches(RecordsView region);

}  // namespace keel::protocol
