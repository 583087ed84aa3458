"""keelctl against a real keel: topic create/list/describe/delete, cluster status, preferred
leader election and unregistering on one node (nothing to elect; it cannot remove itself), and
the exit codes scripts rely on (0 ok, 1 failed or unhealthy, 2 usage, 3 cannot connect)."""

import subprocess

import keel_harness as h

def keelctl(*args, timeout=30):
    return subprocess.run([h.keelctl_bin(), *args], capture_output=True, text=True, timeout=timeout)


class KeelctlTest(h.BrokerTestCase):
    broker_props = {"num.partitions": "2"}

    def run_ok(self, *args):
        cp = keelctl("--bootstrap-server", self.broker.bootstrap, *args)
        self.assertEqual(cp.returncode, 0, cp.stderr)
        return cp.stdout

    def test_topic_lifecycle(self):
        topic = h.unique("ctl")
        out = self.run_ok("topic", "create", "--topic", topic, "--partitions", "3",
                          "--config", "retention.ms=60000")
        self.assertIn(f"Created topic {topic} (3 partitions, replication 1)", out)
        self.assertIn(topic, self.run_ok("topic", "list").splitlines())
        described = self.run_ok("topic", "describe", "--topic", topic)
        self.assertIn(f"Topic: {topic}\tPartitionCount: 3\tReplicationFactor: 1", described)
        for p in range(3):
            self.assertIn(f"Partition: {p}\tLeader: 1\tReplicas: 1\tIsr: 1", described)
        again = keelctl("--bootstrap-server", self.broker.bootstrap, "topic", "create",
                        "--topic", topic)
        self.assertEqual(again.returncode, 1)
        self.assertIn("TOPIC_ALREADY_EXISTS", again.stderr)
        self.assertIn(f"Deleted topic {topic}", self.run_ok("topic", "delete", "--topic", topic))
        h.wait_until(lambda: topic not in self.run_ok("topic", "list").splitlines(), 10,
                     "the topic to disappear")
        gone = keelctl("--bootstrap-server", self.broker.bootstrap, "topic", "delete",
                       "--topic", topic)
        self.assertEqual(gone.returncode, 1)
        self.assertIn("UNKNOWN_TOPIC_OR_PARTITION", gone.stderr)

    def test_cluster_status_of_a_healthy_node(self):
        self.run_ok("topic", "create", "--topic", h.unique("ctl-status"))
        out = self.run_ok("cluster", "status")
        self.assertIn(f"broker 1 at {self.broker.bootstrap}", out)
        self.assertIn("0 offline and 0 under-replicated partitions", out)
        self.assertTrue(out.rstrip().endswith("healthy"), out)

    def test_elect_leaders_and_unregister_on_one_node(self):
        topic = h.unique("ctl-elect")
        self.run_ok("topic", "create", "--topic", topic, "--partitions", "2")
        out = self.run_ok("topic", "elect-leaders", "--topic", topic)
        for p in range(2):
            self.assertIn(f"{topic}-{p}: ELECTION_NOT_NEEDED", out)
        self.assertIn(f"{topic}-1: ELECTION_NOT_NEEDED",
                      self.run_ok("topic", "elect-leaders", "--topic", topic, "--partition", "1"))
        self.assertIn("every partition is led by its preferred replica",
                      self.run_ok("cluster", "elect-leaders"))
        missing = keelctl("--bootstrap-server", self.broker.bootstrap, "topic", "elect-leaders",
                          "--topic", topic, "--partition", "9")
        self.assertEqual(missing.returncode, 1)
        self.assertIn("UNKNOWN_TOPIC_OR_PARTITION", missing.stdout)
        itself = keelctl("--bootstrap-server", self.broker.bootstrap, "cluster", "unregister",
                         "--node", "1")
        self.assertEqual(itself.returncode, 1)
        self.assertIn("INVALID_REQUEST", itself.stderr)
        self.assertEqual(keelctl("topic", "elect-leaders", "--partition", "0").returncode, 2)

    def test_exit_codes_for_usage_and_unreachable(self):
        self.assertEqual(keelctl("topic", "frob").returncode, 2)
        self.assertEqual(keelctl("--partitions", "zero", "topic", "list").returncode, 2)
        cp = keelctl("--bootstrap-server", f"127.0.0.1:{h.free_port()}", "--timeout-ms", "2000",
                     "cluster", "status")
        self.assertEqual(cp.returncode, 3, cp.stderr)
        self.assertIn("cannot connect", cp.stderr)


if __name__ == "__main__":
    h.main()
