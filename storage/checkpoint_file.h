// File: storage/checkpoint_file.h
// Kafka's text checkpoint files (docs/storage-format.md):
//   line 1: version (0)
//   line 2: number of entries
//   then one entry per line, fields separated by one space:
//     offset checkpoints (per log dir):   `<topic> <partition> <offset>`
//     leader-epoch-checkpoint (per log):  `<epoch> <start offset>`
// Written with Env::write_file_atomically (a crash leaves the old or the new file); a file
// that does not parse is an error (DataLoss, KAFKA_STORAGE_ERROR) naming the line.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/env.h"
#include "storage/topic_partition.h"

namespace keel::storage {

using OffsetMap = std::map<TopicPartition, int64_t>;

absl::Status write_offset_checkpoint(Env* env, const std::string& path, const OffsetMap& offsets);
// A missing file reads as empty.
absl::StatusOr<OffsetMap> read_offset_checkpoint(Env* env, const std::string& path);

// Serialization without the file, for tests and the epoch cache.
std::string format_offset_checkpoint(const OffsetMap& offsets);
absl::StatusOr<OffsetMap> parse_offset_checkpoint(std::string_view text);
std::string format_epoch_checkpoint(const std::vector<std::pair<int32_t, int64_t>>& entries);
absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> parse_epoch_checkpoint(
    std::string_view text);

}  // namespace keel::storage
