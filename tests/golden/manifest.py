#!/usr/bin/python3
"""Writes MANIFEST.tsv for the captured request frames: manifest.py DATA_DIR.

Each .bin is decoded with the request parsers of capture_broker.py, so the
manifest states what is really in the bytes (not what we hoped the client
sent).  Compressed Produce batches are decompressed to list their records;
that needs python3-snappy, python3-lz4 and python3-zstandard (the same Debian
packages kafka-python needs to produce those codecs at all).
"""
import gzip
import os
import struct
import sys

import lz4.frame
import snappy
import zstandard

import capture_broker as cb

# Client label prefix -> client and version, as installed on the capture machine.
CLIENTS = {
    "kcat": "kcat 1.7.1 / librdkafka 2.0.2",
    "confluent": "confluent-kafka-python 1.7.0 / librdkafka 2.0.2",
    "kpy": "kafka-python 2.0.2",
    "kafkajs": "kafkajs 2.2.4",
}

CODECS = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}
XERIAL_MAGIC = b"\x82SNAPPY\x00"


def snappy_decode(data):
    """Both framings are seen: raw block (librdkafka), xerial (kafka-python)."""
    if not data.startswith(XERIAL_MAGIC):
        return snappy.decompress(data), "raw snappy block"
    out, pos = b"", 16  # magic + int32 version + int32 compatible version
    while pos < len(data):
        n = struct.unpack_from(">i", data, pos)[0]
        out += snappy.decompress(data[pos + 4:pos + 4 + n])
        pos += 4 + n
    return out, "xerial-framed snappy"


def decompress(codec, data):
    if codec == 0:
        return data, ""
    if codec == 1:
        return gzip.decompress(data), "gzip stream"
    if codec == 2:
        return snappy_decode(data)
    if codec == 3:
        return lz4.frame.decompress(data), "LZ4 frame"
    if codec == 4:
        return zstandard.ZstdDecompressor().decompressobj().decompress(data), "zstd frame"
    raise ValueError("codec %d" % codec)


def varint(r):
    """Zigzag signed varint, as used inside records."""
    u = r.uvarint()
    return (u >> 1) ^ -(u & 1)


def fmt_bytes(b):
    if b is None:
        return "null"
    text = b.decode("utf-8", "backslashreplace")
    # Long values (k4's 200 bytes) are shown as their first 10 bytes + length.
    return text if len(b) <= 32 else "%s...(%d bytes)" % (text[:10], len(b))


def records(data, count):
    r, out = cb.Reader(data), []
    for _ in range(count):
        varint(r); r.i8(); varint(r); varint(r)  # length, attributes, ts delta, offset delta
        n = varint(r); key = None if n < 0 else r.take(n)
        n = varint(r); value = None if n < 0 else r.take(n)
        headers = []
        for _ in range(varint(r)):
            hk = r.take(varint(r)).decode()
            n = varint(r)
            headers.append("%s=%s" % (hk, fmt_bytes(None if n < 0 else r.take(n))))
        out.append("%s=%s%s" % (fmt_bytes(key), fmt_bytes(value),
                                " [%s]" % ",".join(headers) if headers else ""))
    return out


def batch(b):
    attrs = struct.unpack_from(">h", b, 21)[0]
    pid, epoch, seq, count = struct.unpack_from(">qhii", b, 43)
    body, framing = decompress(attrs & 7, b[61:])
    return ("batch magic=%d codec=%s%s pid=%d epoch=%d baseSequence=%d records=%d: %s"
            % (b[16], CODECS[attrs & 7], " (%s)" % framing if framing else "",
               pid, epoch, seq, count, "; ".join(records(body, count))))


def subscription(meta):
    """Consumer protocol subscription: int16 version, topic names, ..."""
    r = cb.Reader(meta)
    return "version %d topics %s" % (r.i16(), ",".join(r.array(r.string)))


def assignment(meta):
    """Consumer protocol assignment: int16 version, (topic, partitions)..."""
    if not meta:
        return "empty"
    r = cb.Reader(meta)
    v = r.i16()
    tps = r.array(lambda: (r.string(), r.array(r.i32)))
    return "version %d %s" % (v, " ".join("%s%s" % (t, p) for t, p in tps))


def describe(api, v, req):
    g = req.get
    if api == 18:
        return ("software %s %s" % (g("software_name"), g("software_version"))
                if v >= 3 else "empty body")
    if api == 3:
        t = g("topics")
        what = "topics=null (all)" if t is None else (
            "topics=[] (%s)" % ("all" if v == 0 else "none") if not t else
            "topics=" + ",".join(t))
        return what + ("; allow_auto_topic_creation=%d" % g("allow_auto_create")
                       if v >= 4 else "")
    if api == 0:
        parts = ["acks=%d timeout_ms=%d transactional_id=%s"
                 % (g("acks"), g("timeout_ms"), g("transactional_id"))]
        for name, ps in g("topics"):
            for p, recs in ps:
                for b in cb.split_batches(recs):
                    parts.append("%s[%d] %s" % (name, p, batch(b)))
        return "; ".join(parts)
    if api == 1:
        tps = " ".join("%s[%d]@%d max_bytes=%d" % (t, p["partition"], p["fetch_offset"],
                                                   p["max_bytes"])
                       for t, ps in g("topics") for p in ps)
        extra = "".join("; %s=%s" % (k, g(k)) for k in
                        ("max_bytes", "isolation_level", "session_id",
                         "session_epoch", "rack_id") if k in req)
        return "max_wait_ms=%d min_bytes=%d%s; %s" % (
            g("max_wait_ms"), g("min_bytes"), extra, tps)
    if api == 2:
        return " ".join("%s[%d] timestamp=%d" % (t, p["partition"], p["timestamp"])
                        for t, ps in g("topics") for p in ps)
    if api == 10:
        return "key=%s" % g("key") + (" key_type=%d" % g("key_type") if v >= 1 else "")
    if api == 11:
        protos = ", ".join("%s(%s)" % (n, subscription(m)) for n, m in g("protocols"))
        return ("group=%s member_id=%r instance_id=%s protocol_type=%s "
                "session_timeout_ms=%d rebalance_timeout_ms=%s protocols: %s"
                % (g("group_id"), g("member_id"), g("group_instance_id"),
                   g("protocol_type"), g("session_timeout_ms"),
                   g("rebalance_timeout_ms"), protos))
    if api == 14:
        return "group=%s generation=%d member_id=%s assignments: %s" % (
            g("group_id"), g("generation_id"), g("member_id"),
            ", ".join("%s -> %s" % (m, assignment(a)) for m, a in g("assignments")))
    if api == 12:
        return "group=%s generation=%d member_id=%s" % (
            g("group_id"), g("generation_id"), g("member_id"))
    if api == 13:
        return "group=%s members=%s" % (g("group_id"), ",".join(m for m, _ in g("members")))
    if api == 8:
        tps = " ".join("%s[%d]=%d metadata=%r" % (t, p["partition"], p["offset"], p["metadata"])
                       for t, ps in g("topics") for p in ps)
        return "group=%s generation=%s member_id=%s%s; %s" % (
            g("group_id"), g("generation_id"), g("member_id"),
            " retention_time_ms=%d" % g("retention_time_ms") if "retention_time_ms" in req else "",
            tps)
    if api == 9:
        t = g("topics")
        return "group=%s topics=%s%s" % (
            g("group_id"), "null (all)" if t is None else
            " ".join("%s%s" % (n, ps) for n, ps in t),
            "; require_stable=%d" % g("require_stable") if "require_stable" in req else "")
    if api == 19:
        return "; ".join(
            "%s partitions=%d replication_factor=%d configs=%s" % (
                t["name"], t["num_partitions"], t["replication_factor"],
                ",".join("%s=%s" % c for c in t["configs"]))
            for t in g("topics")) + "; timeout_ms=%d validate_only=%s" % (
                g("timeout_ms"), g("validate_only"))
    if api == 20:
        return "topics=%s timeout_ms=%d" % (",".join(g("topics")), g("timeout_ms"))
    if api == 22:
        return "transactional_id=%s transaction_timeout_ms=%d%s" % (
            g("transactional_id"), g("transaction_timeout_ms"),
            " producer_id=%d producer_epoch=%d" % (g("producer_id"), g("producer_epoch"))
            if "producer_id" in req else "")
    return ""


def main():
    data_dir = sys.argv[1]
    print("file\tclient\tapi_key\tapi_version\tcontents")
    for name in sorted(f for f in os.listdir(data_dir) if f.endswith(".bin")):
        with open(os.path.join(data_dir, name), "rb") as f:
            frame = f.read()
        api, v, corr, client_id, r = cb.parse_header(frame)
        req = cb.PARSERS[api](r, v)
        if r.pos != len(frame):
            sys.exit("%s: %d trailing bytes not understood" % (name, len(frame) - r.pos))
        label = name.split("_")[0]
        client = CLIENTS[label.split("-")[0]]
        flexible = " flexible (header v2)" if cb.is_flexible(api, v) else ""
        contents = "%s%s; client_id=%s; %s" % (
            cb.API_NAMES[api], flexible, client_id, describe(api, v, req))
        print("\t".join([name, client, str(api), str(v), contents]))


if __name__ == "__main__":
    main()
