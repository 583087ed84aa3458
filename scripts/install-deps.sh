#!/usr/bin/env bash
# Installs everything Keel needs to build, test and benchmark, from Debian's packages only.
# Idempotent and quick when everything is present (no apt-get call at all then).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev python3
  # libraries
  libboost-dev libboost-system-dev libabsl-dev libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev
  libssl-dev librdkafka-dev
  # plots of the benchmark suite (bench/run.sh)
  gnuplot-nox
  # real clients for integration tests (kafkajs comes from npm, see tests/)
  kcat python3-confluent-kafka python3-kafka python3-snappy python3-lz4 python3-zstandard
)
# Node.js only when the machine has none: an image may ship a newer one than Debian's.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
