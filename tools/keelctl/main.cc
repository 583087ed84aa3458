// File: tools/keelctl/main.cc
// keelctl: Keel's command line, with Kafka's CLI habits (--bootstrap-server).
//   keelctl [--bootstrap-server HOST:PORT] [--timeout-ms N] cluster status
//   keelctl ... topic list
//   keelctl ... topic describe [--topic NAME]
//   keelctl ... topic create --topic NAME [--partitions N] [--replication-factor N]
//                            [--config KEY=VALUE]...
//   keelctl ... topic delete --topic NAME
//   keelctl ... topic elect-leaders [--topic NAME [--partition N]]   (also: cluster elect-leaders)
//   keelctl ... cluster unregister --node N
#include <charconv>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/keelctl/commands.h"

namespace {

using namespace keel::tools;

constexpr std::string_view kUsage =
    "usage: keelctl [--bootstrap-server HOST:PORT] [--timeout-ms N] COMMAND\n"
    "  cluster status                      brokers, controller, quorum, unhealthy partitions\n"
    "                                      (exit 1 when unhealthy)\n"
    "  cluster unregister --node N         remove a broker that is gone for good\n"
    "  cluster elect-leaders               preferred leaders lead again (every partition)\n"
    "  topic list\n"
    "  topic describe [--topic NAME]\n"
    "  topic create --topic NAME [--partitions N] [--replication-factor N]\n"
    "               [--config KEY=VALUE]...\n"
    "  topic delete --topic NAME\n"
    "  topic elect-leaders [--topic NAME [--partition N]]\n"
    "                                      preferred leader election (exit 1 on any error\n"
    "                                      but ELECTION_NOT_NEEDED)\n"
    "Exit codes: 0 ok, 1 failed or unhealthy, 2 usage, 3 cannot connect.\n";

int usage(const std::string& why) {
  if (!why.empty()) std::cerr << "keelctl: " << why << "\n";
  std::cerr << kUsage;
  return kExitUsage;
}

template <typename T>
bool parse_int(const std::string& text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  Options options;
  TopicSpec spec;
  std::optional<std::string> topic;
  std::optional<int32_t> partition;
  std::optional<int32_t> node;
  std::vector<std::string> words;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= args.size()) return false;
      *out = args[++i];
      return true;
    };
    std::string v;
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return kExitOk;
    } else if (a == "--bootstrap-server") {
      if (!value(&options.bootstrap)) return usage("--bootstrap-server needs HOST:PORT");
    } else if (a == "--timeout-ms") {
      int64_t ms = 0;
      if (!value(&v) || !parse_int(v, &ms) || ms <= 0) return usage("bad --timeout-ms");
      options.timeout = std::chrono::milliseconds(ms);
    } else if (a == "--topic") {
      if (!value(&v)) return usage("--topic needs a name");
      topic = v;
    } else if (a == "--partition") {
      int32_t p = -1;
      if (!value(&v) || !parse_int(v, &p) || p < 0) return usage("bad --partition");
      partition = p;
    } else if (a == "--node") {
      int32_t n = -1;
      if (!value(&v) || !parse_int(v, &n) || n < 0) return usage("bad --node");
      node = n;
    } else if (a == "--partitions") {
      if (!value(&v) || !parse_int(v, &spec.partitions) || spec.partitions < 1) {
        return usage("bad --partitions");
      }
    } else if (a == "--replication-factor") {
      if (!value(&v) || !parse_int(v, &spec.replication_factor) || spec.replication_factor < 1) {
        return usage("bad --replication-factor");
      }
    } else if (a == "--config") {
      const size_t eq = value(&v) ? v.find('=') : std::string::npos;
      if (eq == std::string::npos || eq == 0) return usage("--config needs KEY=VALUE");
      spec.configs[v.substr(0, eq)] = v.substr(eq + 1);
    } else if (!a.empty() && a[0] == '-') {
      return usage("unknown option " + a);
    } else {
      words.push_back(a);
    }
  }
  if (words.size() != 2) return usage("");
  const std::string& noun = words[0];
  const std::string& verb = words[1];
  if (partition && !topic) return usage("--partition needs --topic");
  if (noun == "cluster" && verb == "status") return cluster_status(options, std::cout, std::cerr);
  if (noun == "cluster" && verb == "unregister") {
    if (!node) return usage("cluster unregister needs --node");
    return cluster_unregister(options, *node, std::cout, std::cerr);
  }
  if (verb == "elect-leaders" && (noun == "topic" || noun == "cluster")) {
    return elect_leaders(options, topic, partition, std::cout, std::cerr);
  }
  if (noun != "topic") return usage("unknown command " + noun);
  if (verb == "list") return topic_list(options, std::cout, std::cerr);
  if (verb == "describe") return topic_describe(options, topic, std::cout, std::cerr);
  if (!topic) return usage("topic " + verb + " needs --topic");
  if (verb == "create") {
    spec.name = *topic;
    return topic_create(options, spec, std::cout, std::cerr);
  }
  if (verb == "delete") return topic_delete(options, *topic, std::cout, std::cerr);
  return usage("unknown command topic " + verb);
}
