#!/usr/bin/env bash
# Configures and builds one flavour of Keel; all flavours share ccache.
#   scripts/build.sh            -> build/      RelWithDebInfo, gcc: what run.sh and the tests use
#   scripts/build.sh sanitize   -> build-san/  clang, ASan + UBSan, libFuzzer targets
#   scripts/build.sh debug      -> build-debug/
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-release}
jobs=${KEEL_JOBS:-$(nproc)}
case "$flavour" in
  release) dir=build; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  debug) dir=build-debug; args=(-DCMAKE_BUILD_TYPE=Debug) ;;
  sanitize)
    dir=build-san
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
          -DKEEL_SANITIZE=ON -DKEEL_FUZZ=ON -DKEEL_BUILD_BENCH=OFF)
    ;;
  *) echo "usage: $0 [release|debug|sanitize]" >&2; exit 2 ;;
esac

cmake -S . -B "$dir" -G Ninja -DPython3_EXECUTABLE=/usr/bin/python3 "${args[@]}" >/dev/null
ninja -C "$dir" -j "$jobs"
echo "build.sh: $flavour build ready in $dir/"
