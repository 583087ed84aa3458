// The shared I/O error shape; see storage/io_error.h.
#include "storage/io_error.h"

#include <cerrno>
#include <cstring>

#include "protocol/error_code.h"

namespace keel::storage {

absl::Status io_error(std::string_view what, const std::string& path, int err) {
  std::string message = std::string(what) + " " + path + ": " + std::strerror(err);
  const absl::StatusCode code = err == ENOSPC || err == EDQUOT
                                    ? absl::StatusCode::kResourceExhausted
                                : err == ENOENT ? absl::StatusCode::kNotFound
                                                : absl::StatusCode::kUnavailable;
  return protocol::kafka_error(protocol::ErrorCode::kKafkaStorageError, message, code);
}

}  // namespace keel::storage
