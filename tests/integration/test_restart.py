"""Restarts: everything acknowledged survives a graceful restart (SIGTERM, exit 0 within 30 s)
and a kill -9; topics, partition counts and topic configs survive both; offsets continue
where they ended. Small segments so several roll and recovery crosses segment boundaries."""

import random
import threading
import time

import keel_harness as h

h.require_modules("confluent_kafka")

from confluent_kafka.admin import ConfigResource, NewTopic  # noqa: E402

SEGMENT_BYTES = 256 * 1024


def describe(bootstrap, topic):
    a = h.admin(bootstrap)
    res = ConfigResource(ConfigResource.Type.TOPIC, topic)
    return {k: v.value for k, v in a.describe_configs([res], request_timeout=15)[res]
            .result(15).items()}


class RestartTest(h.BrokerPerTestCase):
    broker_props = {"num.partitions": "1", "log.segment.bytes": str(SEGMENT_BYTES),
                    "auto.create.topics.enable": "false"}

    def setUp(self):
        super().setUp()
        self.rng = random.Random(self.id())

    def produce(self, topic, partitions, n, start_index=0, acks="all"):
        msgs = []
        for p in range(partitions):
            for m in h.random_messages(self.rng, n, partition=p, max_len=400):
                m["index"] += start_index
                msgs.append(m)
        results = h.produce_all(h.producer(self.boot, acks=acks), topic, msgs)
        for m, (p, off) in zip(msgs, results):
            self.assertEqual(off, m["index"], f"partition {p}")
        return {p: [m for m in msgs if m["partition"] == p] for p in range(partitions)}

    def read_all(self, topic, expected):
        got = h.consume(self.boot, topic, {p: 0 for p in expected},
                        {p: len(v) for p, v in expected.items()}, timeout=60)
        for p, msgs in expected.items():
            h.assert_same_messages(self, msgs, got[p], 0, f"{topic}[{p}]")
            self.assertEqual(h.watermarks(self.boot, topic, p), (0, len(msgs)))

    def test_graceful_then_kill9(self):
        topic = h.unique("restart")
        config = {"retention.ms": "123456789", "max.message.bytes": "500000",
                  "cleanup.policy": "delete"}
        h.create_topic(self.boot, topic, partitions=3, config=config)
        data = self.produce(topic, 3, 3000)
        segments_before = self.broker.stored_batches(topic, 0)
        self.assertTrue(segments_before)

        # Graceful restart with a consumer long-polling at the end of a partition and an
        # idle producer connected: SIGTERM must still end with exit code 0 within 30 s.
        from confluent_kafka import TopicPartition

        waiting = h.consumer(self.boot)
        waiting.assign([TopicPartition(topic, 0, 3000)])
        self.assertIsNone(waiting.poll(1.0))
        idle = h.producer(self.boot)
        idle.list_topics(topic, timeout=10)
        took = self.broker.stop_ok()
        self.assertLess(took, h.STOP_TIMEOUT)
        print(f"\ngraceful stop with connected clients took {took:.2f} s", flush=True)
        self.broker.start()
        h.wait_topic(self.boot, topic, 3)
        self.read_all(topic, data)
        cfg = describe(self.boot, topic)
        for k, v in config.items():
            self.assertEqual(cfg[k], v, f"config {k} after graceful restart")
        waiting.close()
        del idle

        # More data, then kill -9 right after the acknowledgements.
        more = self.produce(topic, 3, 2000, start_index=3000)
        for p in data:
            data[p] += more[p]
        self.broker.kill9()
        self.broker.start()
        h.wait_topic(self.boot, topic, 3)
        self.read_all(topic, data)
        cfg = describe(self.boot, topic)
        for k, v in config.items():
            self.assertEqual(cfg[k], v, f"config {k} after kill -9")

        # Offsets continue after the recovered end.
        again = self.produce(topic, 3, 100, start_index=5000)
        for p in data:
            data[p] += again[p]
        self.read_all(topic, data)

    def test_kill9_during_production(self):
        """kill -9 while a producer is busy: every acknowledged message is there at its
        acknowledged offset after the restart; the log has no holes; new appends follow."""
        topic = h.unique("restart-busy")
        h.create_topic(self.boot, topic, partitions=2)
        acked = {0: {}, 1: {}}
        stop = threading.Event()
        errors = []

        def run_producer():
            prod = h.producer(self.boot, acks="all", **{"message.timeout.ms": 5000,
                                                        "retries": 0, "linger.ms": 2})
            i = 0
            deadline = time.monotonic() + 30
            while not stop.is_set() and time.monotonic() < deadline:
                for _ in range(200):
                    p = i % 2
                    value = b"busy-%d-" % i + self.rng.randbytes(self.rng.randint(0, 300))

                    def cb(err, msg, value=value):
                        if err is None:
                            acked[msg.partition()][msg.offset()] = value
                        else:
                            errors.append(err)

                    try:
                        prod.produce(topic, partition=p, value=value, on_delivery=cb)
                    except BufferError:
                        prod.poll(0.05)
                    i += 1
                prod.poll(0.01)
            prod.flush(15)

        t = threading.Thread(target=run_producer, daemon=True)
        t.start()
        h.wait_until(lambda: sum(len(a) for a in acked.values()) >= 3000, 30,
                     "3000 acknowledged messages", 0.05)
        self.broker.kill9()
        stop.set()
        t.join(40)
        self.assertFalse(t.is_alive(), "producer thread did not finish")
        snapshot = {p: dict(a) for p, a in acked.items()}
        self.broker.start()
        h.wait_topic(self.boot, topic, 2)
        for p, values in snapshot.items():
            high = h.watermarks(self.boot, topic, p)[1]
            top = max(values) + 1 if values else 0
            self.assertGreaterEqual(high, top, f"partition {p}: acknowledged offsets lost")
            got = h.consume(self.boot, topic, {p: 0}, {p: high}, timeout=60)[p]
            self.assertEqual([m.offset() for m in got], list(range(high)), "holes in the log")
            for m in got:
                if m.offset() in values:
                    self.assertEqual(m.value(), values[m.offset()], f"offset {m.offset()}")
            off = h.check_roundtrip(self.boot, topic, partition=p)
            self.assertEqual(off, high, "the next append follows the recovered end")

    def test_topic_lifecycle_survives_restarts(self):
        """Created (with configs), grown, altered and deleted topics: the metadata is durable
        once acknowledged, across kill -9 and graceful restarts."""
        a = h.admin(self.boot)
        keep = h.unique("life-keep")
        gone = h.unique("life-gone")
        h.create_topic(self.boot, keep, partitions=2, config={"retention.bytes": "1000000"})
        h.create_topic(self.boot, gone, partitions=1)
        from confluent_kafka.admin import NewPartitions

        a.create_partitions([NewPartitions(keep, 4)], request_timeout=15)[keep].result(15)
        res = ConfigResource(ConfigResource.Type.TOPIC, keep,
                             set_config={"retention.bytes": "2000000", "segment.ms": "3600000"})
        a.alter_configs([res], request_timeout=15)[res].result(15)
        a.delete_topics([gone], request_timeout=15)[gone].result(15)
        late = h.unique("life-late")
        a.create_topics([NewTopic(late, 2, 1)], request_timeout=15)[late].result(15)
        self.broker.kill9()  # straight after the last acknowledgement
        self.broker.start()
        names = h.metadata(self.boot).topics
        self.assertIn(keep, names)
        self.assertIn(late, names, "a topic created just before kill -9 was lost")
        self.assertNotIn(gone, names, "a deleted topic came back after kill -9")
        h.wait_topic(self.boot, keep, 4)
        h.wait_topic(self.boot, late, 2)
        cfg = describe(self.boot, keep)
        self.assertEqual(cfg["retention.bytes"], "2000000")
        self.assertEqual(cfg["segment.ms"], "3600000")
        for p in range(4):
            h.check_roundtrip(self.boot, keep, partition=p)

        self.broker.restart(graceful=True)
        names = h.metadata(self.boot).topics
        self.assertIn(keep, names)
        self.assertNotIn(gone, names)
        self.assertEqual(describe(self.boot, keep)["retention.bytes"], "2000000")
        # A deleted topic's name can be created again, empty, after the restarts.
        h.create_topic(self.boot, gone, partitions=1)
        self.assertEqual(h.watermarks(self.boot, gone, 0), (0, 0))

    def test_repeated_restarts_keep_cluster_id_and_data(self):
        topic = h.unique("restart-loop")
        h.create_topic(self.boot, topic, partitions=1)
        cluster_id = h.admin(self.boot).list_topics(timeout=10).cluster_id
        data = {0: []}
        for round_ in range(3):
            more = self.produce(topic, 1, 200, start_index=len(data[0]))
            data[0] += more[0]
            self.broker.restart(graceful=(round_ % 2 == 0))
            self.assertEqual(h.admin(self.boot).list_topics(timeout=10).cluster_id, cluster_id)
        self.read_all(topic, data)


if __name__ == "__main__":
    h.main()
