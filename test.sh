#!/usr/bin/env bash
# Installs dependencies, builds Keel, and runs the whole test suite through ctest:
#   1. build/      unit, golden and integration tests, plus a benchmark smoke run;
#   2. build-san/  the same tests under ASan + UBSan, and each fuzz target for a bounded time.
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh
scripts/build.sh release
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 600
scripts/build.sh sanitize
ctest --test-dir build-san --output-on-failure -j "$(nproc)" --timeout 600
