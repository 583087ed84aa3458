#include "storage/log_config.h"

#include <charconv>
#include <functional>

#include "protocol/error_code.h"

namespace keel::storage {
namespace {

using protocol::ErrorCode;

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

absl::Status invalid(std::string_view key, std::string_view value, std::string_view why) {
  return protocol::kafka_error(ErrorCode::kInvalidConfig,
                               "Invalid value " + std::string(value) + " for configuration " +
                                   std::string(key) + ": " + std::string(why));
}

// Parses a decimal integer in [min, max] into *out.
absl::Status parse_int(std::string_view key, std::string_view value, int64_t min, int64_t max,
                       int64_t* out) {
  std::string_view v = value;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
    return invalid(key, value, "not a number");
  }
  if (n < min || n > max) {
    return invalid(key, value,
                   "value must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  *out = n;
  return absl::OkStatus();
}

absl::Status parse_cleanup_policy(std::string_view value, LogConfig* config) {
  bool del = false, compact = false;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view item = value.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "delete") {
      del = true;
    } else if (item == "compact") {
      compact = true;
    } else {
      return invalid("cleanup.policy", value, "expected delete, compact or compact,delete");
    }
    start = comma + 1;
  }
  config->cleanup_delete = del;
  config->cleanup_compact = compact;
  return absl::OkStatus();
}

struct IntField {
  std::string_view name;
  int64_t LogConfig::*field;
  int64_t min;
  int64_t max;
};

const IntField kIntFields[] = {
    {"segment.bytes", &LogConfig::segment_bytes, 14, kInt32Max},
    {"segment.ms", &LogConfig::segment_ms, 1, kNever},
    {"segment.index.bytes", &LogConfig::segment_index_bytes, 4, kInt32Max},
    {"index.interval.bytes", &LogConfig::index_interval_bytes, 0, kInt32Max},
    {"max.message.bytes", &LogConfig::max_message_bytes, 0, kInt32Max},
    {"flush.messages", &LogConfig::flush_messages, 1, kNever},
    {"flush.ms", &LogConfig::flush_ms, 0, kNever},
    {"retention.ms", &LogConfig::retention_ms, -1, kNever},
    {"retention.bytes", &LogConfig::retention_bytes, std::numeric_limits<int64_t>::min(), kNever},
    {"delete.retention.ms", &LogConfig::delete_retention_ms, 0, kNever},
    {"min.compaction.lag.ms", &LogConfig::min_compaction_lag_ms, 0, kNever},
};

}  // namespace

const std::vector<std::string_view>& log_config_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> n;
    for (const IntField& f : kIntFields) n.push_back(f.name);
    n.push_back("cleanup.policy");
    n.push_back("message.timestamp.type");
    return n;
  }();
  return names;
}

absl::StatusOr<LogConfig> parse_log_config(
    const std::vector<std::pair<std::string, std::string>>& settings, LogConfig base,
    bool ignore_unknown) {
  LogConfig config = base;
  for (const auto& [key, value] : settings) {
    bool known = false;
    for (const IntField& f : kIntFields) {
      if (key == f.name) {
        absl::Status s = parse_int(key, value, f.min, f.max, &(config.*f.field));
        if (!s.ok()) return s;
        known = true;
        break;
      }
    }
    if (known) continue;
    if (key == "cleanup.policy") {
      absl::Status s = parse_cleanup_policy(value, &config);
      if (!s.ok()) return s;
    } else if (key == "message.timestamp.type") {
      if (value == "CreateTime") {
        config.timestamp_type = TimestampType::kCreateTime;
      } else if (value == "LogAppendTime") {
        config.timestamp_type = TimestampType::kLogAppendTime;
      } else {
        return invalid(key, value, "expected CreateTime or LogAppendTime");
      }
    } else if (!ignore_unknown) {
      return protocol::kafka_error(ErrorCode::kInvalidConfig, "Unknown topic config name: " + key);
    }
  }
  return config;
}

std::vector<std::pair<std::string, std::string>> describe_log_config(const LogConfig& config) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const IntField& f : kIntFields) {
    out.emplace_back(std::string(f.name), std::to_string(config.*f.field));
  }
  std::string policy = config.cleanup_compact && config.cleanup_delete ? "compact,delete"
                       : config.cleanup_compact                        ? "compact"
                       : config.cleanup_delete                         ? "delete"
                                                                       : "";
  out.emplace_back("cleanup.policy", policy);
  out.emplace_back("message.timestamp.type", config.timestamp_type == TimestampType::kCreateTime
                                                 ? "CreateTime"
                                                 : "LogAppendTime");
  return out;
}

}  // namespace keel::storage
