#!/usr/bin/python3
"""kafka-python 2.0.2 flows for capture.sh: flows_kafka_python.py BOOTSTRAP FLOW.

FLOW is none|gzip|snappy|lz4|zstd (producer with that codec), group (produce,
then consume + commit in group golden-group) or admin.  kafka-python needs
python3-snappy / python3-lz4 / python3-zstandard for those codecs.
"""
import sys
import time

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

# The fixed messages every producer flow sends (see README.md).  k4's long,
# repetitive value makes compression pay off: kafka-python sends a batch
# uncompressed when compressing would not make it smaller.
MESSAGES = [(b"k1", b"v1"), (b"k2", b"value-two"), (b"k3", None),
            (b"k4", b"0123456789" * 20)]
HEADERS = [("h1", b"x")]


def produce(bootstrap, topic, codec=None):
    # linger_ms so the three sends share one batch.
    p = KafkaProducer(bootstrap_servers=bootstrap, compression_type=codec,
                      linger_ms=100)
    futures = [p.send(topic, key=k, value=v, headers=HEADERS, partition=0)
               for k, v in MESSAGES]
    p.flush(timeout=10)
    for f in futures:
        f.get(timeout=10)
    p.close(timeout=5)


def main():
    bootstrap, flow = sys.argv[1], sys.argv[2]
    if flow in ("none", "gzip", "snappy", "lz4", "zstd"):
        produce(bootstrap, "golden-" + flow, None if flow == "none" else flow)
    elif flow == "group":
        produce(bootstrap, "golden-none")
        c = KafkaConsumer("golden-none", bootstrap_servers=bootstrap,
                          group_id="golden-group", auto_offset_reset="earliest",
                          enable_auto_commit=False, heartbeat_interval_ms=300)
        got, deadline = 0, time.time() + 20
        while got < len(MESSAGES) and time.time() < deadline:
            for records in c.poll(timeout_ms=500).values():
                got += len(records)
        # Keep polling briefly so at least one Heartbeat goes out.
        end = time.time() + 1.5
        while time.time() < end:
            c.poll(timeout_ms=200)
        c.commit()
        c.close()  # LeaveGroup
        if got < len(MESSAGES):
            sys.exit("consumed only %d messages" % got)
    elif flow == "admin":
        a = KafkaAdminClient(bootstrap_servers=bootstrap)
        a.create_topics([NewTopic("golden-admin", num_partitions=3,
                                  replication_factor=1,
                                  topic_configs={"retention.ms": "60000"})],
                        timeout_ms=5000)
        a.delete_topics(["golden-admin"], timeout_ms=5000)
        a.close()
    else:
        sys.exit("unknown flow " + flow)


if __name__ == "__main__":
    main()
