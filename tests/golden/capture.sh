#!/bin/bash
# Re-makes tests/golden/data/: runs capture_broker.py and drives real Kafka
# clients (kcat, confluent-kafka, kafka-python, kafkajs) against it, keeping
# the first request of each api/version that each flow is meant to show.
# See README.md.  Every client command runs under `timeout`.
#
# Needs: kcat, /usr/bin/python3 with python3-confluent-kafka, python3-kafka,
# python3-snappy, python3-lz4, python3-zstandard; node + npm (kafkajs 2.2.4 is
# installed into $KAFKAJS_DIR, outside the repository).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3              # the system Python that has the Kafka clients
DATA=$HERE/data
KAFKAJS_DIR=${KAFKAJS_DIR:-/tmp/kjs}
PORT=${GOLDEN_PORT:-19200}       # each flow gets its own port: PORT, PORT+1, ...
LOG=${GOLDEN_LOG:-/tmp/golden-capture.log}
FAILED=()

: >"$LOG"
mkdir -p "$DATA"
rm -f "$DATA"/*.bin "$DATA"/MANIFEST.tsv

if [ ! -f "$KAFKAJS_DIR/node_modules/kafkajs/package.json" ]; then
    mkdir -p "$KAFKAJS_DIR"
    (cd "$KAFKAJS_DIR" && timeout 180 npm install --no-save --no-audit --no-fund \
        kafkajs@2.2.4) >>"$LOG" 2>&1 || { echo "npm install kafkajs failed" >&2; exit 1; }
fi

# The fixed messages for kcat -P: key:value per line; -Z turns the empty value
# of k3 into a null value; k4's long value makes compression worth it (else
# librdkafka and kafka-python send the batch uncompressed).
MSGS=$(mktemp)
printf 'k1:v1\nk2:value-two\nk3:\nk4:%s\n' "$(printf '0123456789%.0s' $(seq 20))" >"$MSGS"
trap 'rm -f "$MSGS"; [ -n "${BROKER:-}" ] && kill "$BROKER" 2>/dev/null' EXIT

# start_broker LABEL SAVE_APIS: a fresh broker (fresh state) for one flow.
start_broker() {
    LABEL=$1
    PORT=$((PORT + 1))
    BOOT=127.0.0.1:$PORT
    echo "=== $LABEL (port $PORT)" >>"$LOG"
    $PY "$HERE/capture_broker.py" "$PORT" "$LABEL" "$DATA" --save "$2" \
        --max-per-version "${3:-1}" --max-seconds 120 >>"$LOG" 2>&1 &
    BROKER=$!
    for _ in $(seq 50); do  # wait up to 5 s for the listener
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return
        sleep 0.1
    done
    echo "broker for $LABEL did not start" >&2
    exit 1
}

stop_broker() {
    kill "$BROKER" 2>/dev/null
    wait "$BROKER" 2>/dev/null
    BROKER=
}

# run CMD...: runs one bounded client command, remembering failures.
run() {
    echo "+ $*" >>"$LOG"
    "$@" >>"$LOG" 2>&1 || FAILED+=("$LABEL: $* (rc $?)")
}

# run_until_stopped CMD...: like run, for a `timeout` that is meant to fire
# (exit status 124).
run_until_stopped() {
    echo "+ $*" >>"$LOG"
    "$@" >>"$LOG" 2>&1
    local rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 124 ] || FAILED+=("$LABEL: $* (rc $rc)")
}

KCAT_P=(kcat -P -p 0 -K : -Z -H h1=x -X linger.ms=100 -l)

# ---- kcat / librdkafka 2.0.2 ------------------------------------------------
start_broker kcat-list ApiVersions,Metadata 2
run timeout 20 kcat -b "$BOOT" -L
stop_broker

for codec in none gzip snappy lz4 zstd; do
    save=Produce
    [ $codec = none ] && save=Metadata,Produce
    start_broker "kcat-$codec" $save
    run timeout 20 "${KCAT_P[@]}" -b "$BOOT" -t "golden-$codec" \
        -X compression.codec=$codec "$MSGS"
    stop_broker
done

start_broker kcat-consume ListOffsets,Fetch
run timeout 20 "${KCAT_P[@]}" -b "$BOOT" -t golden-none "$MSGS"
run timeout 20 kcat -b "$BOOT" -C -t golden-none -p 0 -o beginning -e
stop_broker

# kcat -G only stops on a signal: SIGINT after 8 s makes it commit and leave.
start_broker kcat-group FindCoordinator,JoinGroup,SyncGroup,Heartbeat,OffsetFetch,OffsetCommit,LeaveGroup
run timeout 20 "${KCAT_P[@]}" -b "$BOOT" -t golden-none "$MSGS"
run_until_stopped timeout -s INT -k 5 8 kcat -b "$BOOT" -G golden-group \
    -X auto.offset.reset=earliest -X heartbeat.interval.ms=300 \
    -X auto.commit.interval.ms=1000 golden-none
stop_broker

# ---- confluent-kafka 1.7.0 / librdkafka 2.0.2 -------------------------------
start_broker confluent-none ApiVersions,Produce
run timeout 30 $PY "$HERE/flows_confluent.py" "$BOOT" none
stop_broker
for codec in gzip snappy lz4 zstd; do
    start_broker "confluent-$codec" Produce
    run timeout 30 $PY "$HERE/flows_confluent.py" "$BOOT" $codec
    stop_broker
done
start_broker confluent-idempotent InitProducerId,Produce 2
run timeout 30 $PY "$HERE/flows_confluent.py" "$BOOT" idempotent
stop_broker
start_broker confluent-group OffsetFetch,OffsetCommit
run timeout 40 $PY "$HERE/flows_confluent.py" "$BOOT" group
stop_broker
start_broker confluent-admin CreateTopics,DeleteTopics
run timeout 30 $PY "$HERE/flows_confluent.py" "$BOOT" admin
stop_broker

# ---- kafka-python 2.0.2 -----------------------------------------------------
# Two of each: kafka-python's first Metadata v1 asks for all topics, the
# second (on the connection to node 1) for golden-none.
start_broker kpy-none ApiVersions,Metadata,Produce 2
run timeout 30 $PY "$HERE/flows_kafka_python.py" "$BOOT" none
stop_broker
for codec in gzip snappy lz4 zstd; do
    start_broker "kpy-$codec" Produce
    run timeout 30 $PY "$HERE/flows_kafka_python.py" "$BOOT" $codec
    stop_broker
done
start_broker kpy-group FindCoordinator,JoinGroup,SyncGroup,Heartbeat,OffsetFetch,OffsetCommit,LeaveGroup,ListOffsets,Fetch
run timeout 40 $PY "$HERE/flows_kafka_python.py" "$BOOT" group
stop_broker
start_broker kpy-admin Metadata:5,CreateTopics,DeleteTopics
run timeout 30 $PY "$HERE/flows_kafka_python.py" "$BOOT" admin
stop_broker

# ---- kafkajs 2.2.4 ----------------------------------------------------------
export NODE_PATH=$KAFKAJS_DIR/node_modules KAFKAJS_NO_PARTITIONER_WARNING=1
start_broker kafkajs-none ApiVersions,Metadata,Produce
run timeout 30 node "$HERE/flows_kafkajs.js" "$BOOT" none
stop_broker
start_broker kafkajs-gzip Produce
run timeout 30 node "$HERE/flows_kafkajs.js" "$BOOT" gzip
stop_broker
start_broker kafkajs-idempotent InitProducerId,Produce 2
run timeout 30 node "$HERE/flows_kafkajs.js" "$BOOT" idempotent
stop_broker
start_broker kafkajs-group FindCoordinator,JoinGroup,SyncGroup,Heartbeat,OffsetFetch,OffsetCommit,LeaveGroup,ListOffsets,Fetch
run timeout 40 node "$HERE/flows_kafkajs.js" "$BOOT" group
stop_broker
start_broker kafkajs-admin CreateTopics,DeleteTopics
run timeout 30 node "$HERE/flows_kafkajs.js" "$BOOT" admin
stop_broker

# ---- manifest -----------------------------------------------------------------
$PY -B "$HERE/manifest.py" "$DATA" >"$DATA/MANIFEST.tsv" 2>>"$LOG" ||
    FAILED+=("manifest.py (see $LOG)")

echo "$(ls "$DATA"/*.bin | wc -l) frames in $DATA (log: $LOG)"
if [ ${#FAILED[@]} -gt 0 ]; then
    printf 'FAILED: %s\n' "${FAILED[@]}" >&2
    exit 1
fi
