"""Configuration errors: keel must refuse to start, exit non-zero quickly, and name the problem
on stderr. Also: the accepted forms (--config FILE, --override, bare key=value) do start."""

import os
import signal
import socket
import subprocess
import tempfile
import unittest

import keel_harness as h

EXIT_TIMEOUT = 15.0


def run_keel(args, timeout=EXIT_TIMEOUT):
    """Runs keel expecting it to exit by itself; returns (code, stdout+stderr text)."""
    proc = subprocess.Popen([h.keel_bin(), *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate(timeout=10)
        raise AssertionError(f"keel {' '.join(args)} was still running after {timeout} s "
                             f"(expected it to refuse the configuration); output:\n"
                             f"{(out + err).decode(errors='replace')[-3000:]}")
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


class ConfigErrorTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="config-", dir=h.tmp_root())
        self.port = h.free_port()

    def tearDown(self):
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)

    def base(self):
        return ["node.id=1", f"listeners=PLAINTEXT://127.0.0.1:{self.port}",
                f"log.dirs={os.path.join(self.dir, 'data')}"]

    def assertRefused(self, args, *must_mention):
        code, out, err = run_keel(args)
        self.assertNotEqual(code, 0, f"keel {' '.join(args)} exited 0; stderr:\n{err}")
        self.assertGreater(code, 0, f"keel died from signal {-code}; stderr:\n{err}")
        for word in must_mention:
            self.assertIn(word, err, f"stderr of keel {' '.join(args)} does not mention "
                                     f"{word!r}:\n{err}")
        self.assertLess(len(err.splitlines()), 50, f"error output is not short:\n{err}")
        return err

    # -- unknown properties -------------------------------------------------------------------

    def test_unknown_property(self):
        self.assertRefused(self.base() + ["no.such.property=1"], "no.such.property")

    def test_misspelled_property_suggests_the_right_one(self):
        err = self.assertRefused(self.base() + ["num.partition=3"], "num.partition")
        self.assertIn("num.partitions", err)

    def test_unknown_property_as_override(self):
        self.assertRefused(["--override", "bogus.setting=x", *self.base()], "bogus.setting")

    def test_unknown_command_line_option(self):
        self.assertRefused(["--no-such-flag", *self.base()], "--no-such-flag")

    # -- invalid values -----------------------------------------------------------------------

    def test_invalid_values(self):
        cases = [
            ("num.partitions", "abc"),
            ("num.partitions", "0"),
            ("node.id", "one"),
            ("message.max.bytes", "-5"),
            ("log.segment.bytes", "1"),
            ("auto.create.topics.enable", "maybe"),
            ("socket.request.max.bytes", "0"),
            ("default.replication.factor", "zero"),
            ("log.retention.ms", "soon"),
            ("listeners", "not-a-listener"),
            ("listeners", "PLAINTEXT://127.0.0.1:99999"),
            ("listener.security.protocol.map", "PLAINTEXT:TLS"),
        ]
        for name, value in cases:
            with self.subTest(property=name, value=value):
                args = [a for a in self.base() if not a.startswith(name + "=")]
                self.assertRefused(args + [f"{name}={value}"], name)

    def test_listener_without_plaintext_protocol(self):
        base = [a for a in self.base() if not a.startswith("listeners=")]
        err = self.assertRefused(base + [f"listeners=SSL://127.0.0.1:{self.port}"], "SSL")
        self.assertIn("PLAINTEXT listeners only", err)
        err = self.assertRefused(
            base + [f"listeners=PLAINTEXT://127.0.0.1:{self.port},INTERNAL://127.0.0.1:0"],
            "INTERNAL:PLAINTEXT")

    # -- config files -------------------------------------------------------------------------

    def test_config_file_error_names_file_and_line(self):
        path = os.path.join(self.dir, "server.properties")
        with open(path, "w") as f:
            f.write("# a comment\n"
                    "num.partitions=2\n"
                    "log.retention.bytes=lots\n")
        err = self.assertRefused(["--config", path, *self.base()], "log.retention.bytes")
        self.assertIn("server.properties", err)
        self.assertIn(":3", err, "the line number of the bad value")

    def test_missing_config_file(self):
        path = os.path.join(self.dir, "does-not-exist.properties")
        self.assertRefused(["--config", path, *self.base()], "does-not-exist.properties")

    # -- environment problems -----------------------------------------------------------------

    def test_port_in_use(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            taken = s.getsockname()[1]
            args = ["node.id=1", f"listeners=PLAINTEXT://127.0.0.1:{taken}",
                    f"log.dirs={os.path.join(self.dir, 'data')}"]
            self.assertRefused(args, str(taken))

    def test_log_dir_is_a_file(self):
        path = os.path.join(self.dir, "plain-file")
        with open(path, "w") as f:
            f.write("x")
        args = [a for a in self.base() if not a.startswith("log.dirs=")]
        self.assertRefused(args + [f"log.dirs={path}"], "plain-file")

    # -- accepted forms -----------------------------------------------------------------------

    def test_help_exits_zero(self):
        code, out, err = run_keel(["--help"])
        self.assertEqual(code, 0, err)
        self.assertIn("log.dirs", out + err)

    def test_config_file_and_overrides_start(self):
        """--config FILE, then --override and bare key=value (later wins)."""
        path = os.path.join(self.dir, "ok.properties")
        with open(path, "w") as f:
            f.write(f"node.id=1\nlisteners=PLAINTEXT://127.0.0.1:{self.port}\n"
                    f"log.dirs={os.path.join(self.dir, 'data')}\nnum.partitions=1\n")
        b = h.Broker("config-ok", port=self.port,
                     extra_args=["--config", path, "--override", "num.partitions=3"])
        b.command = lambda: [h.keel_bin(), *b.extra_args, "auto.create.topics.enable=true"]
        try:
            b.start()
            topic = h.unique("cfg-auto")
            md = h.wait_until(lambda: _auto_created(b.bootstrap, topic), 15,
                              f"auto-creation of {topic}", 0.2)
            self.assertEqual(len(md.partitions), 3, "num.partitions from --override")
            b.stop_ok()
        except Exception:
            h.dump_all_broker_logs()
            raise
        finally:
            b.cleanup()

    def test_sigterm_exits_zero_quickly(self):
        b = h.Broker("config-sigterm")
        try:
            b.start()
            took = b.stop_ok()
            self.assertLess(took, h.STOP_TIMEOUT)
        finally:
            b.cleanup()

    def test_sigint_also_stops(self):
        b = h.Broker("config-sigint")
        try:
            b.start()
            b.proc.send_signal(signal.SIGINT)
            rc = b.proc.wait(h.STOP_TIMEOUT)
            self.assertEqual(rc, 0, b.describe_tail())
        finally:
            b.cleanup()


def _auto_created(bootstrap, topic):
    # A producer's Metadata request for an unknown topic creates it
    # (auto.create.topics.enable=true).
    md = h.producer(bootstrap).list_topics(topic, timeout=5)
    t = md.topics.get(topic)
    if t is None or t.error is not None or not t.partitions:
        return None
    return t


if __name__ == "__main__":
    h.main()
