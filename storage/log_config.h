// File: storage/log_config.h
// The per-partition log settings, named after Kafka's topic configs, with Kafka's defaults,
// and a parser from Kafka's string key/value form (CreateTopics / AlterConfigs / properties).
//
// A LogConfig is a plain value: copy it freely; it is immutable once a Log has it.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace keel::storage {

enum class TimestampType : uint8_t { kCreateTime, kLogAppendTime };

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

struct LogConfig {
  // segment.bytes: a segment rolls before an append that would make it larger.
  int64_t segment_bytes = 1LL << 30;
  // segment.ms: a segment rolls once its first batch is this old.
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;
  // segment.index.bytes: size the offset and time indexes are pre-allocated to; a segment
  // rolls when either index is full.
  int64_t segment_index_bytes = 10LL * 1024 * 1024;
  // index.interval.bytes: bytes of batches between two offset-index entries.
  int64_t index_interval_bytes = 4096;
  // max.message.bytes: the largest batch (whole, header included) an append accepts.
  int64_t max_message_bytes = 1048588;
  // flush.messages / flush.ms: flush_due() becomes true after this many records or this long
  // since the last flush. Default never: durability comes from replication, as in Kafka.
  int64_t flush_messages = kNever;
  int64_t flush_ms = kNever;
  // retention.ms: segments whose newest timestamp is older than this are deleted; -1 = keep.
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;
  // retention.bytes: the oldest segments are deleted while the log is larger; -1 = no limit.
  int64_t retention_bytes = -1;
  // cleanup.policy: "delete", "compact" or "compact,delete" (either order).
  bool cleanup_delete = true;
  bool cleanup_compact = false;
  // delete.retention.ms: how long the cleaner keeps tombstones (compaction).
  int64_t delete_retention_ms = 24LL * 3600 * 1000;
  // message.timestamp.type: CreateTime keeps the producer's timestamps; LogAppendTime stamps
  // the broker's clock into every batch.
  TimestampType timestamp_type = TimestampType::kCreateTime;
  // min.compaction.lag.ms: records younger than this are not compacted.
  int64_t min_compaction_lag_ms = 0;

  bool operator==(const LogConfig&) const = default;
};

// The Kafka names this parser understands (others are accepted by the broker's config layer
// but do not concern the log).
const std::vector<std::string_view>& log_config_names();

// Applies Kafka-style settings on top of `base`: keys are Kafka topic config names, values
// their string form. Unknown keys are ignored when `ignore_unknown` (a topic config the log
// does not use, e.g. min.insync.replicas), an INVALID_CONFIG error otherwise. Bad values
// (not a number, out of range, unknown enum) are INVALID_CONFIG naming the key and value.
absl::StatusOr<LogConfig> parse_log_config(
    const std::vector<std::pair<std::string, std::string>>& settings, LogConfig base = {},
    bool ignore_unknown = true);

// The config as Kafka name → value strings (DescribeConfigs), in log_config_names() order.
std::vector<std::pair<std::string, std::string>> describe_log_config(const LogConfig& config);

}  // namespace keel::storage
