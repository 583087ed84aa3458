#include "storage/batch_scanner.h"

#include <algorithm>

#include "protocol/error_code.h"
#include "protocol/status.h"

namespace keel::storage {

namespace layout = protocol::batch_layout;

BatchScanner::BatchScanner(const RandomAccessFile& file, uint64_t start, uint64_t end,
                           size_t buffer_size, uint64_t max_batch_bytes)
    : file_(file),
      next_(start),
      end_(end),
      max_batch_bytes_(max_batch_bytes),
      buffer_size_(std::max<size_t>(buffer_size, layout::kHeaderSize)) {}

absl::StatusOr<std::span<const uint8_t>> BatchScanner::fetch(uint64_t pos, size_t n) {
  if (pos >= buffer_pos_ && pos + n <= buffer_pos_ + buffer_len_) {
    return std::span<const uint8_t>(buffer_.data() + (pos - buffer_pos_), n);
  }
  std::vector<uint8_t>* target = &buffer_;
  size_t want = std::min<uint64_t>(std::max(buffer_size_, n), end_ - pos);
  if (n > buffer_size_) {
    target = &large_;
    want = n;
  }
  target->resize(want);
  KEEL_ASSIGN_OR_RETURN(size_t got, file_.read(pos, std::span<uint8_t>(*target)));
  if (target == &buffer_) {
    buffer_pos_ = pos;
    buffer_len_ = got;
  }
  if (got < n) {
    return protocol::kafka_error(
        protocol::ErrorCode::kKafkaStorageError,
        "segment file shorter than expected at position " + std::to_string(pos + got));
  }
  return std::span<const uint8_t>(target->data(), n);
}

absl::StatusOr<BatchScanner::Step> BatchScanner::next() {
  position_ = next_;
  if (position_ >= end_) return Step::kEnd;
  const uint64_t left = end_ - position_;
  if (left < layout::kHeaderSize) {
    problem_ = "truncated batch header (" + std::to_string(left) + " bytes) at position " +
               std::to_string(position_);
    return Step::kCorrupt;
  }
  KEEL_ASSIGN_OR_RETURN(auto bytes, fetch(position_, layout::kHeaderSize));
  KEEL_ASSIGN_OR_RETURN(header_, protocol::parse_batch_header(bytes));
  const std::string at = " at position " + std::to_string(position_);
  if (header_.magic != protocol::kRecordBatchMagic) {
    problem_ = "bad magic " + std::to_string(header_.magic) + at;
    return Step::kCorrupt;
  }
  if (header_.batch_length < layout::kMinBatchLength) {
    problem_ = "bad batch length " + std::to_string(header_.batch_length) + at;
    return Step::kCorrupt;
  }
  if (header_.size_in_bytes() > left) {
    problem_ = "torn batch: " + std::to_string(header_.size_in_bytes()) + " bytes declared, " +
               std::to_string(left) + " present" + at;
    return Step::kCorrupt;
  }
  if (header_.size_in_bytes() > max_batch_bytes_) {
    problem_ = "batch of " + std::to_string(header_.size_in_bytes()) + " bytes is too large" + at;
    return Step::kCorrupt;
  }
  next_ = position_ + header_.size_in_bytes();
  return Step::kBatch;
}

absl::StatusOr<std::span<const uint8_t>> BatchScanner::batch() {
  return fetch(position_, header_.size_in_bytes());
}

}  // namespace keel::storage
