#include "storage/topic_partition.h"

namespace keel::storage {

std::string partition_dir_name(const TopicPartition& tp) {
  return tp.topic + "-" + std::to_string(tp.partition);
}

std::optional<TopicPartition> parse_partition_dir_name(std::string_view name) {
  const size_t dash = name.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == name.size()) return std::nullopt;
  std::string_view digits = name.substr(dash + 1);
  if (digits.size() > 10) return std::nullopt;
  int64_t partition = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;  // also rejects "-delete", "-future"
    partition = partition * 10 + (c - '0');
  }
  if (partition > INT32_MAX) return std::nullopt;
  std::string_view topic = name.substr(0, dash);
  for (char c : topic) {
    const bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '-';
    if (!legal) return std::nullopt;
  }
  return TopicPartition{std::string(topic), static_cast<int32_t>(partition)};
}

}  // namespace keel::storage
