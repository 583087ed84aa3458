"""Harness for Keel's integration tests: real `keel` processes on 127.0.0.1, real clients.

Environment (tests/integration/CMakeLists.txt sets it; the defaults suit a manual run):
  KEEL_BIN      the keel binary                 (default <repo>/build/broker/keel)
  KCAT          kcat                            (default: found on PATH)
  KEEL_IT_TMP   broker data dirs and logs       (default <tmp>/keel-it)
  KAFKAJS_DIR   npm --prefix for kafkajs        (default <KEEL_IT_TMP>/kafkajs)
  KEEL_IT_KEEP  set to 1 to keep data dirs and logs even when every test passed

A test file is a plain unittest module ending in `main()` from here; it exits 77 (ctest
SKIP_RETURN_CODE) when a client library it needs is missing. Every wait is bounded in time
and in iterations; a broker that dies or does not become ready fails the test with the tail
of its stderr.
"""

import base64
import os
import re
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
from pathlib import Path

SKIP_RETURN_CODE = 77
REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

# Readiness budget: the whole start (process spawn to a working Metadata request).
READY_TIMEOUT = 20.0
# A graceful stop (SIGTERM) must end with exit code 0 within this.
STOP_TIMEOUT = 30.0


# ---------------------------------------------------------------------------------------------
# Environment


def keel_bin():
    return os.environ.get("KEEL_BIN") or str(REPO / "build" / "broker" / "keel")


def keelctl_bin():
    """The keelctl binary (KEELCTL_BIN from ctest); a missing one fails the test."""
    path = os.environ.get("KEELCTL_BIN") or str(REPO / "build" / "tools" / "keelctl" / "keelctl")
    if not os.path.exists(path):
        print(f"keelctl binary not found at {path} (set KEELCTL_BIN)", file=sys.stderr)
        sys.exit(1)
    return path


def kcat_bin():
    path = os.environ.get("KCAT")
    if path and not path.endswith("-NOTFOUND"):
        return path
    return shutil.which("kcat")


def tmp_root():
    root = os.environ.get("KEEL_IT_TMP") or os.path.join(tempfile.gettempdir(), "keel-it")
    os.makedirs(root, exist_ok=True)
    return root


def skip_process(reason):
    """A missing prerequisite. scripts/install-deps.sh installs every one, so by default this
    is a failure (CI must not pass by skipping); KEEL_IT_ALLOW_SKIP=1 turns it into ctest's
    skip code for machines set up by hand."""
    if os.environ.get("KEEL_IT_ALLOW_SKIP") == "1":
        print(f"SKIPPED: {reason}", file=sys.stderr)
        sys.exit(SKIP_RETURN_CODE)
    print(f"FAILED: missing prerequisite: {reason} (set KEEL_IT_ALLOW_SKIP=1 to skip)",
          file=sys.stderr)
    sys.exit(1)


def require_modules(*names):
    for name in names:
        try:
            __import__(name)
        except ImportError as e:
            skip_process(f"python module {name} is not installed ({e}); "
                         "scripts/install-deps.sh installs it")


def require_keel():
    path = keel_bin()
    if not os.access(path, os.X_OK):
        # Not a skip: ctest only registers these tests when the keel target exists.
        print(f"keel binary not found at {path} (set KEEL_BIN)", file=sys.stderr)
        sys.exit(1)


def main():
    require_keel()
    unittest.main(verbosity=2)


def unique(prefix):
    """A topic name used by one test only."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what, interval=0.05):
    """Calls predicate until it returns something truthy; bounded in time and in calls."""
    deadline = time.monotonic() + timeout
    max_calls = int(timeout / interval) + 2
    last_error = None
    for _ in range(max_calls):
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - the last failure is reported below
            last_error = e
        if time.monotonic() >= deadline:
            break
        time.sleep(interval)
    detail = f" (last error: {last_error!r})" if last_error else ""
    raise TimeoutError(f"timed out after {timeout:.1f} s waiting for {what}{detail}")


# ---------------------------------------------------------------------------------------------
# Broker processes

_ALL_BROKERS = []


class BrokerError(AssertionError):
    pass


class Broker:
    """One keel process. The data dir and port are kept across restarts of the same object."""

    def __init__(self, name, props=None, port=None, extra_args=None):
        self.name = name
        # Directories kept by an earlier failing run of the same broker are dropped: only the
        # latest failure of each test is kept.
        for old in Path(tmp_root()).glob(f"{name}-*"):
            if old.is_dir() and "-" not in old.name[len(name) + 1:]:
                shutil.rmtree(old, ignore_errors=True)
        self.base = tempfile.mkdtemp(prefix=f"{name}-", dir=tmp_root())
        self.data_dir = os.path.join(self.base, "data")
        self._fixed_port = port is not None
        self.port = port or free_port()
        self.props = dict(props or {})
        self.extra_args = list(extra_args or [])
        self.proc = None
        self.starts = 0
        self.log_paths = []
        _ALL_BROKERS.append(self)

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def command(self):
        props = {
            "node.id": "1",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "log.dirs": self.data_dir,
        }
        props.update(self.props)
        return [keel_bin(), *self.extra_args, *[f"{k}={v}" for k, v in props.items()]]

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self, wait=True, timeout=READY_TIMEOUT):
        attempts = 1 if (self._fixed_port or self.starts > 0) else 3
        for attempt in range(attempts):
            self._spawn()
            if not wait:
                return self
            try:
                self.wait_ready(timeout)
                return self
            except BrokerError:
                # Another process may have taken the port we picked between bind and start.
                if (attempt + 1 < attempts and not self.alive()
                        and "in use" in self.stderr_text().lower()):
                    self.port = free_port()
                    continue
                raise
        return self

    def _spawn(self):
        assert not self.alive(), "broker already running"
        self.starts += 1
        log_path = os.path.join(self.base, f"stderr-{self.starts}.log")
        self.log_paths.append(log_path)
        with open(log_path, "wb") as log:
            log.write(("$ " + " ".join(self.command()) + "\n").encode())
            log.flush()
            # glibc's fatal messages ("free(): invalid size") go to the tty unless told otherwise.
            env = dict(os.environ, LIBC_FATAL_STDERR_="1")
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=log, start_new_session=True, env=env)

    def wait_ready(self, timeout=READY_TIMEOUT):
        """TCP connect + ApiVersions, then a Metadata request through librdkafka."""
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.05) + 2):
            if not self.alive():
                raise BrokerError(f"keel stopped while starting ({self.exit_description()})"
                                  f"\n{self.describe_tail()}")
            if api_versions_ok(self.port):
                break
            if time.monotonic() >= deadline:
                raise BrokerError(f"keel did not answer ApiVersions on {self.bootstrap} within "
                                  f"{timeout:.0f} s\n{self.describe_tail()}")
            time.sleep(0.05)
        remaining = max(1.0, deadline - time.monotonic())
        try:
            md = metadata(self.bootstrap, timeout=remaining)
        except Exception as e:  # noqa: BLE001
            raise BrokerError(f"keel answered ApiVersions but Metadata failed: {e!r}\n"
                              f"{self.describe_tail()}") from e
        if not md.brokers:
            raise BrokerError(f"Metadata lists no brokers\n{self.describe_tail()}")
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def exit_description(self):
        if self.proc is None or self.proc.poll() is None:
            return "running"
        rc = self.proc.returncode
        if rc < 0:
            try:
                return f"killed by {signal.Signals(-rc).name}"
            except ValueError:
                return f"killed by signal {-rc}"
        return f"exit code {rc}"

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM; returns the exit code. Fails if the process does not exit in time."""
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise BrokerError(f"keel did not exit within {timeout:.0f} s of SIGTERM\n"
                              f"{self.describe_tail()}")

    def stop_ok(self, testcase=None, timeout=STOP_TIMEOUT):
        """Graceful stop that must exit 0."""
        started = time.monotonic()
        rc = self.stop(timeout)
        took = time.monotonic() - started
        if rc != 0:
            raise BrokerError(f"keel exited with code {rc} after SIGTERM (expected 0)\n"
                              f"{self.describe_tail()}")
        return took

    def kill9(self):
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def restart(self, graceful=True, timeout=READY_TIMEOUT):
        if graceful:
            self.stop_ok()
        else:
            self.kill9()
        return self.start(timeout=timeout)

    def cleanup(self, keep=False):
        if self.alive():
            self.kill9()
        if not keep and os.environ.get("KEEL_IT_KEEP") != "1":
            shutil.rmtree(self.base, ignore_errors=True)

    # -- logs -----------------------------------------------------------------------------------

    def stderr_text(self, index=-1):
        if not self.log_paths:
            return ""
        try:
            with open(self.log_paths[index], "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def describe_tail(self, lines=40):
        text = self.stderr_text()
        tail = "\n".join(text.splitlines()[-lines:])
        where = self.log_paths[-1] if self.log_paths else "(never started)"
        return f"--- tail of keel stderr ({where}) ---\n{tail}\n--- end of keel stderr ---"

    # -- data dir -------------------------------------------------------------------------------

    def partition_dir(self, topic, partition):
        return os.path.join(self.data_dir, f"{topic}-{partition}")

    def stored_batches(self, topic, partition):
        """(base offset, attributes, record count) of every batch in the partition's segments."""
        out = []
        pdir = self.partition_dir(topic, partition)
        for name in sorted(os.listdir(pdir)):
            if not name.endswith(".log"):
                continue
            with open(os.path.join(pdir, name), "rb") as f:
                data = f.read()
            pos = 0
            while pos + 61 <= len(data):
                base_offset, batch_len = struct.unpack_from(">qi", data, pos)
                if batch_len <= 0 or pos + 12 + batch_len > len(data):
                    break
                attributes = struct.unpack_from(">h", data, pos + 21)[0]
                count = struct.unpack_from(">i", data, pos + 57)[0]
                out.append((base_offset, attributes, count))
                pos += 12 + batch_len
        return out


class Cluster:
    """`size` keel processes in combined mode (broker and controller voter each), sharing one
    cluster id; node i (1-based) is self.nodes[i - 1]. `props` apply to every node."""

    def __init__(self, name, size=3, props=None):
        ports = [free_port() for _ in range(size)]
        voters = ",".join(f"{i + 1}@127.0.0.1:{p}" for i, p in enumerate(ports))
        # 16 random bytes in base64url without padding: Kafka's cluster id form.
        self.cluster_id = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
        self.voters = voters
        self.props = dict(props or {})
        self.nodes = []
        for i in range(size):
            node = Broker(f"{name}{i + 1}", {
                "node.id": str(i + 1),
                "cluster.id": self.cluster_id,
                "controller.quorum.voters": voters,
                "controller.listener.names": "CONTROLLER",
                "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                **(props or {}),
            })
            node.props["listeners"] = (f"PLAINTEXT://127.0.0.1:{node.port},"
                                       f"CONTROLLER://127.0.0.1:{ports[i]}")
            self.nodes.append(node)

    def node(self, node_id):
        return self.nodes[node_id - 1]

    def add_broker(self, name, node_id):
        """A broker-only node (process.roles=broker) following the quorum as an observer;
        call start() on it, it is stopped with the cluster."""
        node = Broker(name, {
            "node.id": str(node_id),
            "process.roles": "broker",
            "cluster.id": self.cluster_id,
            "controller.quorum.voters": self.voters,
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            **self.props,
        })
        self.nodes.append(node)
        return node

    def alive(self):
        return [n for n in self.nodes if n.alive()]

    @staticmethod
    def node_id(node):
        return int(node.props["node.id"])

    def bootstrap(self, nodes=None):
        return ",".join(n.bootstrap for n in (nodes or self.alive()))

    def start(self, timeout=READY_TIMEOUT):
        for node in self.nodes:
            node.start(wait=False)
        # A node answers Metadata with no brokers until the quorum has a leader and it is
        # registered (librdkafka gives up on that): wait for the listeners, then registration.
        for node in self.nodes:
            wait_until(lambda: api_versions_ok(node.port) or not node.alive(), timeout,
                       f"{node.name} to listen")
            if not node.alive():
                raise BrokerError(f"keel stopped while starting\n{node.describe_tail()}")
        self.wait_registered(self.nodes, timeout)
        return self

    def restart(self, node, timeout=READY_TIMEOUT):
        """Starts a stopped node again and waits until every node lists every live node."""
        node.start(wait=False)
        wait_until(lambda: api_versions_ok(node.port) or not node.alive(), timeout,
                   f"{node.name} to listen")
        self.wait_registered(self.alive(), timeout)

    def wait_registered(self, nodes, timeout=READY_TIMEOUT):
        """Until every node in `nodes` answers Metadata listing exactly those brokers."""
        want = sorted(self.node_id(n) for n in nodes)

        def registered():
            for n in nodes:
                try:
                    md = metadata(n.bootstrap, timeout=2.0)
                except Exception:  # noqa: BLE001
                    return False
                if sorted(md.brokers) != want:
                    return False
            return True

        wait_until(registered, timeout, f"brokers {want} registered and unfenced", 0.05)

    def controller_id(self, via, timeout=5.0):
        """The active controller (the quorum leader) as DescribeQuorum through `via` tells."""
        cp = subprocess.run([keelctl_bin(), "--bootstrap-server", via.bootstrap, "--timeout-ms",
                             "1000", "cluster", "status"], capture_output=True, text=True,
                            timeout=timeout + 5)
        m = re.search(r"quorum: leader (-?\d+), epoch (\d+)", cp.stdout)
        return int(m.group(1)) if m else -1

    def wait_controller(self, alive, timeout, other_than=None):
        """Until the live nodes agree on a live active controller (not `other_than`)."""
        ids = [self.node_id(n) for n in alive]
        found = {}

        def agreed():
            seen = {self.controller_id(n) for n in alive}
            if len(seen) != 1:
                return False
            c = seen.pop()
            if c not in ids or c == other_than:
                return False
            found["id"] = c
            return True

        wait_until(agreed, timeout, "the live nodes to agree on a live controller", 0.05)
        return found["id"]

    def stop(self, keep=False):
        for node in self.nodes:
            if node.alive():
                node.stop()
            node.cleanup(keep=keep)


class ClusterTestCase(unittest.TestCase):
    """Tests on a fresh Cluster each (`self.cluster`, made by make_cluster()). On a failure the
    nodes' log tails are printed and their data dirs kept (under KEEL_IT_TMP)."""

    def make_cluster(self):
        raise NotImplementedError

    def setUp(self):
        self.cluster = self.make_cluster()
        self.cluster.start()

    def run(self, result=None):
        before = _problems(result)
        out = super().run(result)
        failed = result is not None and _problems(result) > before
        cluster = getattr(self, "cluster", None)
        if cluster is not None:
            if failed:
                for node in cluster.nodes:
                    print(f"\n[{node.name}] data dir {node.base}\n{node.describe_tail()}",
                          file=sys.stderr)
            cluster.stop(keep=failed)
        return out


def dump_all_broker_logs(stream=sys.stderr):
    for b in _ALL_BROKERS:
        if b.log_paths:
            print(f"\n[{b.name}] data dir {b.base}", file=stream)
            print(b.describe_tail(), file=stream)


def api_versions_ok(port, timeout=1.0):
    """True if a raw ApiVersions v0 request on a fresh connection gets error code 0."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            client = b"keel-harness"
            body = struct.pack(">hhih", 18, 0, 7, len(client)) + client
            s.sendall(struct.pack(">i", len(body)) + body)
            head = recv_exact(s, 4)
            size = struct.unpack(">i", head)[0]
            if size < 6 or size > 1 << 20:
                return False
            resp = recv_exact(s, size)
            corr, err = struct.unpack_from(">ih", resp, 0)
            return corr == 7 and err == 0
    except (OSError, ValueError, struct.error):
        return False


def recv_exact(sock, n):
    buf = bytearray()
    for _ in range(n + 1):
        if len(buf) >= n:
            break
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError(f"connection closed after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


# ---------------------------------------------------------------------------------------------
# Test case base


class BrokerTestCase(unittest.TestCase):
    """One broker per test class (class attribute `broker`), started with `broker_props`.

    After every test the broker must still be alive; at the end of the class it must stop
    gracefully with exit code 0. When a test fails, the stderr tails of every broker this
    process started are printed.
    """

    broker_props = {}
    broker = None
    _had_failure = False

    @classmethod
    def setUpClass(cls):
        cls._had_failure = False
        cls.broker = Broker(cls.__name__, cls.broker_props)
        try:
            cls.broker.start()
        except Exception:
            cls.broker.cleanup(keep=True)
            raise

    @classmethod
    def tearDownClass(cls):
        b = cls.broker
        if b is None:
            return
        try:
            if b.alive():
                b.stop_ok()
        finally:
            b.cleanup(keep=cls._had_failure)

    def setUp(self):
        # A broker that died in an earlier test (already reported there) is restarted on the
        # same data dir, so every test still runs against a live broker.
        b = type(self).broker
        if b is not None and b.proc is not None and not b.alive():
            print(f"\n[{b.name}] restarting keel, which died in an earlier test "
                  f"({b.exit_description()})", file=sys.stderr)
            b.start()

    def tearDown(self):
        b = type(self).broker
        if b is not None and b.proc is not None and not b.alive():
            self.fail(f"keel is no longer running ({b.exit_description()})\n"
                      f"{b.describe_tail()}")

    def run(self, result=None):
        before = _problems(result)
        out = super().run(result)
        if result is not None and _problems(result) > before:
            type(self)._had_failure = True
            dump_all_broker_logs()
        return out


class BrokerPerTestCase(unittest.TestCase):
    """A fresh broker for every test (attributes `broker`, `boot`), started with `broker_props`.

    After the test the broker must stop gracefully; if it does not, its data dir is kept. When
    a test fails, `describe_failure()` and the stderr tails of every broker are printed.
    """

    broker_props = {}

    def setUp(self):
        self.broker = Broker(self.id().rsplit(".", 1)[-1], self.broker_props)
        self.broker.start()
        self.boot = self.broker.bootstrap
        self._stopped_ok = False

    def close_clients(self):
        """Stops what the test started beside the broker; runs before the broker stops."""

    def describe_failure(self):
        """Prints whatever else explains a failed test."""

    def tearDown(self):
        try:
            self.close_clients()
            if self.broker.alive():
                self.broker.stop_ok()
            self._stopped_ok = True
        finally:
            self.broker.cleanup(keep=not self._stopped_ok)

    def run(self, result=None):
        before = _problems(result)
        out = super().run(result)
        if result is not None and _problems(result) > before:
            self.describe_failure()
            dump_all_broker_logs()
        return out


def _problems(result):
    if result is None:
        return 0
    return len(result.failures) + len(result.errors) + len(getattr(result, "unexpectedSuccesses", []))


# ---------------------------------------------------------------------------------------------
# confluent-kafka helpers (imported lazily so config tests need no client library)


def ck():
    import confluent_kafka

    return confluent_kafka


def admin(bootstrap, **conf):
    from confluent_kafka.admin import AdminClient

    return AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 10000, **conf})


def metadata(bootstrap, topic=None, timeout=10.0):
    return admin(bootstrap).list_topics(topic=topic, timeout=timeout)


def wait_topic(bootstrap, topic, partitions, timeout=15.0):
    """Waits until Metadata shows `topic` with `partitions` partitions, each with a leader."""

    def ready():
        md = metadata(bootstrap, topic, timeout=5.0)
        t = md.topics.get(topic)
        if t is None or t.error is not None or len(t.partitions) != partitions:
            return None
        if any(p.leader < 0 or p.error is not None for p in t.partitions.values()):
            return None
        return t

    return wait_until(ready, timeout, f"topic {topic} with {partitions} partitions", 0.1)


def create_topic(bootstrap, topic, partitions=1, config=None, timeout=15.0):
    from confluent_kafka.admin import NewTopic

    a = admin(bootstrap)  # must outlive the future: a destroyed client fails it (_DESTROY)
    fs = a.create_topics([NewTopic(topic, partitions, 1, config=dict(config or {}))],
                         operation_timeout=10, request_timeout=15)
    fs[topic].result(timeout)
    return wait_topic(bootstrap, topic, partitions, timeout)


def producer(bootstrap, **conf):
    # batch.size below the smallest message.max.bytes a test broker uses (300 kB).
    base = {"bootstrap.servers": bootstrap, "linger.ms": 5, "message.timeout.ms": 30000,
            "socket.timeout.ms": 10000, "batch.size": 200000}
    base.update(conf)
    return ck().Producer(base)


def produce_all(prod, topic, messages, timeout=60.0):
    """Produces dicts (partition, key, value, headers, timestamp) and waits for every delivery
    report. Returns [(partition, offset)] in input order; raises on any delivery error."""
    results = [None] * len(messages)
    errors = []

    def report(i):
        def cb(err, msg):
            if err is not None:
                errors.append((i, err))
            results[i] = (msg.partition(), msg.offset())

        return cb

    for i, m in enumerate(messages):
        kwargs = {k: m[k] for k in ("partition", "key", "value", "headers", "timestamp")
                  if m.get(k) is not None}
        for _ in range(1000):  # bounded retry when the local queue is full
            try:
                prod.produce(topic, on_delivery=report(i), **kwargs)
                break
            except BufferError:
                prod.poll(0.05)
        else:
            raise AssertionError("producer queue stayed full")
        prod.poll(0)
    remaining = prod.flush(timeout)
    if remaining:
        raise AssertionError(f"{remaining} messages not delivered within {timeout} s")
    if errors:
        i, err = errors[0]
        raise AssertionError(f"{len(errors)} delivery errors; first: message {i}: {err}")
    return results


def consumer(bootstrap, **conf):
    # group.id is required by confluent-kafka but never used: no subscribe, no commits.
    base = {"bootstrap.servers": bootstrap, "group.id": "keel-it-never-used",
            "enable.auto.commit": False, "enable.auto.offset.store": False,
            "auto.offset.reset": "error", "socket.timeout.ms": 10000,
            "enable.partition.eof": False, "api.version.request": True}
    base.update(conf)
    return ck().Consumer(base)


def consume(bootstrap, topic, starts, counts, timeout=60.0, **conf):
    """Reads counts[p] messages from each partition p starting at starts[p] (assign, no group).
    Returns {p: [Message]}; fails with what was missing if the deadline passes. Stops early with
    an error on a consumer error event."""
    from confluent_kafka import TopicPartition

    c = consumer(bootstrap, **conf)
    try:
        c.assign([TopicPartition(topic, p, starts[p]) for p in counts])
        got = {p: [] for p in counts}
        deadline = time.monotonic() + timeout
        want = sum(counts.values())
        total = 0
        for _ in range(100000):
            if total >= want or time.monotonic() > deadline:
                break
            batch = c.consume(num_messages=2000, timeout=0.5)
            for m in batch:
                if m.error() is not None:
                    raise AssertionError(f"consumer error on {topic}: {m.error()}")
                p = m.partition()
                if len(got[p]) < counts[p]:
                    got[p].append(m)
                    total += 1
        if total < want:
            have = {p: len(v) for p, v in got.items()}
            raise AssertionError(f"consumed {have} of {counts} from {topic} within {timeout} s")
        return got
    finally:
        c.close()


def watermarks(bootstrap, topic, partition, timeout=10.0):
    from confluent_kafka import TopicPartition

    c = consumer(bootstrap)
    try:
        return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=timeout,
                                       cached=False)
    finally:
        c.close()


def random_messages(rng, n, partition=None, headers=True, null_rate=0.05, max_len=200):
    """Random binary keys/values (some null, some empty) and headers."""
    out = []
    for i in range(n):
        key = None if rng.random() < null_rate else rng.randbytes(rng.randint(0, 32))
        value = None if rng.random() < null_rate else rng.randbytes(rng.randint(0, max_len))
        hdrs = None
        if headers and rng.random() < 0.3:
            # Header values are never null here: confluent-kafka 1.7.0's Message.headers()
            # drops a reference to None for each null header value, and a few thousand of them
            # abort the interpreter ("none_dealloc"). test_bad_input covers null header values.
            hdrs = [(f"h{j}", rng.randbytes(rng.randint(0, 16)))
                    for j in range(rng.randint(1, 3))]
        out.append({"partition": partition, "key": key, "value": value, "headers": hdrs,
                    "index": i})
    return out


def assert_same_messages(tc, sent, got, first_offset=0, what=""):
    """Byte-exact comparison of produced dicts with consumed confluent Messages, in order."""
    tc.assertEqual(len(got), len(sent), f"{what}: count")
    for i, (s, m) in enumerate(zip(sent, got)):
        ctx = f"{what}: message {i} (offset {m.offset()})"
        tc.assertEqual(m.offset(), first_offset + i, ctx + ": offset")
        tc.assertEqual(m.key(), s["key"], ctx + ": key")
        tc.assertEqual(m.value(), s["value"], ctx + ": value")
        want_headers = s.get("headers") or None
        tc.assertEqual(m.headers() or None, want_headers, ctx + ": headers")
        if s.get("timestamp") is not None:
            tc.assertEqual(m.timestamp()[1], s["timestamp"], ctx + ": timestamp")


def check_roundtrip(bootstrap, topic, partition=0, timeout=20.0):
    """A fresh producer and consumer still work: produce one message, read it back."""
    rng = random.Random()
    value = b"health-" + rng.randbytes(8)
    p = producer(bootstrap)
    [(part, offset)] = produce_all(p, topic, [{"partition": partition, "key": b"k",
                                                 "value": value}], timeout=timeout)
    got = consume(bootstrap, topic, {partition: offset}, {partition: 1}, timeout=timeout)
    m = got[partition][0]
    if m.value() != value or m.offset() != offset:
        raise AssertionError(f"health check read back {m.value()!r}@{m.offset()}, "
                             f"expected {value!r}@{offset}")
    return offset


# ---------------------------------------------------------------------------------------------
# kcat


def run_kcat(args, input_bytes=None, timeout=30.0, check=True):
    kcat = kcat_bin()
    if not kcat:
        raise AssertionError("kcat not found (set KCAT)")
    try:
        cp = subprocess.run([kcat, *args], input=input_bytes, capture_output=True,
                            timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"kcat {' '.join(args)} did not finish within {timeout} s; "
                             f"stderr: {(e.stderr or b'').decode(errors='replace')[-2000:]}")
    if check and cp.returncode != 0:
        raise AssertionError(f"kcat {' '.join(args)} exited {cp.returncode}; stderr:\n"
                             f"{cp.stderr.decode(errors='replace')[-3000:]}")
    return cp
