#!/usr/bin/env bash
# Installs dependencies, builds Keel and starts a local three-node cluster in the foreground:
# brokers on 127.0.0.1:9092, 9093, 9094, each also a voter of the metadata quorum (combined
# mode, controller listeners on 9192-9194). Ctrl-C stops the nodes in an order that keeps the
# quorum while it matters: the others first (each with a controlled shutdown that moves its
# partition leaderships away), the active controller last. The data stays for the next run.
#
#   KEEL_NODES=1   a single node on 127.0.0.1:9092 instead (replication factors 1)
#   KEEL_DATA      data directory (default: ./data): node-N/ holds node N's logs, server
#                  properties and keel.log; single/ the single node's
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh
scripts/build.sh release

data="${KEEL_DATA:-$PWD/data}"
nodes="${KEEL_NODES:-3}"
keel=build/broker/keel
keelctl=build/tools/keelctl/keelctl
mkdir -p "$data"

if [[ "$nodes" == 1 ]]; then
  dir="$data/single"
  mkdir -p "$dir"
  cat > "$dir/server.properties" <<PROPS
# Written by run.sh (KEEL_NODES=1); edit KEEL_* variables instead of this file.
node.id=1
listeners=PLAINTEXT://127.0.0.1:9092
log.dirs=$dir/logs
num.partitions=3
auto.create.topics.enable=true
PROPS
  cat <<HELP

Keel is starting: one node, bootstrap server 127.0.0.1:9092 (data in $dir).
  kcat -b 127.0.0.1:9092 -L
  echo 'hello keel' | kcat -b 127.0.0.1:9092 -P -t demo
  kcat -b 127.0.0.1:9092 -C -t demo -o beginning -e
Ctrl-C stops the node cleanly.

HELP
  exec "$keel" "$dir/server.properties"
fi

if [[ "$nodes" != 3 ]]; then
  echo "run.sh: KEEL_NODES must be 1 or 3" >&2
  exit 2
fi

# One cluster id for the nodes' lifetime, kept beside their data.
if [[ ! -s "$data/cluster.id" ]]; then
  head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' > "$data/cluster.id"
fi
cluster_id=$(cat "$data/cluster.id")
voters="1@127.0.0.1:9192,2@127.0.0.1:9193,3@127.0.0.1:9194"
bootstrap="127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094"

declare -A pid
for n in 1 2 3; do
  dir="$data/node-$n"
  mkdir -p "$dir"
  if [[ -f "$dir/logs/meta.properties" && ! -f "$dir/logs/__cluster_metadata-0/quorum-state" ]]; then
    echo "run.sh: $dir was written by a single-node Keel; remove $data to start the cluster" >&2
    exit 1
  fi
  cat > "$dir/server.properties" <<PROPS
# Written by run.sh; edit KEEL_* variables instead of this file.
node.id=$n
cluster.id=$cluster_id
process.roles=broker,controller
listeners=PLAINTEXT://127.0.0.1:$((9091 + n)),CONTROLLER://127.0.0.1:$((9191 + n))
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
controller.quorum.voters=$voters
log.dirs=$dir/logs
num.partitions=3
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
auto.create.topics.enable=true
PROPS
  "$keel" "$dir/server.properties" >> "$dir/keel.log" 2>&1 &
  pid[$n]=$!
done

alive() { kill -0 "${pid[$1]}" 2>/dev/null; }

# SIGTERM and wait (bounded): the node asks the controller to move its leaderships first.
stop_node() {
  local n=$1
  alive "$n" || return 0
  kill -TERM "${pid[$n]}" 2>/dev/null || true
  for _ in $(seq 1 300); do
    alive "$n" || { echo "node $n stopped"; return 0; }
    sleep 0.1
  done
  echo "node $n did not stop within 30 s: killing it" >&2
  kill -KILL "${pid[$n]}" 2>/dev/null || true
}

stop_all() {
  trap - INT TERM
  echo
  local controller="" n
  for n in 1 2 3; do
    alive "$n" || continue
    controller=$("$keelctl" --bootstrap-server "127.0.0.1:$((9091 + n))" --timeout-ms 2000 \
        cluster status 2>/dev/null | sed -n 's/^quorum: leader \([0-9]*\),.*/\1/p' | head -n 1) ||
        true
    [[ -n "$controller" ]] && break
  done
  for n in 1 2 3; do
    [[ "$n" == "$controller" ]] || stop_node "$n"
  done
  if [[ -n "$controller" ]]; then stop_node "$controller"; fi
  exit 0
}
trap stop_all INT TERM

# Ready: the quorum has a leader and all three brokers are registered and unfenced.
echo "Waiting for the quorum and the three brokers..."
ready=0
for _ in $(seq 1 300); do
  for n in 1 2 3; do
    if ! alive "$n"; then
      echo "run.sh: node $n exited; its log ($data/node-$n/keel.log) ends with:" >&2
      tail -n 20 "$data/node-$n/keel.log" >&2
      stop_all
    fi
  done
  status=$("$keelctl" --bootstrap-server 127.0.0.1:9092 --timeout-ms 1000 cluster status \
      2>/dev/null || true)
  if grep -q "^quorum: leader [1-3]," <<< "$status" &&
     [[ $(grep -c "^  broker [1-3] at .*metadata offset" <<< "$status") == 3 ]] &&
     ! grep -q FENCED <<< "$status"; then
    ready=1
    break
  fi
  sleep 0.1
done
if [[ "$ready" != 1 ]]; then
  echo "run.sh: the cluster did not come up within 30 s; see $data/node-*/keel.log" >&2
  stop_all
fi

cat <<HELP

Keel is running: three brokers, bootstrap servers $bootstrap
(data and each node's keel.log in $data/node-{1,2,3}).
From another terminal:
  kcat -b $bootstrap -L                                      # three brokers, one controller
  echo 'hello keel' | kcat -b $bootstrap -P -t demo          # produce (creates topic demo, RF 3)
  kcat -b $bootstrap -C -t demo -o beginning -e              # consume it back
  $keelctl --bootstrap-server 127.0.0.1:9092 cluster status
Ctrl-C stops the nodes (the active controller last).

HELP
"$keelctl" --bootstrap-server 127.0.0.1:9092 cluster status || true
wait
