// File: broker/config/config_values.h
// Raw broker settings as collected from a file and the command line, before typing, and the
// small value parsers shared by validation and BrokerConfig.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keel::broker {

struct Setting {
  std::string value;
  std::string source;  // where it was set, for messages: "path:line" or "command line"
};

// Property name → its explicit setting. A later set() of the same name replaces the earlier.
using Settings = std::map<std::string, Setting, std::less<>>;

// Splits a comma list, trimming whitespace around items; empty text → empty list. Empty
// items ("a,,b") are dropped.
std::vector<std::string> split_list(std::string_view text);

// "true"/"false", case-insensitively as Kafka does; nullopt otherwise.
std::optional<bool> parse_bool(std::string_view text);

}  // namespace keel::broker
