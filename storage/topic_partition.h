// File: storage/topic_partition.h
// A partition's name, and the `<topic>-<partition>` directory naming of log dirs.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keel::storage {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

// `<topic>-<partition>`.
std::string partition_dir_name(const TopicPartition& tp);
// Parses a partition directory name: the partition follows the LAST '-' (topic names may
// contain '-' and '.'). nullopt for anything else, including `<dir>.<uuid>-delete` and
// `-future` directories.
std::optional<TopicPartition> parse_partition_dir_name(std::string_view name);

}  // namespace keel::storage
