// File: broker/main.cc
// `keel [--config FILE] [--override key=value]... [key=value]...`: runs one node until
// SIGTERM or SIGINT, then shuts down gracefully. Exit status: 0 after a clean shutdown,
// 1 when the node could not start or stopped with errors, 2 for a bad command line or
// configuration.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/config/command_line.h"
#include "broker/logging.h"
#include "broker/node.h"

int main(int argc, char** argv) {
  using namespace keel::broker;
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<CommandLine> cl = parse_command_line(args);
  if (!cl.ok()) {
    std::fprintf(stderr, "keel: %s\nRun 'keel --help' for usage.\n",
                 std::string(cl.status().message()).c_str());
    return 2;
  }
  if (cl->help) {
    std::fputs(usage_text().c_str(), stdout);
    return 0;
  }
  absl::StatusOr<BrokerConfig> config = load_broker_config(cl->config_path, cl->overrides);
  if (!config.ok()) {
    std::fprintf(stderr, "keel: invalid configuration: %s\n",
                 std::string(config.status().message()).c_str());
    return 2;
  }

  // Signals are taken synchronously by this thread only: block them before any thread
  // starts (threads inherit the mask). A peer closing a socket must not kill the process.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  absl::StatusOr<std::unique_ptr<Node>> node = Node::start(*std::move(config));
  if (!node.ok()) {
    log_info("keel: cannot start: " + std::string(node.status().message()));
    return 1;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  log_info(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT"));
  // With a quorum, leaderships move to the other brokers before this one stops (bounded).
  (*node)->controlled_shutdown();
  absl::Status stopped = (*node)->stop();
  return stopped.ok() ? 0 : 1;
}
