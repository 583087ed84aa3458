"""kafkajs 2.2.4 (npm) against a real keel: admin createTopics/listTopics/metadata/
describeCluster/configs/createPartitions/deleteTopics, producer send (plain, gzip, acks 1/-1),
fetchTopicOffsets(ByTimestamp). What kafkajs produced is read back with confluent-kafka and
compared byte for byte.

kafkajs is installed with npm into $KAFKAJS_DIR (under the build tree) the first time and reused
afterwards. A kafkajs consumer group (two members, commits, a restarted member resuming after
the committed offsets) and the admin group APIs run in kafkajs_flows.js too."""

import base64
import fcntl
import json
import os
import shutil
import subprocess

import keel_harness as h

h.require_modules("confluent_kafka")

KAFKAJS_VERSION = "2.2.4"


def kafkajs_dir():
    return os.environ.get("KAFKAJS_DIR") or os.path.join(h.tmp_root(), "kafkajs")


def ensure_kafkajs():
    """Installs kafkajs once (a lock keeps parallel runs from installing twice). Returns the
    node_modules directory, or ends the process with the skip code when node/npm or the
    registry are not available."""
    node = shutil.which("node")
    npm = shutil.which("npm")
    if not node or not npm:
        h.skip_process("node and npm are needed for the kafkajs tests")
    prefix = kafkajs_dir()
    modules = os.path.join(prefix, "node_modules")
    marker = os.path.join(modules, "kafkajs", "package.json")

    def installed():
        try:
            with open(marker) as f:
                return json.load(f).get("version") == KAFKAJS_VERSION
        except (OSError, ValueError):
            return False

    if installed():
        return modules
    os.makedirs(prefix, exist_ok=True)
    with open(os.path.join(prefix, ".install.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not installed():
            try:
                cp = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save",
                                     "--prefix", prefix, f"kafkajs@{KAFKAJS_VERSION}"],
                                    capture_output=True, timeout=240)
            except subprocess.TimeoutExpired:
                h.skip_process("npm install kafkajs timed out (registry unreachable?)")
            if cp.returncode != 0 or not installed():
                h.skip_process("npm install kafkajs failed:\n"
                               + cp.stderr.decode(errors="replace")[-2000:])
    return modules


class KafkajsTest(h.BrokerTestCase):
    broker_props = {"num.partitions": "1", "auto.create.topics.enable": "false"}

    @classmethod
    def setUpClass(cls):
        cls.node_modules = ensure_kafkajs()
        super().setUpClass()

    def test_admin_and_producer_flows(self):
        prefix = h.unique("kjs")
        out_path = os.path.join(self.broker.base, "kafkajs-out.json")
        env = dict(os.environ, NODE_PATH=self.node_modules, KAFKAJS_NO_PARTITIONER_WARNING="1")
        try:
            cp = subprocess.run(["node", os.path.join(h.HERE, "kafkajs_flows.js"),
                                 self.broker.bootstrap, prefix, out_path],
                                capture_output=True, timeout=170, env=env)
        except subprocess.TimeoutExpired as e:
            self.fail(f"kafkajs flows did not finish in 170 s; stderr:\n"
                      f"{(e.stderr or b'').decode(errors='replace')[-3000:]}")
        self.assertEqual(cp.returncode, 0, "kafkajs flows failed:\n"
                         + cp.stderr.decode(errors="replace")[-4000:])
        with open(out_path) as f:
            out = json.load(f)
        self.assertTrue(all(c["ok"] for c in out["checks"]), out["checks"])
        topic = out["topic"]

        sent = {}
        for s in out["sent"]:
            dec = lambda v: None if v is None else base64.b64decode(v)  # noqa: E731
            sent.setdefault(s["partition"], []).append({
                "offset": s["offset"], "key": dec(s["key"]), "value": dec(s["value"]),
                "headers": [(k, dec(v)) for k, v in s["headers"]] if s["headers"] else None,
                "timestamp": s["timestamp"]})
        self.assertEqual(sorted(sent), [0, 1, 2])
        counts = {p: len(v) for p, v in sent.items()}
        got = h.consume(self.broker.bootstrap, topic, {p: 0 for p in sent}, counts)
        for p, msgs in sent.items():
            self.assertEqual([m["offset"] for m in msgs], list(range(len(msgs))))
            h.assert_same_messages(self, msgs, got[p], 0, f"kafkajs partition {p}")
        # Partition 1 was sent gzip-compressed and is stored that way.
        codecs = {a & 7 for _, a, _ in self.broker.stored_batches(topic, 1)}
        self.assertEqual(codecs, {1})
        # The partitions createPartitions added exist and work.
        h.check_roundtrip(self.broker.bootstrap, topic, partition=4)


if __name__ == "__main__":
    h.main()
