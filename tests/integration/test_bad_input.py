"""Hostile and broken input over raw sockets: absurd size prefixes, truncated frames, garbage,
unknown API keys, unsupported versions, Produce requests with corrupt record batches. After
each case the broker must still be running and a normal client (confluent-kafka) must still
produce and consume; corrupt batches must not be appended (high watermark unchanged)."""

import random
import socket
import struct
import zlib

import keel_harness as h
import keel_wire as w

h.require_modules("confluent_kafka")

REQUEST_MAX = 1024 * 1024  # socket.request.max.bytes for this broker
CORRUPT_MESSAGE = 2
UNKNOWN_TOPIC_OR_PARTITION = 3
MESSAGE_TOO_LARGE = 10
INVALID_REQUIRED_ACKS = 21
INVALID_RECORD = 87
UNSUPPORTED_VERSION = 35


class BadInputTest(h.BrokerTestCase):
    broker_props = {"socket.request.max.bytes": str(REQUEST_MAX),
                    "auto.create.topics.enable": "false"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.topic = h.unique("bad")
        h.create_topic(cls.broker.bootstrap, cls.topic, partitions=2)
        h.check_roundtrip(cls.broker.bootstrap, cls.topic)

    def setUp(self):
        super().setUp()
        self.corr = 100

    def conn(self):
        return w.RawConnection(self.broker.port)

    def assertHealthy(self):
        self.assertTrue(self.broker.alive(), "keel died\n" + self.broker.describe_tail())
        h.check_roundtrip(self.broker.bootstrap, self.topic)

    def assertClosed(self, conn, what, timeout=5.0):
        self.assertTrue(conn.closed_by_peer(timeout),
                        f"{what}: the broker did not close the connection within {timeout} s")

    def high(self, partition=0):
        return h.watermarks(self.broker.bootstrap, self.topic, partition)[1]

    def produce_raw(self, batch, version=3, acks=-1, topic=None, partition=0):
        """Sends one Produce request; returns (error code, base offset) for the partition."""
        self.corr += 1
        topic = topic or self.topic
        with self.conn() as c:
            c.send(w.produce_request(self.corr, topic, partition, batch, version=version,
                                     acks=acks))
            corr, body = c.read_response()
        self.assertEqual(corr, self.corr)
        results, _ = w.parse_produce_response(body, version)
        return results[(topic, partition)]

    # ---------------------------------------------------------------- framing

    def test_absurd_size_prefixes(self):
        for size in (0x7FFFFFFF, -1, -0x80000000, 0, REQUEST_MAX + 1, 1 << 30):
            with self.subTest(size=size):
                with self.conn() as c:
                    c.send(struct.pack(">i", size) + b"\x00" * 16)
                    self.assertClosed(c, f"size prefix {size}")
                self.assertHealthy()

    def test_frame_of_exactly_the_limit_is_accepted(self):
        """A Produce frame of exactly socket.request.max.bytes is read and appended."""
        before = self.high()
        length = REQUEST_MAX - 200
        for _ in range(10):
            batch = w.record_batch([(None, b"\xab" * length, [])])
            frame = w.produce_request(5, self.topic, 0, batch)
            diff = REQUEST_MAX - (len(frame) - 4)
            if diff == 0:
                break
            length += diff
        self.assertEqual(len(frame) - 4, REQUEST_MAX)
        with self.conn() as c:
            c.send(frame)
            corr, body = c.read_response()
        self.assertEqual(corr, 5)
        self.assertEqual(w.parse_produce_response(body, 3)[0][(self.topic, 0)], (0, before))
        self.assertEqual(self.high(), before + 1)
        # One byte more is refused before it is read (the broker may close while we send).
        with self.conn() as c:
            try:
                c.send(struct.pack(">i", REQUEST_MAX + 1) + frame[4:])
            except (BrokenPipeError, ConnectionResetError):
                pass
            else:
                self.assertClosed(c, "frame one byte over the limit")
        self.assertEqual(self.high(), before + 1)
        self.assertHealthy()

    def test_truncated_then_close(self):
        for cut in (1, 2, 3, 4, 10, 30):
            frame = w.metadata_request(9, [self.topic])
            with self.subTest(cut=cut):
                with self.conn() as c:
                    c.send(frame[:cut])
                self.assertHealthy()
        # A declared size far beyond what follows, then close.
        with self.conn() as c:
            c.send(struct.pack(">i", 1000) + b"\x00\x03\x00\x01")
        self.assertHealthy()

    def test_idle_partial_frame_does_not_block_others(self):
        stuck = self.conn()
        try:
            stuck.send(struct.pack(">i", 500) + b"\x00\x03")
            self.assertHealthy()
        finally:
            stuck.close()

    def test_header_too_short_in_complete_frame(self):
        for payload in (b"\x00", b"\x00\x03", b"\x00\x03\x00", b"\x00\x03\x00\x01\x00\x00"):
            with self.subTest(payload=payload):
                with self.conn() as c:
                    c.send(struct.pack(">i", len(payload)) + payload)
                    self.assertClosed(c, f"header {payload!r}")
        self.assertHealthy()

    def test_bad_client_id_length(self):
        # client id length 30000 but only 3 bytes follow
        payload = struct.pack(">hhih", 18, 0, 1, 30000) + b"abc"
        with self.conn() as c:
            c.send(struct.pack(">i", len(payload)) + payload)
            self.assertClosed(c, "client id longer than the frame")
        self.assertHealthy()

    def test_garbage_bytes(self):
        for seed in range(6):
            rng = random.Random(seed)
            data = rng.randbytes(rng.randint(1, 8192))
            with self.subTest(seed=seed):
                with self.conn() as c:
                    try:
                        c.send(data)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    c.closed_by_peer(1.0)
        # Garbage that starts with a plausible small size.
        with self.conn() as c:
            c.send(struct.pack(">i", 64) + bytes(range(64)))
            c.closed_by_peer(2.0)
        self.assertHealthy()

    def test_many_abrupt_connections(self):
        socks = []
        try:
            for _ in range(200):
                s = socket.create_connection(("127.0.0.1", self.broker.port), timeout=5)
                socks.append(s)
            for i, s in enumerate(socks):
                if i % 2:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()  # half of them with RST
        finally:
            for s in socks:
                s.close()
        self.assertHealthy()

    # ---------------------------------------------------------------- API keys and versions

    def test_unknown_api_key(self):
        for key in (99, 1000, 32767, -1):
            with self.subTest(key=key):
                with self.conn() as c:
                    c.send(w.request(key, 0, 3, b"\x00\x00\x00\x00"))
                    self.assertClosed(c, f"api key {key}")
        self.assertHealthy()

    def test_unsupported_metadata_version(self):
        for version in (99, 32767, -1):
            with self.subTest(version=version):
                with self.conn() as c:
                    c.send(w.request(3, version, 4, w.array(None)))
                    self.assertClosed(c, f"Metadata v{version}")
        self.assertHealthy()

    def test_api_versions_unsupported_version(self):
        """ApiVersions v99: UNSUPPORTED_VERSION in the v0 layout, listing ApiVersions' range, and
        the connection stays usable (clients retry with a lower version)."""
        with self.conn() as c:
            c.send(w.api_versions_request(11, version=99))
            corr, body = c.read_response()
            self.assertEqual(corr, 11)
            r = w.Reader(body)
            self.assertEqual(r.i16(), UNSUPPORTED_VERSION)
            apis = {}
            for _ in range(r.i32()):
                key, lo, hi = r.i16(), r.i16(), r.i16()
                apis[key] = (lo, hi)
            self.assertIn(18, apis)
            self.assertEqual(apis[18][0], 0)
            c.send(w.api_versions_request(12, version=0))
            corr, body = c.read_response()
            self.assertEqual(corr, 12)
            self.assertEqual(struct.unpack_from(">h", body)[0], 0)

    def test_pipelined_requests_answered_in_order(self):
        with self.conn() as c:
            frames = b"".join(w.api_versions_request(1000 + i) if i % 2 else
                              w.metadata_request(1000 + i, [self.topic]) for i in range(20))
            c.send(frames)
            for i in range(20):
                corr, _ = c.read_response()
                self.assertEqual(corr, 1000 + i)

    def test_truncated_body_of_known_api(self):
        """A complete frame whose Metadata body is cut short: the request cannot be decoded;
        the broker closes the connection (or answers with an error), and nothing else breaks."""
        with self.conn() as c:
            c.send(w.request(3, 1, 6, struct.pack(">i", 5) + b"\x00\x05ab"))
            c.closed_by_peer(3.0)
        self.assertHealthy()

    # ---------------------------------------------------------------- Produce with bad batches

    def test_valid_raw_produce(self):
        """The hand-built encoder is right: a valid batch is appended and reads back."""
        before = self.high()
        batch = w.record_batch([(b"rk", b"raw-value", [("h", b"v"), ("n", None)]),
                                (None, None, [])])
        for version in (3, 7):
            with self.subTest(version=version):
                err, base = self.produce_raw(batch, version=version)
                self.assertEqual(err, 0)
                self.assertEqual(base, self.high() - 2)
        self.assertEqual(self.high(), before + 4)
        got = h.consume(self.broker.bootstrap, self.topic, {0: before}, {0: 2})[0]
        self.assertEqual((got[0].key(), got[0].value(), got[0].headers()),
                         (b"rk", b"raw-value", [("h", b"v"), ("n", None)]))
        self.assertEqual((got[1].key(), got[1].value()), (None, None))

    def test_bad_crc_is_corrupt_message(self):
        before = self.high()
        batch = w.record_batch([(b"k", b"v" * 100, [])] * 5, corrupt_crc=True)
        for version in (3, 7):
            with self.subTest(version=version):
                err, _ = self.produce_raw(batch, version=version)
                self.assertEqual(err, CORRUPT_MESSAGE)
        self.assertEqual(self.high(), before, "a batch with a bad CRC was appended")
        self.assertHealthy()

    def test_one_bad_batch_among_good_ones(self):
        before = self.high()
        good = w.record_batch([(b"k", b"good", [])])
        bad = w.record_batch([(b"k", b"bad", [])], corrupt_crc=True)
        err, _ = self.produce_raw(good + bad + good)
        # Kafka answers INVALID_RECORD (v3+ allows one batch per partition) or CORRUPT_MESSAGE.
        self.assertIn(err, (CORRUPT_MESSAGE, INVALID_RECORD))
        self.assertEqual(self.high(), before, "part of a rejected request was appended")

    def test_bad_batches(self):
        """Each must be refused with an error code and append nothing."""
        rec = [(b"k", b"value", [])]
        records_area = w.record(0, b"k", b"value")
        cases = {
            "magic 1": w.record_batch(rec, magic=1),
            "magic 7": w.record_batch(rec, magic=7),
            "length beyond data": w.record_batch(rec, batch_length_delta=50),
            "length short of data": w.record_batch(rec, batch_length_delta=-5),
            "record count too high": w.record_batch(rec, record_count=1000),
            "record count zero": w.record_batch(rec, record_count=0),
            "record count negative": w.record_batch(rec, record_count=-3),
            "gzip attribute, garbage payload": w.record_batch(rec, attributes=1,
                                                              records_blob=b"\x1f\x8b" + b"x" * 40),
            "snappy attribute, garbage payload": w.record_batch(rec, attributes=2,
                                                                records_blob=b"\xff" * 40),
            "lz4 attribute, garbage payload": w.record_batch(rec, attributes=3,
                                                             records_blob=b"\x04\x22\x4d\x18zz"),
            "zstd attribute, garbage payload": w.record_batch(rec, attributes=4,
                                                              records_blob=b"\x28\xb5\x2f\xfdzz"),
            "codec 5": w.record_batch(rec, attributes=5),
            "truncated record": w.record_batch(rec, records_blob=records_area[:-3]),
            "record length lies": w.record_batch(rec, records_blob=b"\x7f" + records_area[1:]),
            "control batch from a client": w.record_batch(rec, attributes=0x20),
            "header only": w.record_batch([], records_blob=b"", record_count=1),
        }
        for name, batch in cases.items():
            with self.subTest(case=name):
                before = self.high()
                try:
                    err, _ = self.produce_raw(batch)
                except (ConnectionError, TimeoutError) as e:
                    self.fail(f"{name}: no Produce response ({e!r})")
                self.assertNotEqual(err, 0, f"{name} was accepted")
                self.assertEqual(self.high(), before, f"{name} was appended")
        self.assertHealthy()

    def test_gzip_bomb(self):
        """A small gzip batch that inflates to 300 MiB: refused (or bounded), never a crash or
        an out-of-memory."""
        size = 300 << 20
        body = bytearray()
        body += b"\x00" + w.varint(0) + w.varint(0) + w.varint(-1) + w.varint(size)
        head = bytes(body)
        record_len = len(head) + size + 1  # + header count byte
        comp = zlib.compressobj(9, zlib.DEFLATED, 31)
        blob = bytearray(comp.compress(w.varint(record_len) + head))
        zeros = b"\x00" * (1 << 20)
        for _ in range(size >> 20):
            blob += comp.compress(zeros)
        blob += comp.compress(w.varint(0)) + comp.flush()
        self.assertLess(len(blob), REQUEST_MAX)
        batch = w.record_batch([(None, b"", [])], attributes=1, records_blob=bytes(blob))
        before = self.high()
        err, _ = self.produce_raw(batch)
        self.assertTrue(self.broker.alive(), self.broker.describe_tail())
        self.assertNotEqual(err, 0, "a record of 300 MiB was accepted")
        self.assertEqual(self.high(), before)
        self.assertHealthy()

    def test_produce_errors(self):
        batch = w.record_batch([(b"k", b"v", [])])
        err, _ = self.produce_raw(batch, topic=h.unique("bad-missing"))
        self.assertEqual(err, UNKNOWN_TOPIC_OR_PARTITION)
        err, _ = self.produce_raw(batch, partition=17)
        self.assertEqual(err, UNKNOWN_TOPIC_OR_PARTITION)
        before = self.high()
        err, _ = self.produce_raw(batch, acks=5)
        self.assertEqual(err, INVALID_REQUIRED_ACKS)
        self.assertEqual(self.high(), before)
        small = h.unique("bad-small")
        h.create_topic(self.broker.bootstrap, small, config={"max.message.bytes": "10000"})
        big = w.record_batch([(b"k", b"z" * 20_000, [])])
        err, _ = self.produce_raw(big, topic=small)
        self.assertEqual(err, MESSAGE_TOO_LARGE)
        self.assertEqual(h.watermarks(self.broker.bootstrap, small, 0), (0, 0))
        self.assertEqual(self.high(), before)
        self.assertHealthy()

    def test_acks_zero_bad_batch_no_response(self):
        """acks=0 with a bad batch: Kafka closes the connection (the client cannot be told);
        either way nothing is appended and no response arrives for it."""
        before = self.high()
        with self.conn() as c:
            c.send(w.produce_request(55, self.topic, 0,
                                     w.record_batch([(b"k", b"v", [])], corrupt_crc=True),
                                     acks=0))
            c.send(w.api_versions_request(56))
            try:
                corr, _ = c.read_response(timeout=3)
                self.assertEqual(corr, 56, "a response to an acks=0 Produce")
            except (ConnectionError, TimeoutError, OSError):
                pass
        self.assertEqual(self.high(), before)
        self.assertHealthy()


if __name__ == "__main__":
    h.main()
