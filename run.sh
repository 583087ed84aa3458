#!/usr/bin/env bash
# Installs dependencies, builds Keel and starts a local node in the foreground.
# Ctrl-C stops it cleanly (graceful shutdown; the data stays in $KEEL_DATA for the next run).
#
# Today this is a single node (a metadata quorum of one); the cluster issue turns it into three.
#   KEEL_DATA  data directory (default: ./data)
#   KEEL_PORT  client port (default: 9092)
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh
scripts/build.sh release

data="${KEEL_DATA:-$PWD/data}"
port="${KEEL_PORT:-9092}"
mkdir -p "$data/node-1"
config="$data/node-1/server.properties"
cat > "$config" <<PROPS
# Written by run.sh; edit KEEL_* variables instead of this file.
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port
log.dirs=$data/node-1/logs
num.partitions=3
auto.create.topics.enable=true
PROPS

cat <<HELP

Keel is starting: bootstrap server 127.0.0.1:$port (data in $data/node-1).
From another terminal:
  kcat -b 127.0.0.1:$port -L                                  # list brokers and topics
  echo 'hello keel' | kcat -b 127.0.0.1:$port -P -t demo      # produce (creates topic demo)
  kcat -b 127.0.0.1:$port -C -t demo -o beginning -e          # consume it back
Ctrl-C stops the node cleanly.

HELP
exec build/broker/keel "$config"
