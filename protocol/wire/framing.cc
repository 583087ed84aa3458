#include "protocol/wire/framing.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace keel::protocol {

absl::StatusOr<int32_t> parse_frame_size(std::span<const uint8_t, kFrameSizeBytes> prefix,
                                         int32_t max_frame_bytes) {
  const uint32_t raw = (uint32_t{prefix[0]} << 24) | (uint32_t{prefix[1]} << 16) |
                       (uint32_t{prefix[2]} << 8) | uint32_t{prefix[3]};
  const int32_t size = static_cast<int32_t>(raw);
  if (size <= 0) return absl::InvalidArgumentError(absl::StrCat("invalid frame size ", size));
  if (size > max_frame_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("frame of ", size, " bytes exceeds the limit of ", max_frame_bytes));
  }
  return size;
}

void FrameAssembler::feed(std::span<const uint8_t> bytes) {
  if (!status_.ok()) return;
  // Drop what earlier frames used before growing, so the buffer stays about one frame long.
  if (consumed_ > 0 && consumed_ >= pending_.size() / 2) {
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(consumed_));
    consumed_ = 0;
  }
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
}

std::optional<Bytes> FrameAssembler::next() {
  if (!status_.ok()) return std::nullopt;
  const size_t available = pending_.size() - consumed_;
  if (available < kFrameSizeBytes) return std::nullopt;
  std::span<const uint8_t, kFrameSizeBytes> prefix(pending_.data() + consumed_, kFrameSizeBytes);
  absl::StatusOr<int32_t> size = parse_frame_size(prefix, max_);
  if (!size.ok()) {
    status_ = size.status();
    return std::nullopt;
  }
  if (available - kFrameSizeBytes < static_cast<size_t>(*size)) return std::nullopt;
  const uint8_t* start = pending_.data() + consumed_ + kFrameSizeBytes;
  Bytes frame(start, start + *size);
  consumed_ += kFrameSizeBytes + static_cast<size_t>(*size);
  return frame;
}

}  // namespace keel::protocol
