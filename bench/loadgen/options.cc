#include "bench/loadgen/options.h"

#include <getopt.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace keel::bench {

namespace {

constexpr const char* kUsage = R"(Usage: loadgen MODE [options]

Kafka load generator (librdkafka). Every run is bounded by --timeout.

Modes:
  produce   send messages; flat out, or at a fixed --rate (latency then counts from each
            message's scheduled send time, so a stalled broker cannot hide queueing)
  consume   read --count messages from the beginning of every partition (no consumer group)
  e2e       producer and consumer in one process at a fixed --rate; each value carries its
            scheduled send time; reports the end-to-end latency
  meta      print the brokers and topics (exits 0 when the cluster answers)
  delete    delete --topic

Options:
  -b, --bootstrap HOST:PORT[,...]   bootstrap servers (default 127.0.0.1:9092)
  -t, --topic NAME                  topic (default loadgen)
  -s, --size BYTES                  value size (default 100)
  -n, --count N                     messages (produce default: 1000000 unless --duration)
  -d, --duration SECONDS            produce / e2e: send for this long
  -R, --rate MSGS_PER_S             fixed send rate (default: as fast as possible)
  -a, --acks 0|1|all                producer acks (default 1)
  -l, --linger-ms MS                linger.ms (default 5)
      --batch-size BYTES            batch.size (default 1000000)
  -z, --compression CODEC           none, gzip, snappy, lz4, zstd (default none)
  -p, --partitions N                use partitions 0..N-1, round robin (default 1); a topic
                                    that is created gets N partitions
  -r, --replication N               replication factor of a created topic (default min(3, brokers))
  -k, --keys N                      send N distinct keys (the client's partitioner then picks
                                    partitions) instead of explicit round robin
  -W, --warmup SECONDS              e2e: leave out messages of the first seconds (default 1)
      --rewind                      consume: at the end of a partition start again from its start
      --no-create                   do not create a missing topic
  -C key=value                      topic config for a created topic (repeatable)
  -X key=value                      librdkafka property for every client (repeatable);
                                    p:key=value producer only, c:key=value consumer only
  -T, --timeout SECONDS             hard bound of the whole run (default 60)
      --cpu-pids PID[,PID...]       report these processes' CPU and each core's busy share over
                                    the measured window
  -q, --quiet                       print only the RESULT line
  -h, --help

Output: a human-readable summary, then one line "RESULT {json}". Exit code 0 = the run
completed without errors, 1 = errors (the RESULT line says which), 2 = bad usage,
3 = the hard time bound was hit.
)";

bool parse_int64(const char* s, int64_t* out) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0') return false;
  *out = v;
  return true;
}

bool parse_int(const char* s, int* out) {
  int64_t v = 0;
  if (!parse_int64(s, &v) || v < INT32_MIN || v > INT32_MAX) return false;
  *out = static_cast<int>(v);
  return true;
}

bool parse_double(const char* s, double* out) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s, &end);
  if (errno != 0 || end == s || *end != '\0') return false;
  *out = v;
  return true;
}

bool parse_property(std::string_view arg, std::pair<std::string, std::string>* out) {
  const size_t eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  *out = {std::string(arg.substr(0, eq)), std::string(arg.substr(eq + 1))};
  return true;
}

bool parse_pids(std::string_view arg, std::vector<int>* out) {
  while (!arg.empty()) {
    const size_t comma = arg.find(',');
    const std::string item(arg.substr(0, comma));
    int pid = 0;
    if (!parse_int(item.c_str(), &pid) || pid <= 0) return false;
    out->push_back(pid);
    if (comma == std::string_view::npos) break;
    arg.remove_prefix(comma + 1);
  }
  return !out->empty();
}

enum LongOnly { kBatchSize = 1000, kRewind, kNoCreate, kCpuPids };

}  // namespace

const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::kProduce:
      return "produce";
    case Mode::kConsume:
      return "consume";
    case Mode::kE2e:
      return "e2e";
    case Mode::kMeta:
      return "meta";
    case Mode::kDelete:
      return "delete";
  }
  return "?";
}

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  *exit_code = 2;
  if (argc >= 2 && (std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0)) {
    std::fputs(kUsage, stdout);
    *exit_code = 0;
    return std::nullopt;
  }
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return std::nullopt;
  }
  Options o;
  const std::string_view mode = argv[1];
  if (mode == "produce") {
    o.mode = Mode::kProduce;
  } else if (mode == "consume") {
    o.mode = Mode::kConsume;
  } else if (mode == "e2e") {
    o.mode = Mode::kE2e;
  } else if (mode == "meta") {
    o.mode = Mode::kMeta;
  } else if (mode == "delete") {
    o.mode = Mode::kDelete;
  } else {
    std::fprintf(stderr, "loadgen: unknown mode '%s' (try --help)\n", argv[1]);
    return std::nullopt;
  }

  static const option kLong[] = {
      {"bootstrap", required_argument, nullptr, 'b'},
      {"topic", required_argument, nullptr, 't'},
      {"size", required_argument, nullptr, 's'},
      {"count", required_argument, nullptr, 'n'},
      {"duration", required_argument, nullptr, 'd'},
      {"rate", required_argument, nullptr, 'R'},
      {"acks", required_argument, nullptr, 'a'},
      {"linger-ms", required_argument, nullptr, 'l'},
      {"batch-size", required_argument, nullptr, kBatchSize},
      {"compression", required_argument, nullptr, 'z'},
      {"partitions", required_argument, nullptr, 'p'},
      {"replication", required_argument, nullptr, 'r'},
      {"keys", required_argument, nullptr, 'k'},
      {"warmup", required_argument, nullptr, 'W'},
      {"rewind", no_argument, nullptr, kRewind},
      {"no-create", no_argument, nullptr, kNoCreate},
      {"timeout", required_argument, nullptr, 'T'},
      {"cpu-pids", required_argument, nullptr, kCpuPids},
      {"quiet", no_argument, nullptr, 'q'},
      {"help", no_argument, nullptr, 'h'},
      {nullptr, 0, nullptr, 0},
  };
  optind = 2;
  int c;
  bool ok = true;
  while (ok && (c = getopt_long(argc, argv, "b:t:s:n:d:R:a:l:z:p:r:k:W:C:X:T:qh", kLong,
                                nullptr)) != -1) {
    switch (c) {
      case 'b':
        o.bootstrap = optarg;
        break;
      case 't':
        o.topic = optarg;
        break;
      case 's':
        ok = parse_int(optarg, &o.size) && o.size >= 8;
        break;
      case 'n':
        ok = parse_int64(optarg, &o.count) && o.count >= 0;
        break;
      case 'd':
        ok = parse_double(optarg, &o.duration_s) && o.duration_s > 0;
        break;
      case 'R':
        ok = parse_double(optarg, &o.rate) && o.rate >= 0;
        break;
      case 'a':
        o.acks = optarg;
        if (o.acks == "-1") o.acks = "all";
        ok = o.acks == "0" || o.acks == "1" || o.acks == "all";
        break;
      case 'l':
        ok = parse_int(optarg, &o.linger_ms) && o.linger_ms >= 0;
        break;
      case kBatchSize:
        ok = parse_int(optarg, &o.batch_size) && o.batch_size > 0;
        break;
      case 'z':
        o.compression = optarg;
        break;
      case 'p':
        ok = parse_int(optarg, &o.partitions) && o.partitions > 0;
        break;
      case 'r':
        ok = parse_int(optarg, &o.replication) && o.replication >= 0;
        break;
      case 'k':
        ok = parse_int(optarg, &o.keys) && o.keys >= 0;
        break;
      case 'W':
        ok = parse_double(optarg, &o.warmup_s) && o.warmup_s >= 0;
        break;
      case kRewind:
        o.rewind = true;
        break;
      case kNoCreate:
        o.create = false;
        break;
      case 'C': {
        std::pair<std::string, std::string> kv;
        ok = parse_property(optarg, &kv);
        if (ok) o.topic_configs.push_back(kv);
        break;
      }
      case 'X': {
        std::string_view arg = optarg;
        Properties* target = &o.client_props;
        if (arg.starts_with("p:")) {
          target = &o.producer_props;
          arg.remove_prefix(2);
        } else if (arg.starts_with("c:")) {
          target = &o.consumer_props;
          arg.remove_prefix(2);
        }
        std::pair<std::string, std::string> kv;
        ok = parse_property(arg, &kv);
        if (ok) target->push_back(kv);
        break;
      }
      case 'T':
        ok = parse_double(optarg, &o.timeout_s) && o.timeout_s > 0;
        break;
      case kCpuPids:
        ok = parse_pids(optarg, &o.cpu_pids);
        break;
      case 'q':
        o.quiet = true;
        break;
      case 'h':
        std::fputs(kUsage, stdout);
        *exit_code = 0;
        return std::nullopt;
      default:
        return std::nullopt;  // getopt printed the problem
    }
    if (!ok) {
      std::fprintf(stderr, "loadgen: bad value '%s' for -%c (try --help)\n", optarg ? optarg : "",
                   c < 256 ? c : '-');
      return std::nullopt;
    }
  }
  if (optind != argc) {
    std::fprintf(stderr, "loadgen: unexpected argument '%s'\n", argv[optind]);
    return std::nullopt;
  }
  if ((o.mode == Mode::kE2e) && o.rate <= 0) {
    std::fprintf(stderr, "loadgen: e2e needs --rate\n");
    return std::nullopt;
  }
  if (o.duration_s >= o.timeout_s) {
    std::fprintf(stderr, "loadgen: --duration must be shorter than --timeout (%.0f s)\n",
                 o.timeout_s);
    return std::nullopt;
  }
  if (o.count < 0) {
    if (o.mode == Mode::kConsume || o.duration_s == 0) o.count = 1'000'000;
  }
  *exit_code = 0;
  return o;
}

}  // namespace keel::bench
