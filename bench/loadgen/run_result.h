// What one load generator run measured, and how it is printed (a summary for people, one
// "RESULT {json}" line for scripts).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/loadgen/cpu_usage.h"
#include "bench/loadgen/histogram.h"
#include "bench/loadgen/options.h"

namespace keel::bench {

struct RunResult {
  explicit RunResult(const Options& options) : opts(options) {}

  const Options& opts;
  int partitions = 0;        // partitions actually used
  int64_t sent = 0;          // produce / e2e: messages handed to the client
  int64_t ok = 0;            // produce: acknowledged; consume / e2e: received
  int64_t failed = 0;        // produce: delivery failures; consume: error messages
  int64_t bytes = 0;         // value bytes of the `ok` messages
  double seconds = 0;        // the measured window
  std::string latency_kind;  // "", "delivery" (produce ack) or "e2e"
  Histogram latency;
  Histogram ack_latency;  // e2e: the producer's ack latency as well
  bool has_cpu = false;
  CpuReport cpu;
  std::string error;  // first error; empty = success
  std::vector<std::string> notes;

  void fail(const std::string& message) {
    if (error.empty()) error = message;
  }
};

// Prints the summary (unless quiet) and the RESULT line; returns the process exit code.
int report(const RunResult& r);

}  // namespace keel::bench
