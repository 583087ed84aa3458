// File: broker/config/properties_file.h
// Reads Java-properties text the way Kafka's server.properties is written.
//
// Supported: `key=value`, `key: value` and `key value`; '#' and '!' comment lines; blank
// lines; a line ending in an odd number of backslashes continues on the next line (whose
// leading whitespace is dropped); escapes \t \n \r \f \\ \uXXXX, and \c for any other c
// (so "\=" and "\:" put separators into keys). A repeated key: the last one wins, as in Java.
// Deviation from Java, on purpose: trailing unescaped whitespace of a value is dropped, since
// "9092 " copied from a web page is a mistake far more often than an intent.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace keel::broker {

struct Property {
  std::string key;
  std::string value;
  int line = 0;  // 1-based line where the entry starts
};

// Parses `text`. Errors (an empty key, a malformed \u escape) are InvalidArgument and begin
// with "<source>:<line>: ".
absl::StatusOr<std::vector<Property>> parse_properties(std::string_view text,
                                                       std::string_view source = "properties");

// Reads and parses the file at `path`; NotFound/PermissionDenied-style errors name the path.
absl::StatusOr<std::vector<Property>> read_properties_file(const std::string& path);

}  // namespace keel::broker
