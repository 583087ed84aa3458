// File: storage/log_segment_internal.h
// Constants and helpers shared by the log_segment*.cc files. Internal to storage/.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "protocol/error_code.h"
#include "protocol/records/record_batch.h"
#include "storage/batch_scanner.h"
#include "storage/env.h"
#include "storage/log_segment.h"

namespace keel::storage::segment_internal {

inline constexpr size_t kReadBuffer = 8 * 1024;           // short scans on the read path
inline constexpr size_t kRecoveryBuffer = 1024 * 1024;    // sequential rescans
inline constexpr size_t kMaxDecompressed = 256ull << 20;  // timestamp search in one batch

inline absl::Status remove_if_exists(Env* env, const std::string& path) {
  if (!env->exists(path)) return absl::OkStatus();
  return env->remove_file(path);
}

// A segment that does not parse where the index says batches are: never "no data".
inline absl::Status corrupt_segment(const std::string& path, const BatchScanner& scanner) {
  return protocol::kafka_error(protocol::ErrorCode::kKafkaStorageError,
                               "segment " + path + " is corrupt: " + scanner.problem(),
                               absl::StatusCode::kDataLoss);
}

inline BatchMeta meta_of(const protocol::RecordBatchHeader& h) {
  return BatchMeta{h.base_offset, h.last_offset(), h.max_timestamp,
                   static_cast<uint32_t>(h.size_in_bytes())};
}

}  // namespace keel::storage::segment_internal
