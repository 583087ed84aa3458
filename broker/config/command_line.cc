#include "broker/config/command_line.h"

#include "absl/status/status.h"
#include "broker/config/config_def.h"

namespace keel::broker {

absl::StatusOr<CommandLine> parse_command_line(std::span<const std::string> args) {
  CommandLine cl;
  auto set_config = [&](const std::string& path) -> absl::Status {
    if (cl.config_path.has_value()) {
      return absl::InvalidArgumentError("more than one config file: " + *cl.config_path + " and " +
                                        path);
    }
    cl.config_path = path;
    return absl::OkStatus();
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      cl.help = true;
    } else if (a == "--config" || a == "--override") {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(a + " needs an argument");
      const std::string& v = args[++i];
      if (a == "--config") {
        if (absl::Status s = set_config(v); !s.ok()) return s;
      } else {
        cl.overrides.push_back(v);
      }
    } else if (a.rfind("--config=", 0) == 0) {
      if (absl::Status s = set_config(a.substr(9)); !s.ok()) return s;
    } else if (a.rfind("--override=", 0) == 0) {
      cl.overrides.push_back(a.substr(11));
    } else if (a.rfind("-", 0) == 0) {
      return absl::InvalidArgumentError("unknown option " + a + " (try --help)");
    } else if (a.find('=') != std::string::npos) {
      cl.overrides.push_back(a);
    } else if (absl::Status s = set_config(a); !s.ok()) {
      return s;
    }
  }
  return cl;
}

std::string usage_text() {
  std::string out =
      "Usage: keel [--config FILE] [--override key=value]... [key=value]...\n"
      "\n"
      "Starts a Keel node. Settings use Kafka's broker property names; those given on the\n"
      "command line override the file. Properties:\n\n";
  for (const ConfigDef& d : broker_config_defs()) {
    out += "  " + std::string(d.name) + " (" + std::string(config_type_name(d.type)) + ", ";
    if (d.default_value == nullptr) {
      out += "no default";
    } else {
      out += std::string("default \"") + d.default_value + "\"";
    }
    out += ")\n      " + std::string(d.doc) + "\n";
  }
  return out;
}

}  // namespace keel::broker
