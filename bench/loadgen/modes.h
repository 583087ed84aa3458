// The load generator's modes; each returns the process exit code.
#pragma once

#include "bench/loadgen/options.h"

namespace keel::bench {

int run_produce(const Options& options);
int run_consume(const Options& options);
int run_e2e(const Options& options);
int run_meta(const Options& options);
int run_delete(const Options& options);

}  // namespace keel::bench
