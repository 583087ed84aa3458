"""kafka-python 2.0.2 against a real keel: its version probe, KafkaProducer/KafkaConsumer
(assign + seek, no group) byte-exact round trips, its codecs (snappy with xerial framing, gzip,
lz4, zstd), KafkaAdminClient topics and configs, offsets_for_times and beginning/end offsets.

Every check verifies what kafka-python read with confluent-kafka too where that adds something
(a second, independent decoder of what the broker stored)."""

import logging
import random
import time

import keel_harness as h

h.require_modules("kafka", "confluent_kafka")

import kafka  # noqa: E402
import kafka.codec  # noqa: E402
from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka import errors as kerrors  # noqa: E402
from kafka.admin import (ConfigResource, ConfigResourceType, KafkaAdminClient,  # noqa: E402
                         NewPartitions, NewTopic)

logging.getLogger("kafka").setLevel(logging.CRITICAL)

CODECS = {"gzip": (kafka.codec.has_gzip(), 1), "snappy": (kafka.codec.has_snappy(), 2),
          "lz4": (kafka.codec.has_lz4(), 3), "zstd": (kafka.codec.has_zstd(), 4)}


class KafkaPythonTest(h.BrokerTestCase):
    broker_props = {"num.partitions": "1", "auto.create.topics.enable": "false"}

    def setUp(self):
        super().setUp()
        self.boot = self.broker.bootstrap
        self._closers = []

    def tearDown(self):
        for c in reversed(self._closers):
            try:
                c.close()
            except Exception:  # noqa: BLE001
                pass
        super().tearDown()

    def producer(self, **kw):
        conf = dict(bootstrap_servers=self.boot, linger_ms=5, request_timeout_ms=15000,
                    max_block_ms=15000, retries=0)
        conf.update(kw)
        p = KafkaProducer(**conf)
        self._closers.append(p)
        return p

    def consumer(self, **kw):
        conf = dict(bootstrap_servers=self.boot, group_id=None, enable_auto_commit=False,
                    auto_offset_reset="none", request_timeout_ms=20000,
                    consumer_timeout_ms=1000)
        conf.update(kw)
        c = KafkaConsumer(**conf)
        self._closers.append(c)
        return c

    def admin(self):
        a = KafkaAdminClient(bootstrap_servers=self.boot, request_timeout_ms=15000)
        self._closers.append(a)
        return a

    def send_all(self, producer, topic, msgs, timeout=60):
        futures = [producer.send(topic, value=m["value"], key=m["key"], partition=m["partition"],
                                 headers=m.get("headers") or [],
                                 timestamp_ms=m.get("timestamp"))
                   for m in msgs]
        producer.flush(timeout)
        return [f.get(timeout=1) for f in futures]

    def read(self, topic, partition, start, count, timeout=60):
        c = self.consumer()
        tp = TopicPartition(topic, partition)
        c.assign([tp])
        c.seek(tp, start)
        out = []
        deadline = time.monotonic() + timeout
        for _ in range(100000):
            if len(out) >= count or time.monotonic() > deadline:
                break
            for records in c.poll(timeout_ms=500, max_records=5000).values():
                out.extend(records)
        self.assertEqual(len(out), count, f"read {len(out)} of {count} from {topic}[{partition}]")
        return out

    def assert_records(self, sent, got, first_offset, what):
        self.assertEqual(len(got), len(sent), what)
        for i, (s, r) in enumerate(zip(sent, got)):
            ctx = f"{what}: record {i}"
            self.assertEqual(r.offset, first_offset + i, ctx)
            self.assertEqual(r.key, s["key"], ctx)
            self.assertEqual(r.value, s["value"], ctx)
            self.assertEqual(list(r.headers or []), list(s.get("headers") or []), ctx)
            if s.get("timestamp") is not None:
                self.assertEqual(r.timestamp, s["timestamp"], ctx)

    @staticmethod
    def messages(rng, n, partition, max_len=200):
        msgs = h.random_messages(rng, n, partition=partition, headers=False, max_len=max_len)
        for i, m in enumerate(msgs):
            if m["key"] is None and m["value"] is None:
                m["key"] = b""  # kafka-python refuses a record with neither
            if i % 4 == 0:  # kafka-python headers: str keys, bytes values (not null)
                m["headers"] = [("h", rng.randbytes(rng.randint(0, 10))), ("i", b"%d" % i)]
        return msgs

    # -----------------------------------------------------------------------------------------

    def test_version_probe_picks_record_batch_v2(self):
        """kafka-python guesses the broker release from ApiVersions; anything below 0.11 would
        make it write magic 0/1 message sets, which Keel refuses. Produce v7 needs >= 2.1."""
        p = self.producer()
        self.assertGreaterEqual(p.config["api_version"], (2, 1, 0), p.config["api_version"])

    def test_many_messages_byte_exact(self):
        topic = h.unique("kp-many")
        h.create_topic(self.boot, topic, partitions=2)
        rng = random.Random(42)
        sent = {p: self.messages(rng, 6000, p) for p in (0, 1)}
        p = self.producer(acks="all", batch_size=64 * 1024)
        for part in (0, 1):
            meta = self.send_all(p, topic, sent[part])
            self.assertEqual([m.offset for m in meta], list(range(len(sent[part]))))
        for part in (0, 1):
            self.assert_records(sent[part], self.read(topic, part, 0, len(sent[part])), 0,
                                f"partition {part}")
        # And what confluent-kafka reads is the same.
        got = h.consume(self.boot, topic, {0: 0}, {0: 6000})
        h.assert_same_messages(self, sent[0], got[0], 0, "confluent view")

    def test_codecs(self):
        topic = h.unique("kp-codec")
        h.create_topic(self.boot, topic, partitions=len(CODECS))
        rng = random.Random(5)
        for part, (codec, (available, bits)) in enumerate(CODECS.items()):
            with self.subTest(codec=codec):
                if not available:
                    self.skipTest(f"python module for {codec} missing")
                msgs = []
                for i in range(2000):
                    value = (b"%s-%05d " % (codec.encode(), i)) * rng.randint(1, 20)
                    if i % 7 == 0:
                        value += rng.randbytes(50)
                    msgs.append({"partition": part, "key": b"key%d" % (i % 9), "value": value,
                                 "headers": [("c", codec.encode())] if i % 2 else None})
                p = self.producer(compression_type=codec, linger_ms=50)
                meta = self.send_all(p, topic, msgs)
                self.assertEqual([m.offset for m in meta], list(range(len(msgs))))
                self.assert_records(msgs, self.read(topic, part, 0, len(msgs)), 0, codec)
                got = h.consume(self.boot, topic, {part: 0}, {part: len(msgs)})
                h.assert_same_messages(self, msgs, got[part], 0, f"{codec}, confluent view")
                batches = self.broker.stored_batches(topic, part)
                self.assertEqual({a & 7 for _, a, _ in batches}, {bits}, batches[:5])

    def test_seek_offsets_and_times(self):
        topic = h.unique("kp-seek")
        h.create_topic(self.boot, topic, partitions=1)
        base = int(time.time() * 1000) - 300_000
        msgs = [{"partition": 0, "key": None, "value": b"v%d" % i, "timestamp": base + 10 * i}
                for i in range(300)]
        self.send_all(self.producer(compression_type="gzip"), topic, msgs)
        c = self.consumer()
        tp = TopicPartition(topic, 0)
        self.assertEqual(c.beginning_offsets([tp]), {tp: 0})
        self.assertEqual(c.end_offsets([tp]), {tp: 300})
        found = c.offsets_for_times({tp: base + 1005})
        self.assertEqual(found[tp].offset, 101)
        self.assertEqual(found[tp].timestamp, base + 1010)
        self.assertIsNone(c.offsets_for_times({tp: base + 10_000})[tp])
        self.assertEqual(c.offsets_for_times({tp: 0})[tp].offset, 0)
        self.assertEqual(self.read(topic, 0, 290, 10)[0].value, b"v290")
        got = self.read(topic, 0, 150, 150)
        self.assert_records(msgs[150:], got, 150, "from 150")
        # seek_to_beginning / seek_to_end
        c.assign([tp])
        c.seek_to_end(tp)
        self.assertEqual(c.position(tp), 300)
        c.seek_to_beginning(tp)
        self.assertEqual(c.position(tp), 0)

    def test_batch_larger_than_partition_fetch_size(self):
        """KIP-74: Fetch returns the first batch even when it is larger than the partition's
        max bytes, so a consumer with a small max_partition_fetch_bytes still progresses."""
        topic = h.unique("kp-bigbatch")
        h.create_topic(self.boot, topic, partitions=1)
        rng = random.Random(8)
        msgs = [{"partition": 0, "key": b"k%d" % i, "value": rng.randbytes(50_000)}
                for i in range(6)]
        self.send_all(self.producer(linger_ms=0, max_request_size=200_000), topic, msgs)
        c = self.consumer(max_partition_fetch_bytes=1024, fetch_max_bytes=2048)
        tp = TopicPartition(topic, 0)
        c.assign([tp])
        c.seek(tp, 0)
        got = []
        deadline = time.monotonic() + 30
        for _ in range(1000):
            if len(got) >= len(msgs) or time.monotonic() > deadline:
                break
            for records in c.poll(timeout_ms=500).values():
                got.extend(records)
        self.assert_records(msgs, got, 0, "batches larger than max_partition_fetch_bytes")

    def test_metadata(self):
        topic = h.unique("kp-meta")
        h.create_topic(self.boot, topic, partitions=3)
        c = self.consumer()
        self.assertIn(topic, c.topics())
        self.assertEqual(c.partitions_for_topic(topic), {0, 1, 2})

    # -----------------------------------------------------------------------------------------
    # KafkaAdminClient

    def test_admin_create_delete(self):
        a = self.admin()
        topic = h.unique("kp-admin")
        resp = a.create_topics([NewTopic(topic, 3, 1, topic_configs={"retention.ms": "70000"})],
                               timeout_ms=10000)
        self.assertEqual([e[:2] for e in resp.topic_errors], [(topic, 0)])
        h.wait_topic(self.boot, topic, 3)
        self.assertIn(topic, a.list_topics())
        with self.assertRaises(kerrors.TopicAlreadyExistsError):
            a.create_topics([NewTopic(topic, 1, 1)], timeout_ms=10000)
        with self.assertRaises(kerrors.InvalidReplicationFactorError):
            a.create_topics([NewTopic(h.unique("kp-rf"), 1, 2)], timeout_ms=10000)
        ghost = h.unique("kp-validate")
        a.create_topics([NewTopic(ghost, 1, 1)], timeout_ms=10000, validate_only=True)
        self.assertNotIn(ghost, a.list_topics())

        resp = a.create_partitions({topic: NewPartitions(4)}, timeout_ms=10000)
        self.assertEqual([e[:2] for e in resp.topic_errors], [(topic, 0)])
        h.wait_topic(self.boot, topic, 4)

        resp = a.delete_topics([topic], timeout_ms=10000)
        self.assertEqual([e[:2] for e in resp.topic_error_codes], [(topic, 0)])
        h.wait_until(lambda: topic not in a.list_topics(), 15, f"{topic} gone")
        with self.assertRaises(kerrors.UnknownTopicOrPartitionError):
            a.delete_topics([topic], timeout_ms=10000)

    def describe(self, a, topic):
        [resp] = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        [res] = resp.resources
        error_code, _msg, rtype, name, entries = res[:5]
        self.assertEqual((error_code, name), (0, topic))
        version = resp.API_VERSION
        out = {}
        for e in entries:
            # v1 and v2 differ in the 5th field (kafka-python calls it is_default / source).
            out[e[0]] = {"value": e[1], "read_only": e[2], "source_or_default": e[3],
                         "version": version}
        return out

    def test_admin_configs(self):
        a = self.admin()
        topic = h.unique("kp-configs")
        a.create_topics([NewTopic(topic, 1, 1, topic_configs={"cleanup.policy": "compact"})],
                        timeout_ms=10000)
        h.wait_topic(self.boot, topic, 1)
        configs = self.describe(a, topic)
        for name in ("cleanup.policy", "retention.ms", "segment.bytes", "max.message.bytes"):
            self.assertIn(name, configs)
        self.assertEqual(configs["cleanup.policy"]["value"], "compact")
        self.assertEqual(configs["retention.ms"]["value"], "604800000")
        if configs["cleanup.policy"]["version"] >= 1:
            self.assertEqual(configs["cleanup.policy"]["source_or_default"], 1)  # DYNAMIC_TOPIC
            self.assertEqual(configs["retention.ms"]["source_or_default"], 5)  # DEFAULT_CONFIG

        resp = a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic,
                                               configs={"retention.ms": "99999"})])
        [res] = resp.resources
        self.assertEqual(res[0], 0, res)
        configs = self.describe(a, topic)
        self.assertEqual(configs["retention.ms"]["value"], "99999")
        self.assertEqual(configs["cleanup.policy"]["value"], "delete")  # not incremental

        resp = a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic,
                                               configs={"retention.ms": "never"})])
        self.assertEqual(resp.resources[0][0], kerrors.InvalidConfigurationError.errno)

        [resp] = a.describe_configs([ConfigResource(ConfigResourceType.BROKER, "1")])
        [res] = resp.resources
        self.assertEqual(res[0], 0, res)
        names = {e[0] for e in res[4]}
        self.assertIn("num.partitions", names)
        self.assertIn("auto.create.topics.enable", names)


if __name__ == "__main__":
    h.main()
