#include "storage/file_slice.h"

#include "protocol/error_code.h"
#include "protocol/status.h"

namespace keel::storage {

absl::StatusOr<protocol::Bytes> read_slice(const FileSlice& slice) {
  protocol::Bytes out(slice.size);
  if (slice.size == 0) return out;
  KEEL_ASSIGN_OR_RETURN(size_t n, slice.file->read(slice.position, std::span<uint8_t>(out)));
  if (n != slice.size) {
    return protocol::kafka_error(protocol::ErrorCode::kKafkaStorageError,
                                 "segment file is shorter than the slice read from it");
  }
  return out;
}

}  // namespace keel::storage
