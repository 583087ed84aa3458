"""kcat (librdkafka 2.0.2) against a real keel: -L (text and JSON), -P/-C round trips with keys,
headers, null values, every compression codec, logical offsets, -e, -Q, auto-creation."""

import json

import keel_harness as h

CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
# librdkafka compresses with lz4 only when the broker's ApiVersions passes its LZ4 feature gate
# (rd_kafka_feature.c: FindCoordinator v0 must be advertised); otherwise it
# silently sends lz4 batches uncompressed.
LZ4_NOTE = " (lz4 stored as none: does the broker advertise FindCoordinator v0?)"


def kcat(broker, *args, input_bytes=None, timeout=30.0, check=True):
    return h.run_kcat(["-b", broker.bootstrap, *args], input_bytes=input_bytes,
                      timeout=timeout, check=check)


def consume_json(broker, topic, *args, timeout=30.0):
    cp = kcat(broker, "-C", "-t", topic, "-e", "-J", "-q", *args, timeout=timeout)
    lines = [l for l in cp.stdout.decode().splitlines() if l.strip()]
    return [json.loads(l) for l in lines]


class KcatTest(h.BrokerTestCase):
    broker_props = {"num.partitions": "3", "auto.create.topics.enable": "true"}

    def test_list_metadata_json(self):
        topic = h.unique("kcat-meta")
        h.create_topic(self.broker.bootstrap, topic, partitions=3)
        md = json.loads(kcat(self.broker, "-L", "-J").stdout)
        self.assertEqual([b["id"] for b in md["brokers"]], [1], md)
        self.assertEqual(md["brokers"][0]["name"], f"{self.broker.bootstrap}", md)
        self.assertEqual(md.get("controllerid"), 1, md)
        topics = {t["topic"]: t for t in md["topics"]}
        self.assertIn(topic, topics)
        parts = sorted(topics[topic]["partitions"], key=lambda p: p["partition"])
        self.assertEqual([p["partition"] for p in parts], [0, 1, 2])
        for p in parts:
            self.assertEqual(p["leader"], 1, p)
            self.assertEqual([r["id"] for r in p["replicas"]], [1], p)
            self.assertEqual([r["id"] for r in p["isrs"]], [1], p)
            self.assertNotIn("error", p, p)

    def test_list_metadata_text_one_topic(self):
        topic = h.unique("kcat-meta-text")
        h.create_topic(self.broker.bootstrap, topic, partitions=2)
        out = kcat(self.broker, "-L", "-t", topic).stdout.decode()
        self.assertIn("1 brokers:", out)
        self.assertIn(f'topic "{topic}" with 2 partitions:', out)
        self.assertIn("partition 0, leader 1, replicas: 1, isrs: 1", out)
        self.assertIn("partition 1, leader 1, replicas: 1, isrs: 1", out)

    def test_keys_headers_and_nulls(self):
        topic = h.unique("kcat-keys")
        h.create_topic(self.broker.bootstrap, topic, partitions=1)
        lines = b"k1:v1\nk2:value with spaces\nk3:\n:no-key\nk5:" + b"x" * 3000 + b"\n"
        kcat(self.broker, "-P", "-t", topic, "-p", "0", "-K", ":", "-Z", "-H", "h1=v1",
             "-H", "h2=two", input_bytes=lines)
        msgs = consume_json(self.broker, topic, "-p", "0", "-o", "beginning")
        self.assertEqual([m["offset"] for m in msgs], [0, 1, 2, 3, 4])
        self.assertEqual([m["key"] for m in msgs], ["k1", "k2", "k3", None, "k5"])
        self.assertEqual([m["payload"] for m in msgs],
                         ["v1", "value with spaces", None, "no-key", "x" * 3000])
        for m in msgs:
            self.assertEqual(m["headers"], ["h1", "v1", "h2", "two"], m)
            self.assertEqual(m["partition"], 0)
            self.assertEqual(m["tstype"], "create", m)
            self.assertGreater(m["ts"], 1_600_000_000_000, m)

    def test_every_codec(self):
        topic = h.unique("kcat-codec")
        h.create_topic(self.broker.bootstrap, topic, partitions=len(CODECS))
        for partition, (codec, bits) in enumerate(CODECS.items()):
            with self.subTest(codec=codec):
                lines = [f"key-{i % 7}:{codec}-line-{i:05d}-" + "abcdefgh" * 8
                         for i in range(500)]
                kcat(self.broker, "-P", "-t", topic, "-p", str(partition), "-K", ":",
                     "-X", f"compression.codec={codec}", "-X", "linger.ms=50",
                     input_bytes=("\n".join(lines) + "\n").encode())
                msgs = consume_json(self.broker, topic, "-p", str(partition), "-o", "0")
                self.assertEqual(len(msgs), len(lines))
                for i, (m, line) in enumerate(zip(msgs, lines)):
                    key, value = line.split(":", 1)
                    self.assertEqual((m["offset"], m["key"], m["payload"]), (i, key, value))
                # The broker keeps the producer's compression (compression.type=producer).
                batches = self.broker.stored_batches(topic, partition)
                self.assertTrue(batches, "no batches on disk")
                self.assertEqual(sum(c for _, _, c in batches), len(lines))
                self.assertEqual({a & 7 for _, a, _ in batches}, {bits},
                                 f"stored codecs of {codec} batches: {batches[:5]}" + LZ4_NOTE)

    def test_logical_offsets(self):
        topic = h.unique("kcat-offsets")
        h.create_topic(self.broker.bootstrap, topic, partitions=1)
        kcat(self.broker, "-P", "-t", topic, "-p", "0",
             input_bytes=b"".join(b"m%d\n" % i for i in range(10)))

        def payloads(*args):
            return [m["payload"] for m in consume_json(self.broker, topic, "-p", "0", *args)]

        everything = [f"m{i}" for i in range(10)]
        self.assertEqual(payloads("-o", "beginning"), everything)
        self.assertEqual(payloads("-o", "0"), everything)
        self.assertEqual(payloads("-o", "7"), everything[7:])
        self.assertEqual(payloads("-o", "-3"), everything[7:])
        self.assertEqual(payloads("-o", "end"), [])
        self.assertEqual(payloads("-o", "beginning", "-c", "4"), everything[:4])
        # Past the end: OFFSET_OUT_OF_RANGE, then librdkafka resets to the end.
        cp = kcat(self.broker, "-C", "-t", topic, "-p", "0", "-o", "100", "-e", "-J", "-q",
                  check=False)
        self.assertEqual([l for l in cp.stdout.decode().splitlines() if l.strip()], [])

    def test_query_offsets_by_timestamp(self):
        topic = h.unique("kcat-query")
        h.create_topic(self.broker.bootstrap, topic, partitions=1)
        kcat(self.broker, "-P", "-t", topic, "-p", "0",
             input_bytes=b"".join(b"q%d\n" % i for i in range(5)))
        out = kcat(self.broker, "-Q", "-t", f"{topic}:0:0").stdout.decode()
        self.assertIn(f"{topic} [0] offset 0", out)
        far_future = 4_000_000_000_000
        out = kcat(self.broker, "-Q", "-t", f"{topic}:0:{far_future}").stdout.decode()
        self.assertIn(f"{topic} [0] offset -1", out)

    def test_all_partitions_by_key(self):
        """kcat's partitioner spreads keys over 3 partitions; -C without -p reads them all."""
        topic = h.unique("kcat-spread")
        h.create_topic(self.broker.bootstrap, topic, partitions=3)
        n = 3000
        lines = "".join(f"key{i % 50}:v{i}\n" for i in range(n)).encode()
        kcat(self.broker, "-P", "-t", topic, "-K", ":", input_bytes=lines)
        msgs = consume_json(self.broker, topic, "-o", "beginning", timeout=60)
        self.assertEqual(len(msgs), n)
        self.assertGreater(len({m["partition"] for m in msgs}), 1, "everything in one partition")
        by_key = {}
        for m in msgs:
            by_key.setdefault(m["key"], set()).add(m["partition"])
            self.assertEqual(m["payload"][0], "v")
        self.assertTrue(all(len(p) == 1 for p in by_key.values()), "a key in two partitions")
        # Per key, order of production is kept (one key lives in one partition).
        for key in ("key0", "key17"):
            seq = [int(m["payload"][1:]) for m in sorted(
                (m for m in msgs if m["key"] == key), key=lambda m: m["offset"])]
            self.assertEqual(seq, sorted(seq))
            self.assertEqual(len(seq), n // 50)

    def test_auto_create_on_produce(self):
        topic = h.unique("kcat-auto")
        kcat(self.broker, "-P", "-t", topic, "-p", "0", input_bytes=b"hello\n")
        h.wait_topic(self.broker.bootstrap, topic, 3)  # num.partitions=3
        msgs = consume_json(self.broker, topic, "-p", "0", "-o", "beginning")
        self.assertEqual([m["payload"] for m in msgs], ["hello"])


class ListenersTest(h.BrokerTestCase):
    """Two listeners: each answers Metadata with the addresses of its own name, as Kafka does,
    so clients inside and outside a network each get addresses they can reach."""

    @classmethod
    def setUpClass(cls):
        cls.outer, cls.inner = h.free_port(), h.free_port()
        cls.broker_props = {
            "listeners": f"PLAINTEXT://127.0.0.1:{cls.outer},INTERNAL://127.0.0.1:{cls.inner}",
            "advertised.listeners":
                f"PLAINTEXT://127.0.0.1:{cls.outer},INTERNAL://localhost:{cls.inner}",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT",
        }
        cls._had_failure = False
        cls.broker = h.Broker(cls.__name__, cls.broker_props, port=cls.outer)
        try:
            cls.broker.start()
        except Exception:
            cls.broker.cleanup(keep=True)
            raise

    def test_metadata_per_listener(self):
        for port, name in ((self.outer, f"127.0.0.1:{self.outer}"),
                           (self.inner, f"localhost:{self.inner}")):
            with self.subTest(listener_port=port):
                cp = h.run_kcat(["-b", f"127.0.0.1:{port}", "-L", "-J"])
                md = json.loads(cp.stdout)
                self.assertEqual([(b["id"], b["name"]) for b in md["brokers"]], [(1, name)], md)

    def test_produce_and_consume_through_the_internal_listener(self):
        topic = h.unique("kcat-inner")
        boot = f"127.0.0.1:{self.inner}"
        h.create_topic(boot, topic, partitions=1)
        h.run_kcat(["-b", boot, "-P", "-t", topic], input_bytes=b"one\ntwo\n")
        cp = h.run_kcat(["-b", boot, "-C", "-t", topic, "-e", "-q", "-o", "beginning"])
        self.assertEqual(cp.stdout.decode().split(), ["one", "two"])


if __name__ == "__main__":
    h.main()
