// File: controller/control/request_checks.cc
#include "controller/control/request_checks.h"

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"

namespace keel::controller {

absl::Status as_invalid_config(const absl::Status& status) {
  if (status.ok() || protocol::kafka_error_of(status).has_value()) return status;
  return protocol::kafka_error(protocol::ErrorCode::kInvalidConfig, std::string(status.message()));
}

std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> items;
  while (true) {
    const size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return items;
}

absl::Status duplicate_topic_error(const std::string& name) {
  return protocol::kafka_error(
      protocol::ErrorCode::kInvalidRequest,
      absl::StrCat("Topic '", name, "' appears more than once in the request."));
}

}  // namespace keel::controller
