#!/usr/bin/env bash
# Installs dependencies, builds Keel and starts a local cluster.
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh
scripts/build.sh release

# The broker binary arrives with the serving issue; until then this command stops after the build.
echo
echo "run.sh: Keel is built (protocol layer and its tests), but there is no broker binary yet,"
echo "        so no cluster can be started. Run ./test.sh to exercise what exists."
