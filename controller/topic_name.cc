#include "controller/topic_name.h"

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"

namespace keel::controller {
namespace {

bool legal_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

absl::Status invalid(std::string_view message) {
  return protocol::kafka_error(protocol::ErrorCode::kInvalidTopicException, message);
}

}  // namespace

absl::Status validate_topic_name(std::string_view name) {
  if (name.empty()) return invalid("Topic name is illegal: it is empty.");
  if (name == "." || name == "..") {
    return invalid("Topic name is illegal: it may not be \".\" or \"..\".");
  }
  if (name.size() > kMaxTopicNameLength) {
    return invalid(absl::StrCat("Topic name is illegal: it is ", name.size(),
                                " characters long, the limit is ", kMaxTopicNameLength, "."));
  }
  for (char c : name) {
    if (!legal_char(c)) {
      return invalid(absl::StrCat("Topic name \"", std::string(name),
                                  "\" is illegal: only ASCII letters, digits, '.', '_' and '-' "
                                  "are allowed."));
    }
  }
  return absl::OkStatus();
}

std::string unify_collision_chars(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '.') c = '_';
  }
  return out;
}

bool has_collision_chars(std::string_view name) {
  return name.find_first_of("._") != std::string_view::npos;
}

}  // namespace keel::controller
