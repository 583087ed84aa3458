// mock_cluster: librdkafka's in-memory mock cluster (rdkafka_mock.h) as a standalone process,
// the peer broker of Keel's benchmark suite. It stores produced batches in memory and does no
// other work, so it marks the client-bound ceiling of a machine.
//
//   mock_cluster [-n BROKERS] [-t TOPIC:PARTITIONS:RF]... [-T SECONDS] [-f FILE]
//
// Prints "BOOTSTRAP host:port,..." and "PID n" (and writes the bootstrap list to FILE), then
// serves until SIGINT/SIGTERM or the time bound, and prints its CPU time.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

constexpr const char* kUsage =
    "Usage: mock_cluster [-n BROKERS] [-t TOPIC:PARTITIONS:RF]... [-T SECONDS] [-f FILE]\n"
    "  -n  brokers (default 1)\n"
    "  -t  pre-create a topic (repeatable; the mock does not implement CreateTopics)\n"
    "  -T  exit after this many seconds (default 600)\n"
    "  -f  also write the bootstrap list to FILE\n";

struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication = 1;
};

bool parse_topic(const char* arg, TopicSpec* out) {
  const std::string s = arg;
  const size_t a = s.find(':');
  const size_t b = a == std::string::npos ? std::string::npos : s.find(':', a + 1);
  if (a == std::string::npos || a == 0) return false;
  out->name = s.substr(0, a);
  char* end = nullptr;
  const std::string parts = s.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  out->partitions = static_cast<int>(std::strtol(parts.c_str(), &end, 10));
  if (*end != '\0' || out->partitions <= 0) return false;
  if (b != std::string::npos) {
    out->replication = static_cast<int>(std::strtol(s.c_str() + b + 1, &end, 10));
    if (*end != '\0' || out->replication <= 0) return false;
  }
  return true;
}

double seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  double timeout_s = 600;
  const char* file = nullptr;
  std::vector<TopicSpec> topics;
  int c;
  while ((c = getopt(argc, argv, "n:t:T:f:h")) != -1) {
    switch (c) {
      case 'n':
        brokers = std::atoi(optarg);
        if (brokers <= 0) {
          std::fputs(kUsage, stderr);
          return 2;
        }
        break;
      case 't': {
        TopicSpec spec;
        if (!parse_topic(optarg, &spec)) {
          std::fprintf(stderr, "mock_cluster: bad topic '%s' (TOPIC:PARTITIONS[:RF])\n", optarg);
          return 2;
        }
        topics.push_back(spec);
        break;
      }
      case 'T':
        timeout_s = std::atof(optarg);
        if (timeout_s <= 0) {
          std::fputs(kUsage, stderr);
          return 2;
        }
        break;
      case 'f':
        file = optarg;
        break;
      case 'h':
        std::fputs(kUsage, stdout);
        return 0;
      default:
        std::fputs(kUsage, stderr);
        return 2;
    }
  }
  if (optind != argc) {
    std::fputs(kUsage, stderr);
    return 2;
  }

  // Block the stop signals before librdkafka starts its threads (they inherit the mask), then
  // wait for them synchronously.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // The mock needs a client handle for its bookkeeping; this one never connects anywhere.
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    std::fprintf(stderr, "mock_cluster: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == nullptr) {
    std::fprintf(stderr, "mock_cluster: could not create the mock cluster\n");
    rd_kafka_destroy(rk);
    return 1;
  }
  for (const TopicSpec& t : topics) {
    const int rf = t.replication > brokers ? brokers : t.replication;
    const rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster, t.name.c_str(), t.partitions, rf);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "mock_cluster: topic %s: %s\n", t.name.c_str(), rd_kafka_err2str(err));
      rd_kafka_mock_cluster_destroy(cluster);
      rd_kafka_destroy(rk);
      return 1;
    }
  }
  const char* bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
  if (file != nullptr) {
    const std::string tmp = std::string(file) + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr || std::fprintf(f, "%s\n", bootstrap) < 0 || std::fclose(f) != 0 ||
        std::rename(tmp.c_str(), file) != 0) {
      std::fprintf(stderr, "mock_cluster: writing %s: %s\n", file, std::strerror(errno));
      return 1;
    }
  }
  std::printf("BOOTSTRAP %s\nPID %d\n", bootstrap, static_cast<int>(getpid()));
  std::fflush(stdout);

  timespec wait;
  wait.tv_sec = static_cast<time_t>(timeout_s);
  wait.tv_nsec = static_cast<long>((timeout_s - static_cast<double>(wait.tv_sec)) * 1e9);
  siginfo_t info;
  int sig;
  while ((sig = sigtimedwait(&stop_signals, &info, &wait)) < 0 && errno == EINTR) {
  }
  if (sig < 0) {
    std::printf("STOP time bound of %.0f s reached\n", timeout_s);
  } else {
    std::printf("STOP signal %d\n", sig);
  }
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  std::printf("CPU user %.2f s system %.2f s\n", seconds(usage.ru_utime), seconds(usage.ru_stime));
  std::fflush(stdout);
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
