"""One consumer-group member in its own process, for test_groups.py (so it can be killed).

  group_member.py LIB BOOTSTRAP TOPIC GROUP [JSON-OPTIONS]

LIB is "confluent" or "kafka-python". Prints one line per event, flushed:
  READY                      subscribed
  ASSIGN p,p,...             partitions assigned (REVOKE likewise)
  MSG partition offset value consumed (then committed synchronously, offset + 1)
  CLOSED                     after SIGTERM: closed (LeaveGroup unless static)
Options: delay (seconds per message), session (ms), conf (extra client config)."""

import json
import signal
import sys
import time

lib, boot, topic, group = sys.argv[1:5]
opts = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
delay = float(opts.get("delay", 0.0))
session = int(opts.get("session", 4000))
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def value_text(v):
    return "-" if v is None else v.decode("utf-8", "replace")


if lib == "confluent":
    from confluent_kafka import Consumer

    conf = {"bootstrap.servers": boot, "group.id": group, "auto.offset.reset": "earliest",
            "enable.auto.commit": False, "session.timeout.ms": session,
            "heartbeat.interval.ms": 500, "enable.partition.eof": False}
    conf.update(opts.get("conf", {}))
    c = Consumer(conf)
    c.subscribe([topic],
                on_assign=lambda _c, ps: out("ASSIGN " + ",".join(str(p.partition) for p in ps)),
                on_revoke=lambda _c, ps: out("REVOKE " + ",".join(str(p.partition) for p in ps)))
    out("READY")
    while not stop:
        m = c.poll(0.2)
        if m is None or m.error() is not None:
            continue
        out(f"MSG {m.partition()} {m.offset()} {value_text(m.value())}")
        try:
            c.commit(message=m, asynchronous=False)
        except Exception as e:  # noqa: BLE001 - a commit during a rebalance may fail
            out(f"COMMITFAIL {e}")
        if delay:
            time.sleep(delay)
    c.close()
    out("CLOSED")
elif lib == "kafka-python":
    from kafka import ConsumerRebalanceListener, KafkaConsumer
    from kafka.structs import OffsetAndMetadata

    class Listener(ConsumerRebalanceListener):
        def on_partitions_assigned(self, assigned):
            out("ASSIGN " + ",".join(str(tp.partition) for tp in assigned))

        def on_partitions_revoked(self, revoked):
            out("REVOKE " + ",".join(str(tp.partition) for tp in revoked))

    c = KafkaConsumer(bootstrap_servers=boot, group_id=group, auto_offset_reset="earliest",
                      enable_auto_commit=False, session_timeout_ms=session,
                      heartbeat_interval_ms=500, **opts.get("conf", {}))
    c.subscribe([topic], listener=Listener())
    out("READY")
    while not stop:
        recs = c.poll(timeout_ms=200, max_records=1)
        for tp, msgs in recs.items():
            for m in msgs:
                out(f"MSG {m.partition} {m.offset} {value_text(m.value)}")
                try:
                    c.commit({tp: OffsetAndMetadata(m.offset + 1, None)})
                except Exception as e:  # noqa: BLE001
                    out(f"COMMITFAIL {e!r}")
                if delay:
                    time.sleep(delay)
    c.close()
    out("CLOSED")
else:
    sys.exit(f"unknown client library {lib}")
