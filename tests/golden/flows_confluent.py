#!/usr/bin/python3
"""confluent-kafka (librdkafka) flows for capture.sh: flows_confluent.py BOOTSTRAP FLOW.

FLOW is none|gzip|snappy|lz4|zstd (producer with that codec), idempotent,
group (produce, then consume + commit in group golden-group) or admin.
Every wait is bounded; capture.sh also runs us under `timeout`.
"""
import sys
import time

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

# The fixed messages every producer flow sends (see README.md).  k4's long,
# repetitive value makes compression pay off: librdkafka sends a batch
# uncompressed when compressing would not make it smaller.
MESSAGES = [(b"k1", b"v1"), (b"k2", b"value-two"), (b"k3", None),
            (b"k4", b"0123456789" * 20)]
HEADERS = [("h1", b"x")]


def produce(bootstrap, topic, messages, **conf):
    # linger.ms so all messages of one call go out in a single batch.
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 100, **conf})
    # Learn the partition first: messages produced before that wait in an
    # "unassigned" queue and were once seen to leave in two batches.
    p.list_topics(topic, timeout=5)
    for key, value in messages:
        p.produce(topic, key=key, value=value, headers=HEADERS, partition=0)
    if p.flush(10) != 0:
        sys.exit("messages not delivered")
    return p


def main():
    bootstrap, flow = sys.argv[1], sys.argv[2]
    if flow in ("none", "gzip", "snappy", "lz4", "zstd"):
        produce(bootstrap, "golden-" + flow, MESSAGES, **{"compression.type": flow})
    elif flow == "idempotent":
        # Two flushed batches so the second shows baseSequence = 4.
        p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 100,
                      "enable.idempotence": True})
        p.list_topics("golden-idempotent", timeout=5)
        for batch in (MESSAGES, [(b"k5", b"v5"), (b"k6", b"v6")]):
            for key, value in batch:
                p.produce("golden-idempotent", key=key, value=value,
                          headers=HEADERS, partition=0)
            if p.flush(10) != 0:
                sys.exit("messages not delivered")
    elif flow == "group":
        produce(bootstrap, "golden-none", MESSAGES)
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": "golden-group",
                      "auto.offset.reset": "earliest", "enable.auto.commit": False,
                      "heartbeat.interval.ms": 300})
        c.subscribe(["golden-none"])
        got, deadline = 0, time.time() + 20
        while got < len(MESSAGES) and time.time() < deadline:
            m = c.poll(0.5)
            if m is not None and not m.error():
                got += 1
        # Stay a little so at least one Heartbeat goes out.
        end = time.time() + 1.5
        while time.time() < end:
            c.poll(0.2)
        c.commit(asynchronous=False)
        c.close()  # LeaveGroup
        if got < len(MESSAGES):
            sys.exit("consumed only %d messages" % got)
    elif flow == "admin":
        a = AdminClient({"bootstrap.servers": bootstrap})
        topic = NewTopic("golden-admin", num_partitions=3, replication_factor=1,
                         config={"retention.ms": "60000"})
        for f in a.create_topics([topic], operation_timeout=5).values():
            f.result(timeout=10)
        for f in a.delete_topics(["golden-admin"], operation_timeout=5).values():
            f.result(timeout=10)
    else:
        sys.exit("unknown flow " + flow)


if __name__ == "__main__":
    main()
