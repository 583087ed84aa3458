#include "broker/topic_config/topic_config_defs.h"

#include <algorithm>
#include <charconv>

#include "broker/config/config_values.h"
#include "protocol/error_code.h"

namespace keel::broker {
namespace {

using protocol::ErrorCode;
using T = DescribedType;

constexpr int64_t kLongMax = std::numeric_limits<int64_t>::max();

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// INVALID_CONFIG for a well-formed value Keel does not implement.
absl::Status unsupported(std::string_view name, std::string_view value, std::string_view why) {
  return protocol::kafka_error(
      ErrorCode::kInvalidConfig,
      std::string(name) + "=" + std::string(trim(value)) + " is " + std::string(why));
}

// ---- checks beyond type, range and allowed values ------------------------------------------

absl::Status check_cleanup_policy(std::string_view name, std::string_view value) {
  if (split_list(value).empty()) {
    return invalid_topic_config(name, value, "expected delete, compact or both");
  }
  return absl::OkStatus();
}

absl::Status check_compression(std::string_view name, std::string_view value) {
  if (trim(value) != "producer") {
    return unsupported(name, value,
                       "not supported yet: Keel stores batches as produced (use producer)");
  }
  return absl::OkStatus();
}

absl::Status check_false_only(std::string_view name, std::string_view value, std::string_view why) {
  if (parse_bool(trim(value)).value_or(false)) return unsupported(name, value, why);
  return absl::OkStatus();
}

absl::Status check_preallocate(std::string_view name, std::string_view value) {
  return check_false_only(name, value, "not supported: Keel does not preallocate segment files");
}

absl::Status check_remote_storage(std::string_view name, std::string_view value) {
  return check_false_only(name, value, "not supported: Keel has no tiered storage");
}

absl::Status check_segment_jitter(std::string_view name, std::string_view value) {
  if (parse_config_long(value).value_or(0) != 0) {
    return unsupported(name, value, "not supported yet: segments roll exactly at segment.ms");
  }
  return absl::OkStatus();
}

absl::Status check_timestamp_bound(std::string_view name, std::string_view value) {
  if (parse_config_long(value).value_or(kLongMax) != kLongMax) {
    return unsupported(name, value,
                       "not supported yet: Keel does not check record timestamps against its "
                       "clock (only the default, 9223372036854775807, is accepted)");
  }
  return absl::OkStatus();
}

absl::Status check_max_compaction_lag(std::string_view name, std::string_view value) {
  if (parse_config_long(value).value_or(kLongMax) != kLongMax) {
    return unsupported(name, value,
                       "not supported yet: compaction is scheduled by min.cleanable.dirty.ratio "
                       "only (only the default, 9223372036854775807, is accepted)");
  }
  return absl::OkStatus();
}

// "*" alone, or items "<partition>:<broker id>".
absl::Status check_throttled_replicas(std::string_view name, std::string_view value) {
  std::vector<std::string> items = split_list(value);
  if (items.size() == 1 && items[0] == "*") return absl::OkStatus();
  for (const std::string& item : items) {
    size_t colon = item.find(':');
    auto digits = [](std::string_view s) {
      return !s.empty() &&
             std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (colon == std::string::npos || !digits(std::string_view(item).substr(0, colon)) ||
        !digits(std::string_view(item).substr(colon + 1))) {
      return invalid_topic_config(name, value,
                                  "expected * or a list of <partition>:<broker id> pairs");
    }
  }
  return absl::OkStatus();
}

// A Kafka release version such as 2.8, 3.0-IV1 or 0.10.2-IV0. The setting is ignored as in
// Kafka 3.x (whose inter-broker protocol is always 3.0 or later): batches are format v2.
absl::Status check_format_version(std::string_view name, std::string_view value) {
  std::string_view v = trim(value);
  size_t dash = v.find('-');
  std::string_view release = v.substr(0, dash);
  bool ok = !release.empty();
  int parts = 0;
  for (size_t start = 0; ok && start <= release.size(); ++parts) {
    size_t dot = release.find('.', start);
    if (dot == std::string_view::npos) dot = release.size();
    std::string_view part = release.substr(start, dot - start);
    ok = !part.empty() &&
         std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    start = dot + 1;
  }
  ok = ok && parts >= 2 && parts <= 3;
  if (ok && dash != std::string_view::npos) {
    std::string_view iv = v.substr(dash + 1);
    ok = iv.size() > 2 && iv.substr(0, 2) == "IV" &&
         std::all_of(iv.begin() + 2, iv.end(), [](char c) { return c >= '0' && c <= '9'; });
  }
  if (!ok) return invalid_topic_config(name, value, "expected a Kafka version such as 3.0-IV1");
  return absl::OkStatus();
}

// ---- node defaults from the typed broker config ----------------------------------------------

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}
std::string bool_text(bool b) { return b ? "true" : "false"; }

// clang-format off
const TopicConfigSpec kSpecs[] = {
    {.name = "cleanup.policy", .type = T::kList, .kafka_default = "delete",
     .allowed = "compact,delete", .broker_synonyms = {"log.cleanup.policy"},
     .node_default = [](const BrokerConfig& c) { return join(c.log_cleanup_policy); },
     .check = check_cleanup_policy,
     .doc = "How old data goes: delete (by retention), compact (keep the last record per key), "
            "or both."},
    {.name = "compression.type", .type = T::kString, .kafka_default = "producer",
     .allowed = "uncompressed,zstd,lz4,snappy,gzip,producer",
     .broker_synonyms = {"compression.type"}, .check = check_compression,
     .doc = "Codec of stored batches. Keel supports producer only: batches stay as the "
            "producer compressed them."},
    {.name = "delete.retention.ms", .type = T::kLong, .kafka_default = "86400000", .min = 0,
     .broker_synonyms = {"log.cleaner.delete.retention.ms"},
     .node_default = [](const BrokerConfig& c) {
       return std::to_string(c.log_cleaner_delete_retention_ms);
     },
     .doc = "How long compaction keeps tombstones (delete markers) for consumers to see."},
    {.name = "file.delete.delay.ms", .type = T::kLong, .kafka_default = "60000", .min = 0,
     .broker_synonyms = {"log.segment.delete.delay.ms"},
     .doc = "Grace period before a removed segment's files go. Keel removes them at once; "
            "reads in progress keep their open files."},
    {.name = "flush.messages", .type = T::kLong, .kafka_default = "9223372036854775807",
     .min = 1, .broker_synonyms = {"log.flush.interval.messages"},
     .node_default = [](const BrokerConfig& c) {
       return std::to_string(c.log_flush_interval_messages);
     },
     .doc = "fsync the log after this many records; the default leaves durability to "
            "replication."},
    {.name = "flush.ms", .type = T::kLong, .kafka_default = "9223372036854775807", .min = 0,
     .broker_synonyms = {"log.flush.interval.ms", "log.flush.scheduler.interval.ms"},
     .node_default = [](const BrokerConfig& c) {
       return std::to_string(c.log_flush_interval_ms);
     },
     .doc = "fsync the log once unflushed data is this old; the default never does."},
    {.name = "follower.replication.throttled.replicas", .type = T::kList, .kafka_default = "",
     .check = check_throttled_replicas,
     .doc = "Replicas (partition:broker, or *) marked for follower-side replication "
            "throttling. Keel has no throttle rates, so marking has no effect."},
    {.name = "index.interval.bytes", .type = T::kInt, .kafka_default = "4096", .min = 0,
     .broker_synonyms = {"log.index.interval.bytes"},
     .node_default = [](const BrokerConfig& c) {
       return std::to_string(c.log_index_interval_bytes);
     },
     .doc = "Bytes of batches between two entries of a segment's offset index."},
    {.name = "leader.replication.throttled.replicas", .type = T::kList, .kafka_default = "",
     .check = check_throttled_replicas,
     .doc = "Replicas (partition:broker, or *) marked for leader-side replication throttling. "
            "Keel has no throttle rates, so marking has no effect."},
    {.name = "local.retention.bytes", .type = T::kLong, .kafka_default = "-2", .min = -2,
     .broker_synonyms = {"log.local.retention.bytes"},
     .doc = "Local size limit under tiered storage (-2 = retention.bytes). Without tiered "
            "storage, which Keel lacks, it has no effect."},
    {.name = "local.retention.ms", .type = T::kLong, .kafka_default = "-2", .min = -2,
     .broker_synonyms = {"log.local.retention.ms"},
     .doc = "Local age limit under tiered storage (-2 = retention.ms). Without tiered storage, "
            "which Keel lacks, it has no effect."},
    {.name = "max.compaction.lag.ms", .type = T::kLong, .kafka_default = "9223372036854775807",
     .min = 1, .broker_synonyms = {"log.cleaner.max.compaction.lag.ms"},
     .check = check_max_compaction_lag,
     .doc = "Longest a record may wait to be compacted. Keel supports only the default (no "
            "limit)."},
    {.name = "max.message.bytes", .type = T::kInt, .kafka_default = "1048588", .min = 0,
     .broker_synonyms = {"message.max.bytes"},
     .node_default = [](const BrokerConfig& c) { return std::to_string(c.message_max_bytes); },
     .doc = "Largest record batch a produce may append to the topic."},
    {.name = "message.downconversion.enable", .type = T::kBoolean, .kafka_default = "true",
     .broker_synonyms = {"log.message.downconversion.enable"},
     .doc = "Whether old fetch versions may get batches converted to an old format. Keel "
            "serves record batch v2 only and never converts."},
    {.name = "message.format.version", .type = T::kString, .kafka_default = "3.0-IV1",
     .broker_synonyms = {"log.message.format.version"}, .check = check_format_version,
     .doc = "Deprecated record format version. Ignored, as by Kafka 3.x: batches are always "
            "format v2."},
    {.name = "message.timestamp.after.max.ms", .type = T::kLong,
     .kafka_default = "9223372036854775807", .min = 0,
     .broker_synonyms = {"log.message.timestamp.after.max.ms"}, .check = check_timestamp_bound,
     .doc = "How far ahead of the broker clock a record timestamp may be. Keel supports only "
            "the default (no check)."},
    {.name = "message.timestamp.before.max.ms", .type = T::kLong,
     .kafka_default = "9223372036854775807", .min = 0,
     .broker_synonyms = {"log.message.timestamp.before.max.ms"},
     .check = check_timestamp_bound,
     .doc = "How far behind the broker clock a record timestamp may be. Keel supports only "
            "the default (no check)."},
    {.name = "message.timestamp.difference.max.ms", .type = T::kLong,
     .kafka_default = "9223372036854775807", .min = 0,
     .broker_synonyms = {"log.message.timestamp.difference.max.ms"},
     .check = check_timestamp_bound,
     .doc = "Deprecated: largest gap between a record timestamp and the broker clock. Keel "
            "supports only the default (no check)."},
    {.name = "message.timestamp.type", .type = T::kString, .kafka_default = "CreateTime",
     .allowed = "CreateTime,LogAppendTime", .broker_synonyms = {"log.message.timestamp.type"},
     .node_default = [](const BrokerConfig& c) { return c.log_message_timestamp_type; },
     .doc = "Which timestamp records keep: the producer's (CreateTime) or the broker clock at "
            "append (LogAppendTime)."},
    {.name = "min.cleanable.dirty.ratio", .type = T::kDouble, .kafka_default = "0.5", .min = 0,
     .max = 1, .broker_synonyms = {"log.cleaner.min.cleanable.ratio"},
     .doc = "Compaction starts once this fraction of the log has not been compacted yet."},
    {.name = "min.compaction.lag.ms", .type = T::kLong, .kafka_default = "0", .min = 0,
     .broker_synonyms = {"log.cleaner.min.compaction.lag.ms"},
     .node_default = [](const BrokerConfig& c) {
       return std::to_string(c.log_cleaner_min_compaction_lag_ms);
     },
     .doc = "Records younger than this are never compacted."},
    {.name = "min.insync.replicas", .type = T::kInt, .kafka_default = "1", .min = 1,
     .broker_synonyms = {"min.insync.replicas"},
     .node_default = [](const BrokerConfig& c) { return std::to_string(c.min_insync_replicas); },
     .doc = "In-sync replicas an acks=all produce needs, else it fails with "
            "NOT_ENOUGH_REPLICAS."},
    {.name = "preallocate", .type = T::kBoolean, .kafka_default = "false",
     .broker_synonyms = {"log.preallocate"}, .check = check_preallocate,
     .doc = "Preallocate segment files when they are created. Keel supports only false."},
    {.name = "remote.storage.enable", .type = T::kBoolean, .kafka_default = "false",
     .check = check_remote_storage,
     .doc = "Tiered storage for the topic. Keel supports only false."},
    {.name = "retention.bytes", .type = T::kLong, .kafka_default = "-1",
     .broker_synonyms = {"log.retention.bytes"},
     .node_default = [](const BrokerConfig& c) { return std::to_string(c.log_retention_bytes); },
     .doc = "The oldest segments are deleted while a partition is larger than this; -1 = no "
            "limit."},
    {.name = "retention.ms", .type = T::kLong, .kafka_default = "604800000", .min = -1,
     .broker_synonyms = {"log.retention.ms", "log.retention.minutes", "log.retention.hours"},
     .node_default = [](const BrokerConfig& c) { return std::to_string(c.log_retention_ms); },
     .doc = "Segments whose newest record is older than this are deleted; -1 = keep "
            "forever."},
    {.name = "segment.bytes", .type = T::kInt, .kafka_default = "1073741824", .min = 14,
     .broker_synonyms = {"log.segment.bytes"},
     .node_default = [](const BrokerConfig& c) { return std::to_string(c.log_segment_bytes); },
     .doc = "A new segment starts before the active one would grow past this size."},
    {.name = "segment.index.bytes", .type = T::kInt, .kafka_default = "10485760", .min = 4,
     .broker_synonyms = {"log.index.size.max.bytes"},
     .node_default = [](const BrokerConfig& c) {
       return std::to_string(c.log_index_size_max_bytes);
     },
     .doc = "Size of each segment's offset and time index; a full index starts a new "
            "segment."},
    {.name = "segment.jitter.ms", .type = T::kLong, .kafka_default = "0", .min = 0,
     .broker_synonyms = {"log.roll.jitter.ms", "log.roll.jitter.hours"},
     .check = check_segment_jitter,
     .doc = "Random amount taken off segment.ms to spread segment rolls. Keel supports only "
            "0."},
    {.name = "segment.ms", .type = T::kLong, .kafka_default = "604800000", .min = 1,
     .broker_synonyms = {"log.roll.ms", "log.roll.hours"},
     .node_default = [](const BrokerConfig& c) { return std::to_string(c.log_roll_ms); },
     .doc = "A new segment starts once the active one's first batch is this old."},
    {.name = "unclean.leader.election.enable", .type = T::kBoolean, .kafka_default = "false",
     .broker_synonyms = {"unclean.leader.election.enable"},
     .node_default = [](const BrokerConfig& c) {
       return bool_text(c.unclean_leader_election_enable);
     },
     .doc = "Let an out-of-sync replica become leader as a last resort, losing the records it "
            "lacks."},
};
// clang-format on

}  // namespace

std::optional<int64_t> parse_config_long(std::string_view value) {
  std::string_view v = trim(value);
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return n;
}

std::optional<double> parse_config_double(std::string_view value) {
  std::string_view v = trim(value);
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || d != d) {
    return std::nullopt;
  }
  return d;
}

absl::Status invalid_topic_config(std::string_view name, std::string_view value,
                                  std::string_view why) {
  return protocol::kafka_error(ErrorCode::kInvalidConfig,
                               "Invalid value " + std::string(value) + " for configuration " +
                                   std::string(name) + ": " + std::string(why));
}

std::span<const TopicConfigSpec> topic_config_specs() { return kSpecs; }

const TopicConfigSpec* find_topic_config_spec(std::string_view name) {
  auto it =
      std::lower_bound(std::begin(kSpecs), std::end(kSpecs), name,
                       [](const TopicConfigSpec& s, std::string_view n) { return s.name < n; });
  return it != std::end(kSpecs) && it->name == name ? &*it : nullptr;
}

}  // namespace keel::broker
