"""Consumer groups against a real keel: kcat -G, confluent-kafka and kafka-python members in
their own processes (so one can be killed), committed offsets across consumer restarts and a
broker kill -9, static membership, cooperative-sticky, and the admin group APIs of
confluent-kafka and kafka-python. Short session timeouts keep it fast."""

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time

import keel_harness as h

h.require_modules("confluent_kafka", "kafka")

MEMBER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "group_member.py")
BROKER_PROPS = {
    "num.partitions": "1",
    "offsets.topic.num.partitions": "4",
    "group.initial.rebalance.delay.ms": "1000",
    "group.min.session.timeout.ms": "1000",
}


class Member:
    """A group_member.py process and the lines it printed."""

    def __init__(self, lib, boot, topic, group, **opts):
        self.lines = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen([sys.executable, MEMBER, lib, boot, topic, group,
                                      json.dumps(opts)], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            with self.lock:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def snapshot(self):
        with self.lock:
            return list(self.lines)

    def msgs(self):
        out = []
        for line in self.snapshot():
            if line.startswith("MSG "):
                _, p, o, v = line.split(" ", 3)
                out.append((int(p), int(o), v))
        return out

    def events(self, kind):
        return [line[len(kind) + 1:] for line in self.snapshot() if line.startswith(kind + " ")]

    def assignments(self):
        return [sorted(int(x) for x in a.split(",") if x) for a in self.events("ASSIGN")]

    def commit_failures(self):
        return len(self.events("COMMITFAIL"))

    def leave(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout)
        self.reader.join(5)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.reader.join(5)

    def close(self):
        self.kill()
        self.proc.stdout.close()

    def describe(self):
        return "\n".join(self.snapshot()[-30:])


class GroupsTest(h.BrokerPerTestCase):
    broker_props = BROKER_PROPS

    def setUp(self):
        super().setUp()
        self.members = []

    def close_clients(self):
        for m in self.members:
            m.close()

    def describe_failure(self):
        for m in self.members:
            print(f"--- member pid {m.proc.pid} ---\n{m.describe()}", file=sys.stderr)

    # -- helpers ------------------------------------------------------------------------------

    def member(self, lib, topic, group, **opts):
        m = Member(lib, self.boot, topic, group, **opts)
        self.members.append(m)
        return m

    def produce(self, topic, partitions, per_partition, tag="v"):
        msgs = [{"partition": p, "value": f"{tag}-{p}-{i}".encode()}
                for p in range(partitions) for i in range(per_partition)]
        h.produce_all(h.producer(self.boot), topic, msgs)
        return {m["value"].decode() for m in msgs}

    def consumed(self, members):
        return [v for m in members for (_, _, v) in m.msgs()]

    def wait_all(self, members, expected, timeout=60):
        h.wait_until(lambda: expected <= set(self.consumed(members)), timeout,
                     f"{len(expected)} messages consumed by the group")

    def committed(self, group, topic, partitions):
        from confluent_kafka import TopicPartition

        c = h.consumer(self.boot, **{"group.id": group})
        try:
            tps = c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=15)
            return {tp.partition: tp.offset for tp in tps}
        finally:
            c.close()

    def stable_members(self, group):
        from kafka import KafkaAdminClient

        adm = KafkaAdminClient(bootstrap_servers=self.boot)
        try:
            d = adm.describe_consumer_groups([group])[0]
            return len(d.members) if d.state == "Stable" else -1
        finally:
            adm.close()

    # -- tests --------------------------------------------------------------------------------

    def test_kcat_three_members_each_message_once(self):
        topic = h.unique("kcatg")
        h.create_topic(self.boot, topic, 6)
        kcat = h.kcat_bin()
        self.assertTrue(kcat, "kcat not found")
        procs = []
        outs = []
        try:
            for i in range(3):
                f = open(os.path.join(self.broker.base, f"kcat-{i}.out"), "w+b")
                outs.append(f)
                procs.append(subprocess.Popen(
                    [kcat, "-b", self.boot, "-G", "kcat-group", topic, "-f", "%p %o %s\n",
                     "-o", "beginning", "-X", "session.timeout.ms=6000", "-q", "-u"],
                    stdout=f, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL))
            # Produce once all three share the group, so the split is visible.
            h.wait_until(lambda: self.stable_members("kcat-group") == 3, 60,
                         "three kcat members in a stable group")
            expected = self.produce(topic, 6, 50)

            def lines():
                got = []
                for f in outs:
                    f.flush()
                    with open(f.name, "rb") as r:
                        got.append([x.decode() for x in r.read().splitlines() if x])
                return got

            h.wait_until(lambda: sum(len(x) for x in lines()) >= len(expected), 60,
                         "kcat members to consume everything")
            time.sleep(1.0)  # anything consumed twice would show up now
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(10)
        per_member = lines()
        for f in outs:
            f.close()
        values = [line.split(" ", 2)[2] for member in per_member for line in member]
        dups = [v for v, n in collections.Counter(values).items() if n > 1]
        self.assertEqual(dups, [], "messages consumed more than once")
        self.assertEqual(set(values), expected)
        self.assertGreaterEqual(sum(1 for m in per_member if m), 2,
                                "the partitions were not split between members")

    def leave_and_kill(self, lib):
        topic = h.unique(f"lk-{lib}")
        group = h.unique("grp")
        h.create_topic(self.boot, topic, 6)
        a = self.member(lib, topic, group, delay=0.02)
        b = self.member(lib, topic, group, delay=0.02)
        c = self.member(lib, topic, group, delay=0.02)
        h.wait_until(lambda: self.stable_members(group) == 3, 60,
                     "three members in a stable group")
        expected = self.produce(topic, 6, 60)
        h.wait_until(lambda: len(b.msgs()) >= 5 and len(c.msgs()) >= 5 and len(a.msgs()) >= 5,
                     60, "all three members consuming")
        b.leave()  # LeaveGroup
        self.assertIn("CLOSED", b.snapshot())
        c.kill()  # its session times out
        self.wait_all([a, b, c], expected, timeout=90)
        time.sleep(1.0)
        values = self.consumed([a, b, c])
        counts = collections.Counter(values)
        dups = sum(n - 1 for n in counts.values() if n > 1)
        # Every commit is synchronous: a redelivery needs a commit that did not land (the
        # killed member's last message per partition, or a commit refused mid-rebalance).
        allowed = 6 + sum(m.commit_failures() for m in (a, b, c))
        self.assertLessEqual(dups, allowed, f"{dups} redeliveries")
        self.assertEqual(set(values), expected)
        self.assertEqual(sorted(a.assignments()[-1]), list(range(6)),
                         "the survivor should own every partition")
        a.leave()
        # Everything is committed at the end.
        committed = self.committed(group, topic, 6)
        self.assertEqual(committed, {p: 60 for p in range(6)})

    def test_confluent_leave_and_kill(self):
        self.leave_and_kill("confluent")

    def test_kafka_python_leave_and_kill(self):
        self.leave_and_kill("kafka-python")

    def test_offsets_survive_consumer_restart_and_broker_kill9(self):
        topic = h.unique("restart")
        group = h.unique("grp")
        h.create_topic(self.boot, topic, 2)
        first = self.produce(topic, 2, 30, tag="first")
        m1 = self.member("confluent", topic, group)
        self.wait_all([m1], first)
        m1.leave()
        self.assertEqual(self.committed(group, topic, 2), {0: 30, 1: 30})
        # A consumer restart resumes after the committed offsets.
        second = self.produce(topic, 2, 10, tag="second")
        m2 = self.member("kafka-python", topic, group)
        self.wait_all([m2], second)
        time.sleep(0.5)
        self.assertEqual(set(self.consumed([m2])), second)
        m2.leave()
        # kill -9 and restart: the offsets come back from __consumer_offsets.
        self.broker.restart(graceful=False)
        h.wait_until(lambda: self.committed(group, topic, 2) == {0: 40, 1: 40}, 30,
                     "committed offsets after kill -9")
        third = self.produce(topic, 2, 5, tag="third")
        m3 = self.member("confluent", topic, group)
        self.wait_all([m3], third)
        time.sleep(0.5)
        self.assertEqual(set(self.consumed([m3])), third)
        m3.leave()
        # And once more through a graceful restart, with metadata kept (kafka-python admin).
        self.broker.restart(graceful=True)
        from kafka import KafkaAdminClient

        adm = KafkaAdminClient(bootstrap_servers=self.boot)
        try:
            offsets = h.wait_until(lambda: adm.list_consumer_group_offsets(group), 30,
                                   "offsets after restart")
            self.assertEqual({tp.partition: om.offset for tp, om in offsets.items()},
                             {0: 45, 1: 45})
        finally:
            adm.close()

    def test_live_group_survives_broker_kill9(self):
        topic = h.unique("live")
        group = h.unique("grp")
        h.create_topic(self.boot, topic, 2)
        first = self.produce(topic, 2, 20, tag="before")
        a = self.member("confluent", topic, group)
        b = self.member("kafka-python", topic, group)
        self.wait_all([a, b], first)
        self.broker.restart(graceful=False)
        second = self.produce(topic, 2, 20, tag="after")
        # The members carry on (the group comes back from __consumer_offsets) or rejoin.
        self.wait_all([a, b], second, timeout=60)
        time.sleep(0.5)
        values = self.consumed([a, b])
        dups = sum(n - 1 for n in collections.Counter(values).values() if n > 1)
        self.assertLessEqual(dups, 2 + a.commit_failures() + b.commit_failures())
        self.assertEqual(set(values), first | second)

    def test_static_membership_rejoin_without_rebalance(self):
        topic = h.unique("static")
        group = h.unique("grp")
        h.create_topic(self.boot, topic, 4)
        conf_a = {"group.instance.id": "inst-a"}
        conf_b = {"group.instance.id": "inst-b"}
        a = self.member("confluent", topic, group, session=6000, conf=conf_a)
        b = self.member("confluent", topic, group, session=6000, conf=conf_b)
        h.wait_until(lambda: a.assignments() and b.assignments()
                     and len(a.assignments()[-1]) + len(b.assignments()[-1]) == 4, 30,
                     "both static members assigned")
        time.sleep(1.0)
        before_a = a.snapshot()
        b_parts = b.assignments()[-1]
        b.kill()
        b2 = self.member("confluent", topic, group, session=6000, conf=conf_b)
        h.wait_until(lambda: b2.assignments(), 20, "the restarted static member's assignment")
        self.assertEqual(b2.assignments()[-1], b_parts)
        time.sleep(7.0)  # past the old session timeout
        after_a = a.snapshot()
        self.assertEqual([x for x in after_a if x.startswith(("ASSIGN", "REVOKE"))],
                         [x for x in before_a if x.startswith(("ASSIGN", "REVOKE"))],
                         "the other member saw a rebalance")
        self.assertEqual(len(b2.events("ASSIGN")), 1)
        # Messages still flow to both.
        expected = self.produce(topic, 4, 5)
        self.wait_all([a, b2], expected, timeout=30)

    def test_cooperative_sticky(self):
        topic = h.unique("coop")
        group = h.unique("grp")
        h.create_topic(self.boot, topic, 4)
        expected = self.produce(topic, 4, 100)
        conf = {"partition.assignment.strategy": "cooperative-sticky"}
        a = self.member("confluent", topic, group, delay=0.02, conf=conf)
        h.wait_until(lambda: len(a.msgs()) >= 5, 30, "the first member consuming")
        b = self.member("confluent", topic, group, delay=0.02, conf=conf)
        h.wait_until(lambda: len(b.msgs()) >= 5, 30, "the second member consuming")
        self.wait_all([a, b], expected)
        time.sleep(0.5)
        values = self.consumed([a, b])
        dups = sum(n - 1 for n in collections.Counter(values).values() if n > 1)
        self.assertLessEqual(dups, 4 + a.commit_failures() + b.commit_failures())
        # Incremental: a kept the partitions it did not give away (never revoked everything).
        a_parts = set().union(*[set(x) for x in a.assignments()])
        self.assertTrue(a_parts and set(b.assignments()[-1]))
        b.leave()
        h.wait_until(lambda: set().union(*[set(x) for x in a.assignments()]) == set(range(4)),
                     30, "the remaining member taking every partition")
        a.leave()

    def test_admin_list_describe_delete(self):
        from confluent_kafka.admin import AdminClient
        from kafka import KafkaAdminClient

        topic = h.unique("adm")
        group = h.unique("grp")
        h.create_topic(self.boot, topic, 2)
        expected = self.produce(topic, 2, 5)
        m = self.member("confluent", topic, group)
        self.wait_all([m], expected)
        kadm = KafkaAdminClient(bootstrap_servers=self.boot)
        try:
            listed = h.wait_until(lambda: dict(kadm.list_consumer_groups()).get(group), 20,
                                  "the group listed")
            self.assertEqual(listed, "consumer")
            desc = kadm.describe_consumer_groups([group])[0]
            self.assertEqual(desc.state, "Stable")
            self.assertEqual(len(desc.members), 1)
            # The member's host as Kafka reports it: "/" and the client's address.
            self.assertEqual(desc.members[0].client_host, "/127.0.0.1")
            # confluent-kafka 1.7's list_groups (ListGroups + DescribeGroups).
            cadm = AdminClient({"bootstrap.servers": self.boot})
            groups = {g.id: g for g in cadm.list_groups(timeout=15)}
            self.assertIn(group, groups)
            self.assertEqual(groups[group].state, "Stable")
            self.assertEqual(len(groups[group].members), 1)
            # A live group cannot be deleted.
            res = dict(kadm.delete_consumer_groups([group]))
            self.assertEqual(res[group].__name__, "NonEmptyGroupError")
            m.leave()
            offsets = kadm.list_consumer_group_offsets(group)
            self.assertEqual({tp.partition: om.offset for tp, om in offsets.items()},
                             {0: 5, 1: 5})
            res = dict(kadm.delete_consumer_groups([group]))
            self.assertEqual(res[group].__name__, "NoError")
            self.assertNotIn(group, dict(kadm.list_consumer_groups()))
            self.assertEqual(kadm.list_consumer_group_offsets(group), {})
            res = dict(kadm.delete_consumer_groups([group]))
            self.assertEqual(res[group].__name__, "GroupIdNotFoundError")
            # Commit metadata strings round-trip (a standalone commit, generation -1).
            from kafka import KafkaConsumer, TopicPartition
            from kafka.structs import OffsetAndMetadata

            other = h.unique("meta")
            kc = KafkaConsumer(bootstrap_servers=self.boot, group_id=other,
                               enable_auto_commit=False)
            try:
                kc.assign([TopicPartition(topic, 1)])
                kc.commit({TopicPartition(topic, 1): OffsetAndMetadata(3, "hello keel")})
            finally:
                kc.close()
            offsets = kadm.list_consumer_group_offsets(other)
            self.assertEqual({tp.partition: (om.offset, om.metadata)
                              for tp, om in offsets.items()}, {1: (3, "hello keel")})
        finally:
            kadm.close()


if __name__ == "__main__":
    h.main()
