// File: controller/control/request_checks.h
// Small checks the control managers share.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace keel::controller {

// More partitions than this in one topic (or one CreatePartitions) is refused: the records
// would not fit in one metadata batch, and nobody means it.
inline constexpr int32_t kMaxPartitionsPerTopic = 100'000;

// Names (or ids) that appear more than once in a request.
template <typename T, typename Less = std::less<T>>
std::set<T, Less> duplicates_of(const std::vector<T>& items) {
  std::set<T, Less> seen;
  std::set<T, Less> dups;
  for (const T& item : items) {
    if (!seen.insert(item).second) dups.insert(item);
  }
  return dups;
}

// A validator's error as INVALID_CONFIG unless it already names a Kafka error.
absl::Status as_invalid_config(const absl::Status& status);

// "a, b,c" → {"a", "b", "c"}; empty items dropped.
std::vector<std::string> split_list(std::string_view value);

// INVALID_REQUEST for a name that appears more than once ("Topic 'x' appears more than once
// in the request.").
absl::Status duplicate_topic_error(const std::string& name);

}  // namespace keel::controller
