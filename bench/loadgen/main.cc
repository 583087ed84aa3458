// loadgen: a Kafka load generator on librdkafka for Keel's benchmark suite (bench/run.sh).
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "bench/loadgen/clock.h"
#include "bench/loadgen/kafka.h"
#include "bench/loadgen/modes.h"
#include "bench/loadgen/options.h"

namespace keel::bench {

namespace {

void on_alarm(int) {
  static const char kMsg[] = "loadgen: hard time bound reached, exiting\n";
  (void)!write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
  _exit(3);
}

Client admin_client(const Options& o, std::string* error) {
  const Properties base = {{"bootstrap.servers", o.bootstrap}};
  rd_kafka_conf_t* conf = make_conf({&base, &o.client_props}, nullptr, error);
  return conf != nullptr ? make_client(RD_KAFKA_PRODUCER, conf, error) : nullptr;
}

}  // namespace

int run_meta(const Options& o) {
  std::string error;
  Client rk = admin_client(o, &error);
  ClusterInfo info;
  if (!rk || !cluster_info(rk.get(), static_cast<int>(o.timeout_s * 1000), &info, &error)) {
    std::fprintf(stderr, "loadgen: %s\n", error.c_str());
    return 1;
  }
  std::printf("brokers %d\n", info.brokers);
  for (const auto& [name, partitions] : info.topics) {
    std::printf("topic %s partitions %d\n", name.c_str(), partitions);
  }
  return 0;
}

int run_delete(const Options& o) {
  std::string error;
  Client rk = admin_client(o, &error);
  if (!rk || !delete_topic(rk.get(), o.topic, now_ns() + seconds_to_ns(o.timeout_s), &error)) {
    std::fprintf(stderr, "loadgen: %s\n", error.c_str());
    return 1;
  }
  if (!o.quiet) std::printf("deleted %s\n", o.topic.c_str());
  return 0;
}

}  // namespace keel::bench

int main(int argc, char** argv) {
  using namespace keel::bench;
  int exit_code = 0;
  const auto options = parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;

  // The backstop behind every bounded wait: whatever happens, the process ends.
  signal(SIGALRM, on_alarm);
  alarm(static_cast<unsigned>(std::ceil(options->timeout_s)) + 10);
  // Fixed-rate senders sleep until each message is due; 1 us of timer slack instead of the
  // default 50 us keeps them on schedule.
  prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

  switch (options->mode) {
    case Mode::kProduce:
      return run_produce(*options);
    case Mode::kConsume:
      return run_consume(*options);
    case Mode::kE2e:
      return run_e2e(*options);
    case Mode::kMeta:
      return run_meta(*options);
    case Mode::kDelete:
      return run_delete(*options);
  }
  return 2;
}
