"""confluent-kafka 1.7.0 (librdkafka 2.0.2) against a real keel: byte-exact round trips of many
random binary messages in order over several partitions, every compression type, acks 0/1/all,
the AdminClient (topics, partitions, configs), ListOffsets by timestamp and watermarks.

Consumers use assign() with explicit offsets and never commit: consumer groups are not
implemented yet."""

import random
import time

import keel_harness as h

h.require_modules("confluent_kafka")

from confluent_kafka import KafkaError, KafkaException, TopicPartition  # noqa: E402
from confluent_kafka.admin import (ConfigResource, ConfigSource, NewPartitions,  # noqa: E402
                                   NewTopic)

CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
# librdkafka compresses with lz4 only when the broker's ApiVersions passes its LZ4 feature gate
# (rd_kafka_feature.c: FindCoordinator v0 must be advertised); otherwise it
# silently sends lz4 batches uncompressed.
LZ4_NOTE = " (lz4 stored as none: does the broker advertise FindCoordinator v0?)"
MESSAGE_MAX_BYTES = 300_000

# Topic configs every Kafka broker describes (Kafka 3.x TopicConfig); Keel must list at least
# these, each with a value and a source.
EXPECTED_TOPIC_CONFIGS = {
    "cleanup.policy": "delete",
    "compression.type": "producer",
    "delete.retention.ms": "86400000",
    "max.message.bytes": None,  # from message.max.bytes
    "message.timestamp.type": "CreateTime",
    "min.compaction.lag.ms": "0",
    "min.insync.replicas": "1",
    "retention.bytes": "-1",
    "retention.ms": "604800000",
    "segment.bytes": "1073741824",
    "segment.index.bytes": "10485760",
    "segment.ms": "604800000",
    "index.interval.bytes": "4096",
    "flush.messages": "9223372036854775807",
    "flush.ms": "9223372036854775807",
    "unclean.leader.election.enable": "false",
    "max.compaction.lag.ms": "9223372036854775807",
    "min.cleanable.dirty.ratio": "0.5",
}


def source_of(entry):
    """ConfigEntry.source as an int (the C layer may hand over an int or a ConfigSource)."""
    return int(getattr(entry.source, "value", entry.source))


def error_code(exc):
    """The KafkaError code carried by a future's exception."""
    if isinstance(exc, KafkaException):
        return exc.args[0].code()
    raise exc


class ConfluentTest(h.BrokerTestCase):
    broker_props = {"num.partitions": "1", "message.max.bytes": str(MESSAGE_MAX_BYTES),
                    "auto.create.topics.enable": "false"}

    def setUp(self):
        super().setUp()
        self.boot = self.broker.bootstrap
        self.admin = h.admin(self.boot)

    # ------------------------------------------------------------------ produce / consume

    def test_many_random_messages_in_order(self):
        """10,000 random binary messages per partition, 4 partitions, headers, byte-exact."""
        topic = h.unique("ck-many")
        parts, per_part = 4, 10_000
        h.create_topic(self.boot, topic, partitions=parts)
        rng = random.Random(1234)
        sent = {p: h.random_messages(rng, per_part, partition=p) for p in range(parts)}
        interleaved = [m for i in range(per_part) for p in range(parts) for m in [sent[p][i]]]
        prod = h.producer(self.boot, **{"linger.ms": 20, "batch.num.messages": 2000,
                                        "queue.buffering.max.messages": 200000})
        results = h.produce_all(prod, topic, interleaved, timeout=90)
        for m, (p, off) in zip(interleaved, results):
            self.assertEqual((p, off), (m["partition"], m["index"]), "delivery report offset")
        for p in range(parts):
            self.assertEqual(h.watermarks(self.boot, topic, p), (0, per_part))
        got = h.consume(self.boot, topic, {p: 0 for p in range(parts)},
                        {p: per_part for p in range(parts)}, timeout=90)
        for p in range(parts):
            h.assert_same_messages(self, sent[p], got[p], 0, f"partition {p}")

    def test_every_compression_type(self):
        topic = h.unique("ck-codec")
        h.create_topic(self.boot, topic, partitions=len(CODECS))
        rng = random.Random(99)
        for p, (codec, bits) in enumerate(CODECS.items()):
            with self.subTest(codec=codec):
                msgs = []
                for i in range(3000):
                    # Mostly compressible text (so librdkafka really compresses), some random.
                    value = (b"%s-%06d-" % (codec.encode(), i)) * rng.randint(1, 30)
                    if i % 5 == 0:
                        value += rng.randbytes(rng.randint(0, 100))
                    msgs.append({"partition": p, "key": b"k%d" % (i % 13), "value": value,
                                 "headers": [("codec", codec.encode())] if i % 3 == 0 else None})
                prod = h.producer(self.boot, **{"compression.type": codec, "linger.ms": 50})
                offsets = h.produce_all(prod, topic, msgs)
                self.assertEqual([o for _, o in offsets], list(range(len(msgs))))
                got = h.consume(self.boot, topic, {p: 0}, {p: len(msgs)})
                h.assert_same_messages(self, msgs, got[p], 0, codec)
                batches = self.broker.stored_batches(topic, p)
                self.assertEqual(sum(c for _, _, c in batches), len(msgs))
                # librdkafka sends a batch uncompressed when compressing would not shrink it,
                # which happens to small batches when the machine is loaded and linger fills
                # few records. So: only this codec or none, and most records compressed.
                codecs = {a & 7 for _, a, _ in batches}
                self.assertLessEqual(codecs, {bits, 0}, f"codecs stored for {codec}: {batches[:5]}")
                compressed = sum(c for _, a, c in batches if a & 7 == bits)
                self.assertGreaterEqual(compressed * 2, len(msgs),
                                        f"records stored with {codec}: {compressed} of {len(msgs)}, "
                                        f"first batches {batches[:5]}" + LZ4_NOTE)

    def test_large_messages(self):
        """Values up to just under message.max.bytes, alone in their batches."""
        topic = h.unique("ck-large")
        h.create_topic(self.boot, topic, partitions=2)
        rng = random.Random(11)
        for p, codec in ((0, "none"), (1, "zstd")):
            with self.subTest(codec=codec):
                msgs = [{"partition": p, "key": b"big%d" % i,
                         "value": rng.randbytes(rng.randint(100_000, MESSAGE_MAX_BYTES - 2000))}
                        for i in range(25)]
                prod = h.producer(self.boot, **{"compression.type": codec, "linger.ms": 0,
                                                "message.max.bytes": MESSAGE_MAX_BYTES})
                h.produce_all(prod, topic, msgs)
                got = h.consume(self.boot, topic, {p: 0}, {p: len(msgs)},
                                **{"fetch.max.bytes": 1_000_000,
                                   "max.partition.fetch.bytes": 50_000})
                h.assert_same_messages(self, msgs, got[p], 0, f"large, {codec}")

    def test_consumer_at_end_sees_new_messages_quickly(self):
        """A consumer waiting at the end (Fetch long poll) gets a new message promptly."""
        topic = h.unique("ck-longpoll")
        h.create_topic(self.boot, topic)
        c = h.consumer(self.boot, **{"fetch.wait.max.ms": 500})
        try:
            c.assign([TopicPartition(topic, 0, 0)])
            for _ in range(4):  # let it connect and start polling an empty partition
                self.assertIsNone(c.poll(0.5))
            prod = h.producer(self.boot, **{"linger.ms": 0})
            latencies = []
            for i in range(3):
                sent_at = time.monotonic()
                h.produce_all(prod, topic, [{"partition": 0, "value": b"late-%d" % i}])
                m = None
                for _ in range(50):
                    m = c.poll(0.1)
                    if m is not None or time.monotonic() - sent_at > 5:
                        break
                self.assertIsNotNone(m, f"message {i} not delivered within 5 s")
                self.assertIsNone(m.error())
                self.assertEqual((m.offset(), m.value()), (i, b"late-%d" % i))
                latencies.append(time.monotonic() - sent_at)
            self.assertLess(max(latencies), 3.0, latencies)
        finally:
            c.close()

    def test_acks(self):
        topic = h.unique("ck-acks")
        h.create_topic(self.boot, topic, partitions=3)
        rng = random.Random(7)
        for p, acks in enumerate(("0", "1", "all")):
            with self.subTest(acks=acks):
                msgs = h.random_messages(rng, 2000, partition=p)
                prod = h.producer(self.boot, **{"acks": acks})
                results = h.produce_all(prod, topic, msgs)
                if acks != "0":
                    self.assertEqual([o for _, o in results], list(range(len(msgs))))
                # acks=0 gets no response, so librdkafka cannot know the offsets; the broker
                # must still have appended everything, in order.
                h.wait_until(lambda: h.watermarks(self.boot, topic, p)[1] == len(msgs), 15,
                             f"high watermark {len(msgs)} for acks={acks}", 0.1)
                got = h.consume(self.boot, topic, {p: 0}, {p: len(msgs)})
                h.assert_same_messages(self, msgs, got[p], 0, f"acks={acks}")

    def test_acks_zero_connection_stays_usable(self):
        """After acks=0 produces (no responses), the same producer's metadata requests on the
        same connection must still be answered in order."""
        topic = h.unique("ck-acks0")
        h.create_topic(self.boot, topic, partitions=1)
        prod = h.producer(self.boot, acks="0")
        for round_ in range(3):
            h.produce_all(prod, topic, [{"partition": 0, "value": b"r%d-%d" % (round_, i)}
                                        for i in range(100)])
            md = prod.list_topics(topic, timeout=10)
            self.assertIn(topic, md.topics)
        h.wait_until(lambda: h.watermarks(self.boot, topic, 0)[1] == 300, 15, "300 messages")

    def test_message_too_large(self):
        topic = h.unique("ck-toolarge")
        h.create_topic(self.boot, topic, partitions=1)
        prod = h.producer(self.boot, **{"compression.type": "none", "linger.ms": 0,
                                        "message.timeout.ms": 10000})
        errors = []
        prod.produce(topic, partition=0, value=b"\x01" * (MESSAGE_MAX_BYTES + 1000),
                     on_delivery=lambda err, msg: errors.append(err))
        self.assertEqual(prod.flush(20), 0)
        self.assertEqual(len(errors), 1)
        self.assertIsNotNone(errors[0], "an oversized batch was accepted")
        self.assertEqual(errors[0].code(), KafkaError.MSG_SIZE_TOO_LARGE, str(errors[0]))
        self.assertEqual(h.watermarks(self.boot, topic, 0), (0, 0))
        h.check_roundtrip(self.boot, topic)

    def test_produce_to_unknown_topic_fails(self):
        topic = h.unique("ck-unknown")  # auto.create.topics.enable=false
        prod = h.producer(self.boot, **{"message.timeout.ms": 3000})
        errors = []
        prod.produce(topic, value=b"x", on_delivery=lambda err, msg: errors.append(err))
        prod.flush(15)
        self.assertEqual(len(errors), 1)
        self.assertIsNotNone(errors[0])
        md = h.metadata(self.boot)
        self.assertNotIn(topic, md.topics, "created although auto.create.topics.enable=false")

    # ------------------------------------------------------------------ admin: topics

    def create(self, *topics, **kwargs):
        return self.admin.create_topics(list(topics), operation_timeout=10, request_timeout=15,
                                        **kwargs)

    def test_create_topic_with_configs(self):
        topic = h.unique("ck-create")
        fs = self.create(NewTopic(topic, 3, 1, config={"retention.ms": "60000",
                                                       "cleanup.policy": "compact"}))
        self.assertIsNone(fs[topic].result(15))
        t = h.wait_topic(self.boot, topic, 3)
        for p in t.partitions.values():
            self.assertEqual((p.leader, p.replicas, p.isrs), (1, [1], [1]))
        configs = self.describe_topic(topic)
        self.assertEqual(configs["retention.ms"].value, "60000")
        self.assertEqual(source_of(configs["retention.ms"]), ConfigSource.DYNAMIC_TOPIC_CONFIG.value)
        self.assertEqual(configs["cleanup.policy"].value, "compact")
        self.assertEqual(source_of(configs["segment.bytes"]), ConfigSource.DEFAULT_CONFIG.value)

    def test_create_default_partitions(self):
        topic = h.unique("ck-create-default")
        fs = self.create(NewTopic(topic, -1, -1))  # CreateTopics v4: broker defaults
        self.assertIsNone(fs[topic].result(15))
        h.wait_topic(self.boot, topic, 1)  # num.partitions=1

    def test_create_validate_only(self):
        topic = h.unique("ck-validate")
        fs = self.create(NewTopic(topic, 2, 1), validate_only=True)
        self.assertIsNone(fs[topic].result(15))
        time.sleep(0.5)
        self.assertNotIn(topic, h.metadata(self.boot).topics, "validate_only created the topic")
        bad = self.create(NewTopic(topic, 2, 5), validate_only=True)
        with self.assertRaises(KafkaException) as cm:
            bad[topic].result(15)
        self.assertEqual(error_code(cm.exception), KafkaError.INVALID_REPLICATION_FACTOR)

    def test_create_errors(self):
        existing = h.unique("ck-dup")
        h.create_topic(self.boot, existing)
        cases = [
            (NewTopic(existing, 1, 1), KafkaError.TOPIC_ALREADY_EXISTS),
            (NewTopic(h.unique("ck-rf"), 1, 3), KafkaError.INVALID_REPLICATION_FACTOR),
            (NewTopic(h.unique("ck-badcfg"), 1, 1, config={"retention.ms": "soon"}),
             KafkaError.INVALID_CONFIG),
            (NewTopic(h.unique("ck-unkcfg"), 1, 1, config={"no.such.config": "1"}),
             KafkaError.INVALID_CONFIG),
            (NewTopic("bad topic name!", 1, 1), KafkaError.TOPIC_EXCEPTION),
            (NewTopic("x" * 250, 1, 1), KafkaError.TOPIC_EXCEPTION),
        ]
        for new_topic, code in cases:
            with self.subTest(topic=new_topic.topic[:40], expected=code):
                fs = self.create(new_topic)
                with self.assertRaises(KafkaException) as cm:
                    fs[new_topic.topic].result(15)
                self.assertEqual(error_code(cm.exception), code, str(cm.exception))
        names = h.metadata(self.boot).topics
        for new_topic, _ in cases[1:]:
            self.assertNotIn(new_topic.topic, names)

    def test_create_several_at_once(self):
        names = [h.unique("ck-multi") for _ in range(5)]
        fs = self.create(*[NewTopic(n, i + 1, 1) for i, n in enumerate(names)])
        for n in names:
            self.assertIsNone(fs[n].result(15))
        for i, n in enumerate(names):
            h.wait_topic(self.boot, n, i + 1)

    def test_delete_topics(self):
        topic = h.unique("ck-delete")
        h.create_topic(self.boot, topic, partitions=2)
        h.check_roundtrip(self.boot, topic)
        fs = self.admin.delete_topics([topic], operation_timeout=10, request_timeout=15)
        self.assertIsNone(fs[topic].result(15))
        h.wait_until(lambda: topic not in h.metadata(self.boot).topics, 15, f"{topic} deleted")
        missing = h.unique("ck-never-existed")
        fs = self.admin.delete_topics([missing], operation_timeout=10, request_timeout=15)
        with self.assertRaises(KafkaException) as cm:
            fs[missing].result(15)
        self.assertEqual(error_code(cm.exception), KafkaError.UNKNOWN_TOPIC_OR_PART)
        # The name can be used again, and the new topic starts empty.
        h.create_topic(self.boot, topic, partitions=1)
        self.assertEqual(h.watermarks(self.boot, topic, 0), (0, 0))
        h.check_roundtrip(self.boot, topic)

    def test_create_partitions(self):
        topic = h.unique("ck-grow")
        h.create_topic(self.boot, topic, partitions=2)
        fs = self.admin.create_partitions([NewPartitions(topic, 5)], operation_timeout=10,
                                          request_timeout=15)
        self.assertIsNone(fs[topic].result(15))
        h.wait_topic(self.boot, topic, 5)
        h.check_roundtrip(self.boot, topic, partition=4)
        for count, code in ((3, KafkaError.INVALID_PARTITIONS), (5, KafkaError.INVALID_PARTITIONS)):
            with self.subTest(count=count):
                fs = self.admin.create_partitions([NewPartitions(topic, count)],
                                                  operation_timeout=10, request_timeout=15)
                with self.assertRaises(KafkaException) as cm:
                    fs[topic].result(15)
                self.assertEqual(error_code(cm.exception), code, str(cm.exception))
        missing = h.unique("ck-grow-missing")
        fs = self.admin.create_partitions([NewPartitions(missing, 2)], request_timeout=15)
        with self.assertRaises(KafkaException) as cm:
            fs[missing].result(15)
        self.assertEqual(error_code(cm.exception), KafkaError.UNKNOWN_TOPIC_OR_PART)

    # ------------------------------------------------------------------ admin: configs

    def describe_topic(self, topic):
        res = ConfigResource(ConfigResource.Type.TOPIC, topic)
        return self.admin.describe_configs([res], request_timeout=15)[res].result(15)

    def test_describe_configs_lists_every_topic_config(self):
        topic = h.unique("ck-describe")
        h.create_topic(self.boot, topic, config={"retention.bytes": "1048576"})
        configs = self.describe_topic(topic)
        for name, default in EXPECTED_TOPIC_CONFIGS.items():
            with self.subTest(config=name):
                self.assertIn(name, configs, f"topic config {name} not described")
                entry = configs[name]
                self.assertIsNotNone(entry.value, name)
                self.assertNotEqual(source_of(entry), ConfigSource.UNKNOWN_CONFIG.value, name)
                if name == "retention.bytes":
                    continue
                if name == "max.message.bytes":
                    # message.max.bytes was set on the command line: a static broker config.
                    self.assertEqual(entry.value, str(MESSAGE_MAX_BYTES))
                    self.assertEqual(source_of(entry), ConfigSource.STATIC_BROKER_CONFIG.value)
                    continue
                self.assertEqual(entry.value, default, name)
                self.assertEqual(source_of(entry), ConfigSource.DEFAULT_CONFIG.value, name)
                self.assertTrue(entry.is_default, name)
        rb = configs["retention.bytes"]
        self.assertEqual((rb.value, source_of(rb)), ("1048576", ConfigSource.DYNAMIC_TOPIC_CONFIG.value))
        self.assertFalse(rb.is_default)

    def test_describe_unknown_topic(self):
        res = ConfigResource(ConfigResource.Type.TOPIC, h.unique("ck-nodescribe"))
        with self.assertRaises(KafkaException) as cm:
            self.admin.describe_configs([res], request_timeout=15)[res].result(15)
        self.assertEqual(error_code(cm.exception), KafkaError.UNKNOWN_TOPIC_OR_PART)

    def test_describe_broker_configs(self):
        res = ConfigResource(ConfigResource.Type.BROKER, "1")
        configs = self.admin.describe_configs([res], request_timeout=15)[res].result(15)
        for name in ("num.partitions", "message.max.bytes", "log.dirs", "node.id",
                     "auto.create.topics.enable", "log.segment.bytes"):
            self.assertIn(name, configs)
        self.assertEqual(configs["message.max.bytes"].value, str(MESSAGE_MAX_BYTES))
        self.assertEqual(source_of(configs["message.max.bytes"]),
                         ConfigSource.STATIC_BROKER_CONFIG.value)
        self.assertEqual(source_of(configs["log.segment.bytes"]), ConfigSource.DEFAULT_CONFIG.value)

    def test_alter_configs(self):
        topic = h.unique("ck-alter")
        h.create_topic(self.boot, topic, config={"cleanup.policy": "compact",
                                                 "retention.ms": "60000"})
        res = ConfigResource(ConfigResource.Type.TOPIC, topic,
                             set_config={"retention.ms": "12345", "segment.bytes": "1048576"})
        self.assertIsNone(self.admin.alter_configs([res], request_timeout=15)[res].result(15))
        configs = self.describe_topic(topic)
        self.assertEqual(configs["retention.ms"].value, "12345")
        self.assertEqual(configs["segment.bytes"].value, "1048576")
        self.assertEqual(source_of(configs["segment.bytes"]), ConfigSource.DYNAMIC_TOPIC_CONFIG.value)
        # AlterConfigs replaces the whole set: cleanup.policy is back to its default.
        self.assertEqual(configs["cleanup.policy"].value, "delete")
        self.assertEqual(source_of(configs["cleanup.policy"]), ConfigSource.DEFAULT_CONFIG.value)

        # validate_only changes nothing.
        res = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config={"retention.ms": "1"})
        self.assertIsNone(self.admin.alter_configs([res], validate_only=True,
                                                   request_timeout=15)[res].result(15))
        self.assertEqual(self.describe_topic(topic)["retention.ms"].value, "12345")

        for bad in ({"retention.ms": "abc"}, {"no.such.config": "1"},
                    {"cleanup.policy": "sometimes"}):
            with self.subTest(config=bad):
                res = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config=bad)
                with self.assertRaises(KafkaException) as cm:
                    self.admin.alter_configs([res], request_timeout=15)[res].result(15)
                self.assertEqual(error_code(cm.exception), KafkaError.INVALID_CONFIG)
        self.assertEqual(self.describe_topic(topic)["retention.ms"].value, "12345")

        missing = ConfigResource(ConfigResource.Type.TOPIC, h.unique("ck-alter-missing"),
                                 set_config={"retention.ms": "1000"})
        with self.assertRaises(KafkaException) as cm:
            self.admin.alter_configs([missing], request_timeout=15)[missing].result(15)
        self.assertEqual(error_code(cm.exception), KafkaError.UNKNOWN_TOPIC_OR_PART)

    def test_max_message_bytes_topic_config_applies(self):
        topic = h.unique("ck-maxmsg")
        h.create_topic(self.boot, topic, config={"max.message.bytes": "2000"})
        prod = h.producer(self.boot, **{"compression.type": "none", "linger.ms": 0,
                                        "message.timeout.ms": 10000})
        errors = []
        prod.produce(topic, partition=0, value=b"y" * 5000,
                     on_delivery=lambda err, msg: errors.append(err))
        prod.flush(15)
        self.assertTrue(errors and errors[0] is not None, "a 5000-byte batch was accepted "
                                                          "with max.message.bytes=2000")
        self.assertEqual(errors[0].code(), KafkaError.MSG_SIZE_TOO_LARGE)
        h.check_roundtrip(self.boot, topic)

    # ------------------------------------------------------------------ offsets

    def test_offsets_for_times_and_watermarks(self):
        topic = h.unique("ck-times")
        h.create_topic(self.boot, topic, partitions=2)
        base = int(time.time() * 1000) - 600_000
        prods = {0: h.producer(self.boot), 1: h.producer(self.boot, **{"compression.type": "gzip",
                                                                      "linger.ms": 100})}
        # 100 messages per partition, timestamps base + 1000*i; partition 1 compressed, so the
        # broker must search inside compressed batches.
        for p, prod in prods.items():
            msgs = [{"partition": p, "value": b"t%d" % i, "timestamp": base + 1000 * i}
                    for i in range(100)]
            h.produce_all(prod, topic, msgs)
        c = h.consumer(self.boot)
        try:
            for p in (0, 1):
                with self.subTest(partition=p):
                    self.assertEqual(c.get_watermark_offsets(TopicPartition(topic, p), 10,
                                                             cached=False), (0, 100))
                    queries = {base - 5000: 0, base: 0, base + 1: 1, base + 41_000: 41,
                               base + 40_500: 41, base + 99_000: 99, base + 200_000: -1}
                    for ts, want in queries.items():
                        [tp] = c.offsets_for_times([TopicPartition(topic, p, ts)], timeout=10)
                        self.assertIsNone(tp.error, ts)
                        self.assertEqual(tp.offset, want, f"timestamp {ts - base:+d}")
            empty = h.unique("ck-times-empty")
            h.create_topic(self.boot, empty)
            self.assertEqual(c.get_watermark_offsets(TopicPartition(empty, 0), 10, cached=False),
                             (0, 0))
            [tp] = c.offsets_for_times([TopicPartition(empty, 0, base)], timeout=10)
            self.assertEqual(tp.offset, -1)
        finally:
            c.close()

    def test_consume_from_middle_and_out_of_range(self):
        topic = h.unique("ck-middle")
        h.create_topic(self.boot, topic)
        msgs = [{"partition": 0, "value": b"v%d" % i, "key": None} for i in range(500)]
        h.produce_all(h.producer(self.boot), topic, msgs)
        got = h.consume(self.boot, topic, {0: 250}, {0: 250})
        h.assert_same_messages(self, msgs[250:], got[0], 250, "from 250")
        # An offset past the end with auto.offset.reset=error is a consumer error
        # (OFFSET_OUT_OF_RANGE from the broker), not a hang or a crash.
        c = h.consumer(self.boot)
        try:
            c.assign([TopicPartition(topic, 0, 10_000)])
            err = None
            deadline = time.monotonic() + 15
            for _ in range(100):
                if time.monotonic() > deadline or err is not None:
                    break
                m = c.poll(0.5)
                if m is not None and m.error() is not None:
                    err = m.error()
                elif m is not None:
                    self.fail(f"got a message at {m.offset()} past the end")
            self.assertIsNotNone(err, "no OFFSET_OUT_OF_RANGE error within 15 s")
            self.assertIn(err.code(), (KafkaError.OFFSET_OUT_OF_RANGE,
                                       KafkaError._AUTO_OFFSET_RESET), str(err))
        finally:
            c.close()


if __name__ == "__main__":
    h.main()
