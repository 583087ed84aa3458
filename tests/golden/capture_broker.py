#!/usr/bin/python3
"""Fake Kafka broker that records the request frames real clients send.

It answers just enough of the protocol (ApiVersions, Metadata, Produce, Fetch,
ListOffsets, group coordination, admin topic calls, InitProducerId) for
kcat/librdkafka, confluent-kafka, kafka-python and kafkajs to run their normal
flows, and writes every request frame (header + body, without the 4-byte size
prefix) to OUT_DIR/<client>_<ApiName>_v<version>_<n>.bin.

Stdlib only.  Layouts follow the Kafka message definitions
(clients/src/main/resources/common/message/*.json in apache/kafka).

    /usr/bin/python3 capture_broker.py PORT CLIENT_LABEL OUT_DIR [options]
"""
import argparse
import os
import socket
import socketserver
import struct
import sys
import threading
import time

API_NAMES = {
    0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata",
    8: "OffsetCommit", 9: "OffsetFetch", 10: "FindCoordinator",
    11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup",
    18: "ApiVersions", 19: "CreateTopics", 20: "DeleteTopics",
    22: "InitProducerId", 29: "DescribeAcls",
}

# (api key, min, max).  This table passes every client gate described in the
# protocol brief: librdkafka checks advertised minimums (Produce min 0 enables
# compression, InitProducerId min 0 enables idempotence), kafka-python guesses a
# broker release from the maxima (DescribeAcls v2 => "2.5" => Produce v7).
# DescribeAcls is only advertised, never answered.
ADVERTISED = [
    (18, 0, 3), (0, 0, 7), (1, 4, 11), (2, 1, 3), (3, 0, 6), (8, 2, 7),
    (9, 1, 7), (10, 0, 2), (11, 0, 5), (14, 0, 3), (12, 0, 3), (13, 0, 3),
    (22, 0, 4), (19, 2, 4), (20, 1, 3), (29, 0, 2),
]

# First flexible version of each API (compact encodings + tagged fields).
FIRST_FLEXIBLE = {0: 9, 1: 12, 2: 6, 3: 9, 8: 8, 9: 6, 10: 3, 11: 6, 12: 4,
                  13: 4, 14: 4, 18: 3, 19: 5, 20: 4, 22: 2, 29: 2}

NODE_ID = 1
CLUSTER_ID = "keel-golden"
DEFAULT_PARTITIONS = 1  # one partition keeps every producer on partition 0
PRODUCER_ID = 1000       # fixed so repeated captures carry the same id
INITIAL_REBALANCE_DELAY = 0.5  # seconds, see join_group


def is_flexible(api, version):
    return version >= FIRST_FLEXIBLE.get(api, 1 << 15)


class Reader:
    """Decodes Kafka primitives; `flex` selects compact strings/arrays."""

    def __init__(self, buf, flex=False):
        self.buf, self.pos, self.flex = buf, 0, flex

    def take(self, n):
        if self.pos + n > len(self.buf):
            raise ValueError("truncated request")
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def _fixed(self, fmt):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def i8(self): return self._fixed(">b")
    def i16(self): return self._fixed(">h")
    def i32(self): return self._fixed(">i")
    def i64(self): return self._fixed(">q")

    def uvarint(self):
        value = shift = 0
        while True:
            b = self.take(1)[0]
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7

    def _length(self, plain):
        return self.uvarint() - 1 if self.flex else plain()

    def string(self):
        n = self._length(self.i16)
        return None if n < 0 else self.take(n).decode("utf-8")

    def bytes_(self):
        n = self._length(self.i32)
        return None if n < 0 else bytes(self.take(n))

    def array(self, item):
        n = self._length(self.i32)
        return None if n < 0 else [item() for _ in range(n)]

    def tags(self):
        """Skips a tagged-field section (flexible versions only)."""
        if self.flex:
            for _ in range(self.uvarint()):
                self.uvarint()
                self.take(self.uvarint())


class Writer:
    """Encodes Kafka primitives; mirror of Reader."""

    def __init__(self, flex=False):
        self.out, self.flex = bytearray(), flex

    def i8(self, v): self.out += struct.pack(">b", v)
    def i16(self, v): self.out += struct.pack(">h", v)
    def i32(self, v): self.out += struct.pack(">i", v)
    def i64(self, v): self.out += struct.pack(">q", v)
    def bool(self, v): self.i8(1 if v else 0)

    def uvarint(self, v):
        while v >= 0x80:
            self.out.append((v & 0x7F) | 0x80)
            v >>= 7
        self.out.append(v)

    def _length(self, n, plain):
        if self.flex:
            self.uvarint(n + 1)
        else:
            plain(n)

    def string(self, s):
        if s is None:
            return self._length(-1, self.i16)
        data = s.encode("utf-8")
        self._length(len(data), self.i16)
        self.out += data

    def bytes_(self, b):
        if b is None:
            return self._length(-1, self.i32)
        self._length(len(b), self.i32)
        self.out += b

    def array(self, items, write_item):
        if items is None:
            return self._length(-1, self.i32)
        self._length(len(items), self.i32)
        for it in items:
            write_item(it)

    def tags(self):
        if self.flex:
            self.uvarint(0)  # no tagged fields


# ---------------------------------------------------------------------------
# Request parsers: bytes -> dict.  Shared with manifest.py, which uses them to
# describe the captured files.  Each reads exactly the fields of its version.

def parse_header(frame):
    """Returns (api, version, correlation id, client id, body Reader)."""
    r = Reader(frame)
    api, version, corr = r.i16(), r.i16(), r.i32()
    client_id = r.string()           # int16-length even in header v2
    r.flex = is_flexible(api, version)
    r.tags()                         # header v2 tagged fields (flexible only)
    return api, version, corr, client_id, r


def parse_api_versions(r, v):
    req = {}
    if v >= 3:
        req["software_name"] = r.string()
        req["software_version"] = r.string()
        r.tags()
    return req


def parse_metadata(r, v):
    req = {"topics": r.array(lambda: r.string())}
    if v >= 4:
        req["allow_auto_create"] = r.i8()
    return req


def parse_produce(r, v):
    req = {"transactional_id": r.string() if v >= 3 else None,
           "acks": r.i16(), "timeout_ms": r.i32()}
    req["topics"] = r.array(lambda: (r.string(), r.array(
        lambda: (r.i32(), r.bytes_()))))
    return req


def parse_fetch(r, v):
    req = {"replica_id": r.i32(), "max_wait_ms": r.i32(), "min_bytes": r.i32()}
    if v >= 3:
        req["max_bytes"] = r.i32()
    if v >= 4:
        req["isolation_level"] = r.i8()
    if v >= 7:
        req["session_id"], req["session_epoch"] = r.i32(), r.i32()

    def partition():
        p = {"partition": r.i32()}
        if v >= 9:
            p["current_leader_epoch"] = r.i32()
        p["fetch_offset"] = r.i64()
        if v >= 5:
            p["log_start_offset"] = r.i64()
        p["max_bytes"] = r.i32()
        return p
    req["topics"] = r.array(lambda: (r.string(), r.array(partition)))
    if v >= 7:
        req["forgotten"] = r.array(lambda: (r.string(), r.array(r.i32)))
    if v >= 11:
        req["rack_id"] = r.string()
    return req


def parse_list_offsets(r, v):
    req = {"replica_id": r.i32()}
    if v >= 2:
        req["isolation_level"] = r.i8()

    def partition():
        p = {"partition": r.i32()}
        if v >= 4:
            p["current_leader_epoch"] = r.i32()
        p["timestamp"] = r.i64()
        if v == 0:
            p["max_num_offsets"] = r.i32()
        return p
    req["topics"] = r.array(lambda: (r.string(), r.array(partition)))
    return req


def parse_find_coordinator(r, v):
    return {"key": r.string(), "key_type": r.i8() if v >= 1 else 0}


def parse_join_group(r, v):
    req = {"group_id": r.string(), "session_timeout_ms": r.i32()}
    if v >= 1:
        req["rebalance_timeout_ms"] = r.i32()
    req["member_id"] = r.string()
    req["group_instance_id"] = r.string() if v >= 5 else None
    req["protocol_type"] = r.string()
    req["protocols"] = r.array(lambda: (r.string(), r.bytes_()))
    return req


def parse_sync_group(r, v):
    req = {"group_id": r.string(), "generation_id": r.i32(),
           "member_id": r.string()}
    req["group_instance_id"] = r.string() if v >= 3 else None
    req["assignments"] = r.array(lambda: (r.string(), r.bytes_()))
    return req


def parse_heartbeat(r, v):
    req = {"group_id": r.string(), "generation_id": r.i32(),
           "member_id": r.string()}
    req["group_instance_id"] = r.string() if v >= 3 else None
    return req


def parse_leave_group(r, v):
    req = {"group_id": r.string()}
    if v >= 3:
        req["members"] = r.array(lambda: (r.string(), r.string()))
    else:
        req["members"] = [(r.string(), None)]
    return req


def parse_offset_commit(r, v):
    req = {"group_id": r.string()}
    if v >= 1:
        req["generation_id"], req["member_id"] = r.i32(), r.string()
    if v >= 7:
        req["group_instance_id"] = r.string()
    if 2 <= v <= 4:
        req["retention_time_ms"] = r.i64()

    def partition():
        p = {"partition": r.i32(), "offset": r.i64()}
        if v >= 6:
            p["leader_epoch"] = r.i32()
        if v == 1:
            p["commit_timestamp"] = r.i64()
        p["metadata"] = r.string()
        return p
    req["topics"] = r.array(lambda: (r.string(), r.array(partition)))
    return req


def parse_offset_fetch(r, v):
    def topic():
        t = (r.string(), r.array(r.i32))
        r.tags()
        return t
    req = {"group_id": r.string(), "topics": r.array(topic)}
    if v >= 7:
        req["require_stable"] = r.i8()
    r.tags()
    return req


def parse_create_topics(r, v):
    def topic():
        t = {"name": r.string(), "num_partitions": r.i32(),
             "replication_factor": r.i16()}
        t["assignments"] = r.array(lambda: (r.i32(), r.array(r.i32)))
        t["configs"] = r.array(lambda: (r.string(), r.string()))
        return t
    req = {"topics": r.array(topic), "timeout_ms": r.i32()}
    if v >= 1:
        req["validate_only"] = r.i8()
    return req


def parse_delete_topics(r, v):
    return {"topics": r.array(r.string), "timeout_ms": r.i32()}


def parse_init_producer_id(r, v):
    req = {"transactional_id": r.string(), "transaction_timeout_ms": r.i32()}
    if v >= 3:
        req["producer_id"], req["producer_epoch"] = r.i64(), r.i16()
    r.tags()
    return req


PARSERS = {
    0: parse_produce, 1: parse_fetch, 2: parse_list_offsets, 3: parse_metadata,
    8: parse_offset_commit, 9: parse_offset_fetch, 10: parse_find_coordinator,
    11: parse_join_group, 12: parse_heartbeat, 13: parse_leave_group,
    14: parse_sync_group, 18: parse_api_versions, 19: parse_create_topics,
    20: parse_delete_topics, 22: parse_init_producer_id,
}


def split_batches(records):
    """Yields each record batch (magic 2) in a Produce records field."""
    pos = 0
    while pos + 12 <= len(records):
        size = 12 + struct.unpack_from(">i", records, pos + 8)[0]
        yield records[pos:pos + size]
        pos += size


# ---------------------------------------------------------------------------
class Broker:
    """In-memory state shared by all connections of one capture run."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.topics = {}      # name -> partition count
        self.logs = {}        # (topic, partition) -> [batch bytes], offsets stamped
        self.log_end = {}     # (topic, partition) -> next offset
        self.groups = {}      # group id -> {"generation", "assignment"}
        self.commits = {}     # (group, topic, partition) -> offset
        self.seen = {}        # (api, version) -> frames seen
        self.members = 0

    # -- capture ----------------------------------------------------------
    def save(self, api, version, frame):
        with self.lock:
            n = self.seen.get((api, version), 0) + 1
            self.seen[(api, version)] = n
        name = API_NAMES.get(api, "Api%d" % api)
        wanted = self.args.save
        if wanted and name not in wanted and "%s:%d" % (name, version) not in wanted:
            return
        if n > self.args.max_per_version:
            return
        path = os.path.join(self.args.out_dir, "%s_%s_v%d_%d.bin"
                            % (self.args.client, name, version, n))
        with open(path, "wb") as f:
            f.write(frame)

    # -- helpers ----------------------------------------------------------
    def ensure_topic(self, name, partitions=DEFAULT_PARTITIONS):
        self.topics.setdefault(name, partitions)
        return self.topics[name]

    def append(self, topic, partition, records):
        """Stores the batches, stamping base offsets as a broker would."""
        with self.lock:
            self.ensure_topic(topic)
            key = (topic, partition)
            start = self.log_end.get(key, 0)
            end = start
            for batch in split_batches(records or b""):
                last_delta = struct.unpack_from(">i", batch, 23)[0]
                stamped = struct.pack(">q", end) + batch[8:]  # CRC excludes it
                self.logs.setdefault(key, []).append((end, end + last_delta, stamped))
                end += last_delta + 1
            self.log_end[key] = end
            return start

    # -- responses: (request dict, Writer, version, client id) -> None ------
    def api_versions(self, req, w, v, cid):
        w.i16(0)

        def entry(e):
            w.i16(e[0]); w.i16(e[1]); w.i16(e[2]); w.tags()
        w.array(ADVERTISED, entry)
        if v >= 1:
            w.i32(0)
        w.tags()

    def metadata(self, req, w, v, cid):
        names = req["topics"]
        with self.lock:
            # v0: empty list means all topics; v1+: null means all topics.
            if names is None or (v == 0 and not names):
                names = sorted(self.topics)
            topics = [(n, self.ensure_topic(n)) for n in names]
        if v >= 3:
            w.i32(0)

        def broker(_):
            w.i32(NODE_ID); w.string(self.args.host); w.i32(self.args.port)
            if v >= 1:
                w.string(None)  # rack
        w.array([NODE_ID], broker)
        if v >= 2:
            w.string(CLUSTER_ID)
        if v >= 1:
            w.i32(NODE_ID)  # controller: kafkajs sends admin + InitProducerId there

        def partition(i):
            w.i16(0); w.i32(i); w.i32(NODE_ID)
            w.array([NODE_ID], w.i32); w.array([NODE_ID], w.i32)
            if v >= 5:
                w.array([], w.i32)  # offline replicas

        def topic(t):
            w.i16(0); w.string(t[0])
            if v >= 1:
                w.bool(False)
            w.array(list(range(t[1])), partition)
        w.array(topics, topic)

    def produce(self, req, w, v, cid):
        results = [(name, [(p, self.append(name, p, recs)) for p, recs in parts])
                   for name, parts in req["topics"]]
        if req["acks"] == 0:
            return False  # acks=0: the client expects no response

        def partition(res):
            w.i32(res[0]); w.i16(0); w.i64(res[1])
            if v >= 2:
                w.i64(-1)   # LogAppendTime: -1 = CreateTime topic
            if v >= 5:
                w.i64(0)    # log start offset

        w.array(results, lambda t: (w.string(t[0]), w.array(t[1], partition)))
        if v >= 1:
            w.i32(0)

    def fetch(self, req, w, v, cid):
        answers, any_data = [], False
        with self.lock:
            for name, parts in req["topics"]:
                out = []
                for p in parts:
                    key = (name, p["partition"])
                    hw = self.log_end.get(key, 0)
                    err = 1 if p["fetch_offset"] > hw else 0  # OFFSET_OUT_OF_RANGE
                    data = b""
                    for base, last, batch in self.logs.get(key, []):
                        if last >= p["fetch_offset"] and (
                                not data or len(data) + len(batch) <= p["max_bytes"]):
                            data += batch
                    any_data |= bool(data)
                    out.append((p["partition"], err, hw, data))
                answers.append((name, out))
        if not any_data:
            # Long-poll like a real broker so idle consumers do not spin.
            time.sleep(min(req["max_wait_ms"], 500) / 1000.0)
        if v >= 1:
            w.i32(0)
        if v >= 7:
            w.i16(0); w.i32(0)  # error, session id 0 = sessionless

        def partition(a):
            w.i32(a[0]); w.i16(a[1]); w.i64(a[2])
            if v >= 4:
                w.i64(a[2])          # last stable offset
            if v >= 5:
                w.i64(0)             # log start offset
            if v >= 4:
                w.array([], None)    # aborted transactions
            if v >= 11:
                w.i32(-1)            # preferred read replica
            w.bytes_(a[3])
        w.array(answers, lambda t: (w.string(t[0]), w.array(t[1], partition)))

    def list_offsets(self, req, w, v, cid):
        if v >= 2:
            w.i32(0)

        def partition(name, p):
            with self.lock:
                hw = self.log_end.get((name, p["partition"]), 0)
            off = 0 if p["timestamp"] == -2 else hw  # -2 earliest, else latest
            w.i32(p["partition"]); w.i16(0)
            if v == 0:
                w.array([off], w.i64)
            else:
                w.i64(-1); w.i64(off)
        w.array(req["topics"], lambda t: (
            w.string(t[0]), w.array(t[1], lambda p: partition(t[0], p))))

    def find_coordinator(self, req, w, v, cid):
        if v >= 1:
            w.i32(0)
        w.i16(0)
        if v >= 1:
            w.string(None)  # error message
        w.i32(NODE_ID); w.string(self.args.host); w.i32(self.args.port)

    def join_group(self, req, w, v, cid):
        # Single-member group: the joiner becomes leader at once (no
        # MEMBER_ID_REQUIRED round trip) and gets its own metadata back.
        if req["group_id"] not in self.groups:
            # Like Kafka's group.initial.rebalance.delay.ms (3 s there): the
            # first join waits, so the leader's topic metadata is in before it
            # assigns (kafka-python otherwise may assign nothing and rejoin).
            time.sleep(INITIAL_REBALANCE_DELAY)
        with self.lock:
            g = self.groups.setdefault(req["group_id"], {"generation": 0, "assignment": b""})
            g["generation"] += 1
            member = req["member_id"]
            if not member:
                self.members += 1
                member = "%s-member-%d" % (cid or "client", self.members)
            gen = g["generation"]
        proto, meta = req["protocols"][0]
        if v >= 2:
            w.i32(0)
        w.i16(0); w.i32(gen); w.string(proto); w.string(member); w.string(member)

        def m(_):
            w.string(member)
            if v >= 5:
                w.string(req["group_instance_id"])
            w.bytes_(meta)
        w.array([member], m)

    def sync_group(self, req, w, v, cid):
        with self.lock:
            g = self.groups.setdefault(req["group_id"], {"generation": 0, "assignment": b""})
            mine = dict(req["assignments"] or []).get(req["member_id"])
            if mine is not None:
                g["assignment"] = mine  # echo the leader's plan back to it
            mine = g["assignment"]
        if v >= 1:
            w.i32(0)
        w.i16(0); w.bytes_(mine)

    def heartbeat(self, req, w, v, cid):
        if v >= 1:
            w.i32(0)
        w.i16(0)

    def leave_group(self, req, w, v, cid):
        if v >= 1:
            w.i32(0)
        w.i16(0)
        if v >= 3:
            w.array(req["members"], lambda m: (w.string(m[0]), w.string(m[1]), w.i16(0)))

    def offset_commit(self, req, w, v, cid):
        with self.lock:
            for name, parts in req["topics"]:
                for p in parts:
                    self.commits[(req["group_id"], name, p["partition"])] = p["offset"]
        if v >= 3:
            w.i32(0)
        w.array(req["topics"], lambda t: (
            w.string(t[0]), w.array(t[1], lambda p: (w.i32(p["partition"]), w.i16(0)))))

    def offset_fetch(self, req, w, v, cid):
        group = req["group_id"]
        with self.lock:
            topics = req["topics"]
            if topics is None:  # v2+: null = every committed partition
                names = sorted({k[1] for k in self.commits if k[0] == group})
                topics = [(n, sorted(k[2] for k in self.commits if k[:2] == (group, n)))
                          for n in names]
            answers = [(n, [(p, self.commits.get((group, n, p), -1)) for p in parts])
                       for n, parts in topics]
        if v >= 3:
            w.i32(0)

        def partition(p):
            w.i32(p[0]); w.i64(p[1])        # -1 = no committed offset
            if v >= 5:
                w.i32(-1)                    # leader epoch
            w.string(""); w.i16(0); w.tags()

        def topic(t):
            w.string(t[0]); w.array(t[1], partition); w.tags()
        w.array(answers, topic)
        if v >= 2:
            w.i16(0)
        w.tags()

    def create_topics(self, req, w, v, cid):
        with self.lock:
            for t in req["topics"]:
                n = t["num_partitions"]
                self.topics[t["name"]] = n if n > 0 else DEFAULT_PARTITIONS
        if v >= 2:
            w.i32(0)

        def result(t):
            w.string(t["name"]); w.i16(0)
            if v >= 1:
                w.string(None)
        w.array(req["topics"], result)

    def delete_topics(self, req, w, v, cid):
        with self.lock:
            for name in req["topics"]:
                self.topics.pop(name, None)
        if v >= 1:
            w.i32(0)
        w.array(req["topics"], lambda n: (w.string(n), w.i16(0)))

    def init_producer_id(self, req, w, v, cid):
        w.i32(0); w.i16(0); w.i64(PRODUCER_ID); w.i16(0); w.tags()

    HANDLERS = {
        0: produce, 1: fetch, 2: list_offsets, 3: metadata, 8: offset_commit,
        9: offset_fetch, 10: find_coordinator, 11: join_group, 12: heartbeat,
        13: leave_group, 14: sync_group, 18: api_versions, 19: create_topics,
        20: delete_topics, 22: init_producer_id,
    }

    # -- one request ------------------------------------------------------
    def handle(self, frame):
        """Returns the response frame (without size prefix), b"" for none,
        or None to drop the connection."""
        api, v, corr, cid, r = parse_header(frame)
        self.save(api, v, frame)
        log("%s %s v%d corr=%d client_id=%r (%d bytes)"
            % (self.args.client, API_NAMES.get(api, api), v, corr, cid, len(frame)))
        supported = {e[0]: e for e in ADVERTISED}
        if api == 18 and v > 3:
            # Unknown ApiVersions version: answer in the v0 layout with
            # UNSUPPORTED_VERSION so the client retries lower.
            w = Writer()
            w.i16(35); w.array([supported[18]], lambda e: (w.i16(e[0]), w.i16(e[1]), w.i16(e[2])))
            return struct.pack(">i", corr) + bytes(w.out)
        if api not in self.HANDLERS or not supported[api][1] <= v <= supported[api][2]:
            log("  unsupported request, closing connection")
            return None
        req = PARSERS[api](r, v)
        flex = is_flexible(api, v)
        w = Writer(flex)
        if self.HANDLERS[api](self, req, w, v, cid) is False:
            return b""
        # Flexible responses use header v1 (one tag byte), except ApiVersions
        # whose response header is always v0.
        head = struct.pack(">i", corr) + (b"\x00" if flex and api != 18 else b"")
        return head + bytes(w.out)


def log(msg):
    print("%.3f %s" % (time.time(), msg), file=sys.stderr, flush=True)


def read_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


class Connection(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        # Requests on one connection are answered in order (clients pipeline).
        while True:
            size = read_exact(sock, 4)
            if size is None:
                return
            frame = read_exact(sock, struct.unpack(">i", size)[0])
            if frame is None:
                return
            try:
                resp = self.server.broker.handle(frame)
            except Exception as e:  # a parse bug must not hang the client
                log("  error handling request: %r" % (e,))
                return
            if resp is None:
                return
            if resp:
                sock.sendall(struct.pack(">i", len(resp)) + resp)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("port", type=int)
    ap.add_argument("client", help="label used as file name prefix")
    ap.add_argument("out_dir")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--save", type=lambda s: set(s.split(",")) if s else set(),
                    default=set(), help="comma list of API names (Metadata) or "
                    "name:version (Metadata:5) to save; default all")
    ap.add_argument("--max-per-version", type=int, default=1 << 30,
                    help="save only the first N frames of each api/version")
    ap.add_argument("--max-seconds", type=float, default=300,
                    help="exit after this long even if nobody stops us")
    args = ap.parse_args()
    if "_" in args.client:
        ap.error("client label must not contain '_' (it separates name fields)")
    os.makedirs(args.out_dir, exist_ok=True)

    server = Server((args.host, args.port), Connection)
    server.broker = Broker(args)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("listening on %s:%d" % (args.host, args.port), flush=True)
    try:
        time.sleep(args.max_seconds)
    except KeyboardInterrupt:
        pass
    server.shutdown()


if __name__ == "__main__":
    main()
