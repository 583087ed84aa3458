// File: broker/config/command_line.h
// The `keel` command line: `keel [--config FILE] [--override key=value]... [key=value]...`.
// A bare argument without '=' is taken as the config file, as kafka-server-start takes it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace keel::broker {

struct CommandLine {
  std::optional<std::string> config_path;
  std::vector<std::string> overrides;  // "key=value", in order; later ones win
  bool help = false;
};

// Parses the arguments after argv[0]. InvalidArgument for an unknown option, a missing
// option argument, or a second config file.
absl::StatusOr<CommandLine> parse_command_line(std::span<const std::string> args);

// Usage text for --help: the synopsis, then every property with its type, default and doc,
// generated from the property table.
std::string usage_text();

}  // namespace keel::broker
