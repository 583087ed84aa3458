"""Retention, compaction and DeleteRecords as a client sees them: time retention deletes whole
old segments and moves the log start offset (ListOffsets earliest), the cleaner keeps the
latest record per key of a compacted topic, DeleteRecords moves the log start explicitly, and
it survives restarts (the log start offset is checkpointed)."""

import random
import socket
import struct
import unittest

import keel_harness as h
import keel_wire as w

h.require_modules("confluent_kafka")

class RetentionTest(h.BrokerTestCase):
    broker_props = {"log.retention.check.interval.ms": "500", "log.cleaner.backoff.ms": "500",
                    "num.partitions": "1"}

    def produce_batches(self, topic, batches, per_batch=50):
        rng = random.Random(topic)
        prod = h.producer(self.broker.bootstrap, **{"linger.ms": 0})
        for _ in range(batches):
            msgs = h.random_messages(rng, per_batch, partition=0, headers=False, max_len=300)
            h.produce_all(prod, topic, msgs)

    def test_time_retention_deletes_old_segments(self):
        topic = h.unique("retention")
        # Tiny segments so several roll; records are stamped "now", so retention.ms of 1 s
        # expires every segment but the active one shortly after.
        h.create_topic(self.broker.bootstrap, topic,
                       config={"segment.bytes": "20000", "retention.ms": "1000"})
        self.produce_batches(topic, 20)
        low, high = h.watermarks(self.broker.bootstrap, topic, 0)
        self.assertEqual(low, 0)
        self.assertEqual(high, 1000)
        h.wait_until(lambda: h.watermarks(self.broker.bootstrap, topic, 0)[0] > 0, 15,
                     "retention to advance the log start offset")
        low, high = h.watermarks(self.broker.bootstrap, topic, 0)
        self.assertGreater(low, 0)
        self.assertEqual(high, 1000)  # the active segment stays; nothing else moves

    def test_compaction_keeps_the_latest_record_per_key(self):
        topic = h.unique("compact")
        h.create_topic(self.broker.bootstrap, topic,
                       config={"cleanup.policy": "compact", "segment.bytes": "20000"})
        # Batches well below segment.bytes, so segments roll and the cleaner has work.
        prod = h.producer(self.broker.bootstrap, **{"linger.ms": 0, "batch.size": 8000})
        latest = {}
        msgs = []
        for round_ in range(40):
            for k in range(10):
                key = b"key-%d" % k
                value = b"round-%d-" % round_ + b"x" * 200
                latest[key] = value
                msgs.append({"partition": 0, "key": key, "value": value, "headers": None,
                             "timestamp": None, "index": len(msgs)})
        h.produce_all(prod, topic, msgs)
        total = len(msgs)

        h.wait_until(lambda: self.count_from_start(topic) < total, 30, "the cleaner to run")
        records = self.read_all(topic)
        self.assertLess(len(records), total)
        final = {}
        for key, value in records:
            final[key] = value
        self.assertEqual(final, latest)  # every key's latest value survives

    def read_all(self, topic):
        low, high = h.watermarks(self.broker.bootstrap, topic, 0)
        c = h.consumer(self.broker.bootstrap, **{"enable.partition.eof": True})
        from confluent_kafka import TopicPartition
        c.assign([TopicPartition(topic, 0, low)])
        out = []
        for _ in range(100000):
            m = c.poll(5)
            if m is None:
                break
            if m.error():
                if m.error().code() == -191:  # _PARTITION_EOF
                    break
                raise AssertionError(str(m.error()))
            out.append((m.key(), m.value()))
            if m.offset() >= high - 1:
                break
        c.close()
        return out

    def count_from_start(self, topic):
        return len(self.read_all(topic))

    def test_delete_records_survives_restarts(self):
        topic = h.unique("delrec")
        h.create_topic(self.broker.bootstrap, topic, config={"segment.bytes": "20000"})
        self.produce_batches(topic, 10)
        # None of the Debian clients has DeleteRecords (confluent-kafka 1.7, kafka-python 2.0.2):
        # a raw DeleteRecords v0.
        self.assertEqual(self.delete_records(topic, 0, 321), (0, 321))
        self.assertEqual(h.watermarks(self.broker.bootstrap, topic, 0)[0], 321)
        # Above the high watermark: OFFSET_OUT_OF_RANGE.
        self.assertEqual(self.delete_records(topic, 0, 5000)[0], 1)
        self.broker.restart(graceful=True)
        self.assertEqual(h.watermarks(self.broker.bootstrap, topic, 0)[0], 321)
        # The graceful stop checkpointed it; a kill -9 now must not bring old records back.
        self.broker.kill9()
        self.broker.start()
        self.assertEqual(h.watermarks(self.broker.bootstrap, topic, 0)[0], 321)
        # 10 batches of 50: offsets 321..499 are still there, in order.
        got = h.consume(self.broker.bootstrap, topic, {0: 321}, {0: 179})
        self.assertEqual([m.offset() for m in got[0]], list(range(321, 500)))

    def delete_records(self, topic, partition, offset):
        """DeleteRecords v0; returns (error code, low watermark)."""
        body = (w.array([w.string(topic) + w.array([w.i32(partition) + w.i64(offset)])])
                + w.i32(10000))
        with socket.create_connection(("127.0.0.1", self.broker.port), timeout=10) as s:
            s.sendall(w.request(21, 0, 7, body))
            size = struct.unpack(">i", h.recv_exact(s, 4))[0]
            resp = h.recv_exact(s, size)
        corr, _throttle, topics = struct.unpack(">iii", resp[:12])
        self.assertEqual((corr, topics), (7, 1))
        name_len = struct.unpack(">h", resp[12:14])[0]
        pos = 14 + name_len + 4  # name, partition count
        _p, low, err = struct.unpack(">iqh", resp[pos:pos + 14])
        return err, low


if __name__ == "__main__":
    h.main()
