"""Hand-built Kafka frames for the bad-input tests (standard library only).

Only what those tests need: request header v1, ApiVersions v0, Metadata v1, Produce v3/v7,
record batch v2 (CRC-32C), a response reader, and a socket wrapper that tells "closed by the
broker" from "nothing yet".
"""

import socket
import struct
import time

# ------------------------------------------------------------------------------------- CRC-32C


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# ------------------------------------------------------------------------------------- encoding


def i8(v):
    return struct.pack(">b", v)


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def string(s):
    if s is None:
        return i16(-1)
    b = s.encode() if isinstance(s, str) else s
    return i16(len(b)) + b


def nbytes(b):
    if b is None:
        return i32(-1)
    return i32(len(b)) + b


def array(items):
    if items is None:
        return i32(-1)
    return i32(len(items)) + b"".join(items)


def uvarint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def varint(n):
    return uvarint((n << 1) ^ (n >> 63))


def request(api_key, version, correlation_id, body, client_id="keel-it-raw"):
    """A framed request with header v1 (every non-flexible version)."""
    payload = i16(api_key) + i16(version) + i32(correlation_id) + string(client_id) + body
    return i32(len(payload)) + payload


def request_v2(api_key, version, correlation_id, body, client_id="keel-it-raw"):
    """A framed request with header v2 (flexible versions): header v1 + empty tagged fields."""
    payload = (i16(api_key) + i16(version) + i32(correlation_id) + string(client_id) + b"\x00"
               + body)
    return i32(len(payload)) + payload


def compact_string(s):
    b = s.encode()
    return uvarint(len(b) + 1) + b


# ------------------------------------------------------------------------------------- records


def record(offset_delta, key, value, headers=(), timestamp_delta=0):
    body = bytearray()
    body += i8(0)
    body += varint(timestamp_delta)
    body += varint(offset_delta)
    body += varint(-1) if key is None else varint(len(key)) + key
    body += varint(-1) if value is None else varint(len(value)) + value
    body += varint(len(headers))
    for hk, hv in headers:
        hkb = hk.encode()
        body += varint(len(hkb)) + hkb
        body += varint(-1) if hv is None else varint(len(hv)) + hv
    return varint(len(body)) + bytes(body)


def record_batch(records, base_timestamp=None, attributes=0, records_blob=None,
                 record_count=None, corrupt_crc=False, magic=2, batch_length_delta=0):
    """A record batch v2. `records` is a list of (key, value, headers). `records_blob` replaces
    the encoded records area (e.g. a compressed or garbage one)."""
    if base_timestamp is None:
        base_timestamp = int(time.time() * 1000)
    if records_blob is None:
        records_blob = b"".join(record(i, k, v, h) for i, (k, v, h) in enumerate(records))
    count = len(records) if record_count is None else record_count
    after_crc = (i16(attributes) + i32(max(count - 1, 0)) + i64(base_timestamp)
                 + i64(base_timestamp) + i64(-1) + i16(-1) + i32(-1) + i32(count) + records_blob)
    crc = crc32c(after_crc)
    if corrupt_crc:
        crc ^= 0x5A5A5A5A
    after_length = i32(0) + i8(magic) + struct.pack(">I", crc) + after_crc
    return i64(0) + i32(len(after_length) + batch_length_delta) + after_length


def produce_request(correlation_id, topic, partition, records_bytes, version=3, acks=-1,
                    timeout_ms=10000):
    body = bytearray()
    if version >= 3:
        body += string(None)  # transactional id
    body += i16(acks) + i32(timeout_ms)
    body += array([string(topic) + array([i32(partition) + nbytes(records_bytes)])])
    return request(0, version, correlation_id, bytes(body))


def parse_produce_response(body, version):
    """Returns ({(topic, partition): (error_code, base_offset)}, throttle_ms) for v3..v8."""
    r = Reader(body)
    out = {}
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            partition = r.i32()
            error = r.i16()
            base_offset = r.i64()
            if version >= 2:
                r.i64()  # log append time
            if version >= 5:
                r.i64()  # log start offset
            if version >= 8:
                for _ in range(r.i32()):
                    r.i32()
                    r.string()
                r.string()
            out[(topic, partition)] = (error, base_offset)
    throttle = r.i32() if version >= 1 else 0
    return out, throttle


def metadata_request(correlation_id, topics=None, version=1):
    return request(3, version, correlation_id, array(None if topics is None else
                                                     [string(t) for t in topics]))


def api_versions_request(correlation_id, version=0):
    if version >= 3:  # flexible: header v2, client software name and version
        body = compact_string("keel-it") + compact_string("1.0") + b"\x00"
        return request_v2(18, version, correlation_id, body)
    return request(18, version, correlation_id, b"")


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def _take(self, fmt):
        v = struct.unpack_from(fmt, self.data, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return v

    def i16(self):
        return self._take(">h")

    def i32(self):
        return self._take(">i")

    def i64(self):
        return self._take(">q")

    def string(self):
        n = self.i16()
        if n < 0:
            return None
        s = self.data[self.pos:self.pos + n].decode()
        self.pos += n
        return s


# ------------------------------------------------------------------------------------- sockets


class RawConnection:
    """A plain TCP connection to the broker with bounded reads."""

    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self, data):
        self.sock.sendall(data)

    def read_response(self, timeout=10.0):
        """(correlation id, body) of the next response frame (header v0)."""
        self.sock.settimeout(timeout)
        size = struct.unpack(">i", self._exact(4))[0]
        if size < 4 or size > 64 << 20:
            raise AssertionError(f"bad response size {size}")
        frame = self._exact(size)
        return struct.unpack_from(">i", frame)[0], frame[4:]

    def _exact(self, n):
        buf = bytearray()
        deadline = time.monotonic() + self.sock.gettimeout()
        while len(buf) < n:
            if time.monotonic() > deadline:
                raise TimeoutError(f"read {len(buf)} of {n} bytes")
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError(f"closed by peer after {len(buf)} of {n} bytes")
            buf += chunk
        return bytes(buf)

    def closed_by_peer(self, timeout=5.0):
        """True if the broker closes the connection within `timeout` (EOF or reset); bytes it
        sends before closing are ignored. False if it is still open when the time is up."""
        deadline = time.monotonic() + timeout
        for _ in range(10000):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            except (ConnectionResetError, BrokenPipeError):
                return True
            if not chunk:
                return True
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
