// Command line of the load generator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace keel::bench {

enum class Mode { kProduce, kConsume, kE2e, kMeta, kDelete };

using Properties = std::vector<std::pair<std::string, std::string>>;

struct Options {
  Mode mode = Mode::kProduce;
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic = "loadgen";
  int size = 100;          // value bytes
  int64_t count = -1;      // messages; -1 = no limit (produce / e2e with --duration)
  double duration_s = 0;   // produce / e2e: send for this long (0 = until count)
  double rate = 0;         // messages per second; 0 = as fast as possible
  std::string acks = "1";  // 0, 1, all
  int linger_ms = 5;
  int batch_size = 1'000'000;
  std::string compression = "none";
  int partitions = 1;
  int replication = 0;  // 0 = min(3, brokers)
  int keys = 0;         // 0 = no keys (explicit round robin); N = N distinct keys (hashed)
  double warmup_s = 1;  // e2e: messages scheduled in the first seconds are not measured
  bool rewind = false;  // consume: seek back to the start at the end of a partition
  bool create = true;   // produce / e2e: create the topic when it is missing
  double timeout_s = 60;
  std::vector<int> cpu_pids;
  Properties client_props;    // -X key=val
  Properties producer_props;  // -X p:key=val
  Properties consumer_props;  // -X c:key=val
  Properties topic_configs;   // -C key=val
  bool quiet = false;         // only the RESULT line
};

// Parses argv; on error or --help returns nullopt after printing to stderr / stdout, and sets
// *exit_code.
std::optional<Options> parse_options(int argc, char** argv, int* exit_code);

const char* mode_name(Mode mode);

}  // namespace keel::bench
