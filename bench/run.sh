#!/usr/bin/env bash
# Keel's benchmark suite in one command: Keel and a peer broker (librdkafka's in-memory mock
# cluster, bench/mock_cluster) measured in the same run, case by case, with the load generator
# bench/loadgen; then the micro-benchmarks in a short mode. Prints a table (Keel, peer, ratio,
# broker CPU per message, cores busy) and writes JSON, the table and a plot into a results dir.
#
#   bench/run.sh                      # the standard set, 3 repetitions (~14 min after the build)
#   bench/run.sh --short              # a few seconds per case, 1 repetition (smoke)
#   bench/run.sh --cases P1K-a1-p1,C1K-p6 --reps 5
#
# Options:
#   --short            short cases (2-3 s each), small consume sets, 1 repetition, micro smoke
#   --reps N           repetitions of every case (default 3; --short: 1)
#   --cases LIST       comma list of cases (default: the standard set of perf-anchors §4:
#                      P100 and P1K x a1/aall x p1/p6, C100-p6, C1K-p6, L1K-aall-p6, E2E1K-p6,
#                      E2E1K-p6-w500)
#   --results DIR      where results go (default build/bench-results/<date>-<time>)
#   --no-build         do not run scripts/install-deps.sh and scripts/build.sh release
#   --no-micro         skip the micro-benchmarks
#   --keel BIN, --loadgen BIN, --mock BIN, --micro BIN    binaries (default: under build/)
#
# Case names (any size and partition count):
#   P<size>-a<1|all|0>-p<N>   produce flat out for 10 s (linger.ms 5, batch.size 1 MB)
#   C<size>-p<N>              consume a pre-filled topic from the start (10 M x 100 B, 2 M x 1 KiB)
#   L<size>-a<acks>-p<N>      produce at 20 k msg/s for 10 s, linger.ms 1: ack latency
#   E2E<size>-p<N>[-w500]     1 k msg/s for 10 s, acks all, linger.ms 0, consumer in the same
#                             process: end-to-end latency (fetch.wait.max.ms 1; -w500 = the
#                             client's default 500 ms, Keel only, compared with the peer's 1 ms)
#   size: 100, 1K, 16K ... (K = 1024)
#
# Keel runs as one node (RF 1; the cluster comes later), the peer as a 1-broker mock cluster.
# Every loadgen call is bounded in time (its own -T plus `timeout`), and so are the waits here.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

standard_cases="P100-a1-p1,P100-aall-p1,P100-a1-p6,P100-aall-p6,P1K-a1-p1,P1K-aall-p1,P1K-a1-p6,P1K-aall-p6,C100-p6,C1K-p6,L1K-aall-p6,E2E1K-p6,E2E1K-p6-w500"

short=0
reps=""
cases="$standard_cases"
results=""
build=1
micro=1
keel_bin="$repo/build/broker/keel"
loadgen="$repo/build/bench/loadgen"
mock="$repo/build/bench/mock_cluster"
micro_bin="$repo/build/bench/keel_micro_bench"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
need_arg() { [[ $# -ge 2 && -n "$2" ]] || { echo "run.sh: $1 needs a value" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --short) short=1 ;;
    --reps) need_arg "$@"; reps="$2"; shift ;;
    --cases) need_arg "$@"; cases="$2"; shift ;;
    --results) need_arg "$@"; results="$2"; shift ;;
    --no-build) build=0 ;;
    --no-micro) micro=0 ;;
    --keel) need_arg "$@"; keel_bin="$2"; shift ;;
    --loadgen) need_arg "$@"; loadgen="$2"; shift ;;
    --mock) need_arg "$@"; mock="$2"; shift ;;
    --micro) need_arg "$@"; micro_bin="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -n "$reps" ]] || reps=$((short ? 1 : 3))
[[ "$reps" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --reps must be a positive number" >&2; exit 2; }

# Durations and data set sizes.
if ((short)); then
  produce_s=2; latency_s=2; e2e_s=3; warmup_s=1
  fill_100=300000; fill_1k=100000
else
  produce_s=10; latency_s=10; e2e_s=10; warmup_s=1
  fill_100=10000000; fill_1k=2000000
fi

if ((build)); then
  "$repo/scripts/install-deps.sh"
  "$repo/scripts/build.sh" release
fi
for bin in "$keel_bin" "$loadgen" "$mock"; do
  [[ -x "$bin" ]] || { echo "run.sh: $bin not found (build first, or drop --no-build)" >&2; exit 1; }
done

results="${results:-$repo/build/bench-results/$(date +%Y%m%d-%H%M%S)}"
rm -rf "$results/logs"
mkdir -p "$results/logs"
: > "$results/raw.jsonl"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/keel-bench.XXXXXX")"
keel_pid=""
mock_pid=""

stop_process() {  # pid name: SIGTERM, then SIGKILL after 20 s
  local pid="$1" name="$2" i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "run.sh: $name did not stop in 20 s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
child_pid=""
cleanup() {
  if [[ -n "$child_pid" ]]; then kill -TERM "$child_pid" 2>/dev/null || true; fi
  stop_process "$keel_pid" keel
  stop_process "$mock_pid" mock_cluster
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# bounded SECONDS CMD...: runs CMD under timeout in the background and waits for it, so that a
# signal to this script is handled at once (bash runs traps only between foreground commands).
bounded() {
  local seconds="$1" rc=0
  shift
  timeout --kill-after=5 "$seconds" "$@" &
  child_pid=$!
  wait "$child_pid" || rc=$?
  child_pid=""
  return "$rc"
}

# --- cases -------------------------------------------------------------------------------------

size_bytes() {  # 100 -> 100, 1K -> 1024
  local s="$1"
  if [[ "$s" =~ ^([0-9]+)K$ ]]; then echo $((BASH_REMATCH[1] * 1024)); else echo "$s"; fi
}

# Sets: kind size acks parts wait500 for a case name; fails on an unknown name.
parse_case() {
  local name="$1"
  wait500=0; acks=all
  if [[ "$name" =~ ^P([0-9]+K?)-a(0|1|all)-p([0-9]+)$ ]]; then
    kind=produce; size=$(size_bytes "${BASH_REMATCH[1]}"); acks="${BASH_REMATCH[2]}"; parts="${BASH_REMATCH[3]}"
  elif [[ "$name" =~ ^C([0-9]+K?)-p([0-9]+)$ ]]; then
    kind=consume; size=$(size_bytes "${BASH_REMATCH[1]}"); parts="${BASH_REMATCH[2]}"
  elif [[ "$name" =~ ^L([0-9]+K?)-a(0|1|all)-p([0-9]+)$ ]]; then
    kind=latency; size=$(size_bytes "${BASH_REMATCH[1]}"); acks="${BASH_REMATCH[2]}"; parts="${BASH_REMATCH[3]}"
  elif [[ "$name" =~ ^E2E([0-9]+K?)-p([0-9]+)(-w500)?$ ]]; then
    kind=e2e; size=$(size_bytes "${BASH_REMATCH[1]}"); parts="${BASH_REMATCH[2]}"
    if [[ -n "${BASH_REMATCH[3]}" ]]; then wait500=1; fi
  else
    echo "run.sh: unknown case '$name' (see --help)" >&2
    return 1
  fi
}

IFS=',' read -r -a case_list <<< "$cases"
for c in "${case_list[@]}"; do parse_case "$c"; done

fill_count() {  # size -> messages in a consume topic
  if (($1 <= 100)); then echo "$fill_100"; else echo "$fill_1k"; fi
}
topic_of() {  # case rep -> topic name
  case "$1" in
    C*) echo "bench-$1" ;;
    *) echo "bench-$1-r$2" ;;
  esac
}

# --- brokers -----------------------------------------------------------------------------------

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_keel() {
  local port data config i
  port="${keel_port:-$(free_port)}"
  keel_port="$port"
  data="$tmp/keel"
  mkdir -p "$data"
  config="$data/server.properties"
  cat > "$config" <<PROPS
# Written by bench/run.sh (the same settings as ./run.sh).
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port
log.dirs=$data/logs
num.partitions=3
auto.create.topics.enable=true
PROPS
  "$keel_bin" "$config" > "$results/logs/keel.log" 2>&1 &
  keel_pid=$!
  keel_bootstrap="127.0.0.1:$port"
  for ((i = 0; i < 100; i++)); do
    kill -0 "$keel_pid" 2>/dev/null || { echo "run.sh: keel exited:" >&2; tail -20 "$results/logs/keel.log" >&2; exit 1; }
    if "$loadgen" meta -b "$keel_bootstrap" -T 2 > /dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "run.sh: keel did not answer on $keel_bootstrap within 20 s" >&2
  exit 1
}

start_mock() {
  local args=() c r i rc
  for c in "${case_list[@]}"; do
    parse_case "$c"
    if [[ $kind == consume ]]; then
      args+=(-t "$(topic_of "$c" 0):$parts:1")
    elif ((!wait500)); then
      for ((r = 1; r <= reps; r++)); do args+=(-t "$(topic_of "$c" "$r"):$parts:1"); done
    fi
  done
  : > "$results/logs/mock_cluster.log"
  "$mock" -n 1 -T 7200 "${args[@]}" > "$results/logs/mock_cluster.log" 2>&1 &
  mock_pid=$!
  for ((i = 0; i < 300; i++)); do
    mock_bootstrap="$(awk '/^BOOTSTRAP/ {print $2}' "$results/logs/mock_cluster.log" 2>/dev/null || true)"
    [[ -n "$mock_bootstrap" ]] && return 0
    kill -0 "$mock_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$mock_pid" 2>/dev/null; then
    echo "run.sh: mock_cluster (pid $mock_pid) printed no bootstrap list within 30 s:" >&2
  else
    wait "$mock_pid" && rc=0 || rc=$?
    echo "run.sh: mock_cluster exited with status $rc before printing its bootstrap list:" >&2
  fi
  cat "$results/logs/mock_cluster.log" >&2
  exit 1
}

# --- one loadgen run ---------------------------------------------------------------------------

failures=0
restarts=0

# run_loadgen case side rep bound_s args... : runs loadgen, appends its RESULT to raw.jsonl.
run_loadgen() {
  local case="$1" side="$2" rep="$3" bound="$4"
  shift 4
  local out="$results/logs/$case-$side-r$rep.log" rc=0 result
  bounded $((bound + 20)) "$loadgen" "$@" -T "$bound" > "$out" 2>&1 || rc=$?
  result="$(sed -n 's/^RESULT //p' "$out" | tail -1)"
  if [[ -z "$result" ]]; then
    result=null
  fi
  printf '{"case":"%s","side":"%s","rep":%d,"exit":%d,"result":%s}\n' \
    "$case" "$side" "$rep" "$rc" "$result" >> "$results/raw.jsonl"
  if ((rc != 0)); then
    failures=$((failures + 1))
    echo "run.sh: $case on $side (rep $rep) failed (exit $rc); last lines of $out:" >&2
    grep -v '^RESULT' "$out" | tail -5 >&2 || true
  else
    grep -v '^RESULT' "$out" | sed "s/^/  $side: /" | head -4 || true
  fi
}

declare -A filled=()

fill_topic() {  # case side bootstrap: a consume case's data, once per side
  local case="$1" side="$2" bs="$3" n
  [[ -n "${filled[$case-$side]:-}" ]] && return 0
  n="$(fill_count "$size")"
  log "filling $(topic_of "$case" 0) on $side: $n x $size B"
  bounded 200 "$loadgen" produce -b "$bs" -t "$(topic_of "$case" 0)" -s "$size" \
    -n "$n" -a all -p "$parts" -T 180 -q > "$results/logs/fill-$case-$side.log" 2>&1 ||
    echo "run.sh: filling $(topic_of "$case" 0) on $side failed (see logs/fill-$case-$side.log)" >&2
  filled[$case-$side]=1
}

# A broker that died (or was killed by someone else's cleanup) is restarted, with the same data
# for Keel; the run still counts it as a failure.
ensure_running() {  # side
  if [[ $1 == keel ]] && ! kill -0 "$keel_pid" 2>/dev/null; then
    echo "run.sh: keel (pid $keel_pid) is gone, restarting it; its log:" >&2
    tail -5 "$results/logs/keel.log" >&2 || true
    cp "$results/logs/keel.log" "$results/logs/keel-$((++restarts)).log"
    failures=$((failures + 1))
    wait "$keel_pid" 2>/dev/null || true
    start_keel
  elif [[ $1 == peer ]] && ! kill -0 "$mock_pid" 2>/dev/null; then
    echo "run.sh: mock_cluster (pid $mock_pid) is gone, restarting it" >&2
    cp "$results/logs/mock_cluster.log" "$results/logs/mock_cluster-$((++restarts)).log"
    failures=$((failures + 1))
    wait "$mock_pid" 2>/dev/null || true
    local key
    for key in "${!filled[@]}"; do [[ $key == *-peer ]] && unset "filled[$key]"; done
    start_mock
  fi
}

run_case() {  # case side rep
  local case="$1" side="$2" rep="$3" bs pid topic
  ensure_running "$side"
  if [[ $side == keel ]]; then bs="$keel_bootstrap"; pid="$keel_pid"; else bs="$mock_bootstrap"; pid="$mock_pid"; fi
  parse_case "$case"
  topic="$(topic_of "$case" "$rep")"
  local common=(-b "$bs" -t "$topic" --cpu-pids "$pid")
  case "$kind" in
    produce)
      run_loadgen "$case" "$side" "$rep" 60 produce "${common[@]}" -s "$size" -d "$produce_s" \
        -a "$acks" -l 5 --batch-size 1000000 -p "$parts" ;;
    latency)
      run_loadgen "$case" "$side" "$rep" 60 produce "${common[@]}" -s "$size" -d "$latency_s" \
        -R 20000 -a "$acks" -l 1 --batch-size 1000000 -p "$parts" ;;
    e2e)
      local poll=(-X c:fetch.wait.max.ms=1)
      if ((wait500)); then poll=(); fi
      run_loadgen "$case" "$side" "$rep" 60 e2e "${common[@]}" -s "$size" -d "$e2e_s" \
        -W "$warmup_s" -R 1000 -a all -l 0 -p "$parts" "${poll[@]}" ;;
    consume)
      fill_topic "$case" "$side" "$bs"
      run_loadgen "$case" "$side" "$rep" 60 consume "${common[@]}" -n "$(fill_count "$size")" \
        --rewind -X fetch.wait.max.ms=1 ;;
  esac
  # Keel keeps what it is sent on disk: drop each produce topic after its run.
  if [[ $side == keel && $kind != consume ]]; then
    bounded 40 "$loadgen" delete -b "$bs" -t "$topic" -T 30 -q > /dev/null 2>&1 ||
      echo "run.sh: could not delete $topic on keel" >&2
  fi
}

# --- the run -----------------------------------------------------------------------------------

# A machine reference for the produce cases: how fast this VM grows the page cache. A broker that
# writes to files pays it for every new page; on a VM whose freed memory goes back to the host
# (free page reporting) the first touch of a page is several times slower than a reused one.
# Probed before and after the cases: the produce cases churn through many GB of page cache, and
# the rate the broker met is usually nearer the second probe than the first.
page_cache_mb=$((short ? 256 : 1024))
page_cache_probe() {  # -> MB/s of dd writing page_cache_mb MiB to a new file
  local start ns
  start=$(date +%s%N)
  dd if=/dev/zero of="$tmp/page-cache-probe" bs=1M count="$page_cache_mb" status=none
  ns=$(($(date +%s%N) - start))
  rm -f "$tmp/page-cache-probe"
  echo $((page_cache_mb * 1048576 * 1000 / ns))
}
page_cache_mbps=$(page_cache_probe)

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started=$(date +%s)
log "results in $results; load average $load_before; cases: ${case_list[*]}; reps $reps"
log "page cache growth (dd of $page_cache_mb MiB to a new file): $page_cache_mbps MB/s"
start_keel
start_mock
log "keel $keel_bootstrap (pid $keel_pid), peer $mock_bootstrap (pid $mock_pid)"

for ((rep = 1; rep <= reps; rep++)); do
  for ((i = 0; i < ${#case_list[@]}; i++)); do
    case="${case_list[$i]}"
    parse_case "$case"
    # Alternate which side goes first, so that drift of the machine hits both.
    if (((rep + i) % 2)); then order=(peer keel); else order=(keel peer); fi
    if ((wait500)); then order=(keel); fi
    log "rep $rep/$reps $case (${order[*]})"
    for side in "${order[@]}"; do
      run_case "$case" "$side" "$rep"
    done
  done
done

if ! kill -0 "$keel_pid" 2>/dev/null; then
  echo "run.sh: keel died during the run (see $results/logs/keel.log)" >&2
  failures=$((failures + 1))
fi
stop_process "$keel_pid" keel
stop_process "$mock_pid" mock_cluster
keel_pid=""
mock_pid=""
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
suite_s=$(($(date +%s) - started))
page_cache_mbps_end=$(page_cache_probe)
log "page cache growth after the cases: $page_cache_mbps_end MB/s"

micro_status="skipped"
if ((micro)); then
  if [[ -x "$micro_bin" ]]; then
    log "micro-benchmarks (short mode)"
    micro_args=(--benchmark_min_time=0.05)
    if ((short)); then micro_args=(--benchmark_min_time=0.001); fi
    if KEEL_BENCH_SHORT=1 KEEL_BENCH_DIR="$tmp" timeout 600 "$micro_bin" "${micro_args[@]}" \
        --benchmark_out="$results/micro.json" --benchmark_out_format=json \
        > "$results/logs/micro.log" 2>&1; then
      micro_status="ok"
      grep -E '^BM_' "$results/logs/micro.log" | cut -c1-150 || true
    else
      micro_status="failed"
      failures=$((failures + 1))
      echo "run.sh: micro-benchmarks failed (see $results/logs/micro.log)" >&2
    fi
  else
    echo "run.sh: $micro_bin not found, micro-benchmarks skipped" >&2
  fi
fi

commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty="$(git -C "$repo" status --porcelain 2>/dev/null | head -1)"
cat > "$results/meta.json" <<META
{"date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "commit": "$commit${dirty:+ (modified)}",
 "short": $((short ? 1 : 0)), "reps": $reps, "cases": "$cases",
 "load_before": "$load_before", "load_after": "$load_after", "suite_seconds": $suite_s,
 "cpus": $(nproc), "page_cache_write_mb_per_s": $page_cache_mbps,
 "page_cache_write_mb_per_s_end": $page_cache_mbps_end, "keel": "1 node, RF 1, page cache only (no fsync per batch)",
 "peer": "librdkafka $(pkg-config --modversion rdkafka 2>/dev/null || echo '?') mock cluster, 1 broker",
 "micro": "$micro_status"}
META

echo
log "suite took ${suite_s} s; load average before $load_before, after $load_after"
python3 "$repo/bench/report.py" "$results" || failures=$((failures + 1))
for f in summary.json table.md; do
  [[ -s "$results/$f" ]] || { echo "run.sh: $results/$f missing" >&2; failures=$((failures + 1)); }
done
if ((failures)); then
  echo "run.sh: $failures failure(s)" >&2
  exit 1
fi
