"""Fencing: a worker frozen (SIGSTOP) past its lease while a worker on another host takes its
chunk, then thawed (SIGCONT), changes nothing. Every chunk is done once, by the worker that
held it then, and the output is byte-identical to an uninterrupted run. A worker on the same
host does not take the frozen worker's chunk at all: it is provably alive.

The second host is a UTS namespace with a host name of its own (unshare --uts, as root), so
the frozen worker is not provably alive to it and only its lease's expiry frees the chunk.
Leases are made short with VODCTL_LEASE_SECONDS, a knob for tests.
"""

import os
import shutil
import signal
import sqlite3
import subprocess
import time

import vodtest
from vodtest import EX_OK, VodTestCase, tree_hashes, vodctl_argv, vodctl_env

JOB = "fenced"
JOB_OPTIONS = ["--ladder", "360p,240p", "--preset", "ultrafast", "--chunk-duration", "4",
               "--segment-duration", "2", "--job", JOB]
LEASE_SECONDS = 2


def setUpModule():
    if shutil.which("unshare") is None:
        raise AssertionError("unshare is missing: run scripts/install-deps.sh")


def chunk_row(state_path, index):
    with sqlite3.connect(state_path, timeout=30) as db:
        return db.execute("SELECT state, lease_owner, attempts FROM chunks WHERE job_id = ? "
                          "AND idx = ?", (JOB, index)).fetchone()


def chunk_events(state_path, index):
    with sqlite3.connect(state_path, timeout=30) as db:
        return db.execute("SELECT kind, message FROM events WHERE job_id = ? AND chunk = ? "
                          "ORDER BY id", (JOB, index)).fetchall()


def holds_write_lock(state_path):
    """Whether another process holds the database's write lock right now."""
    db = sqlite3.connect(state_path, timeout=0.05, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        db.close()


class FencingTest(VodTestCase):

    def worker(self, *args, host=None):
        """vodctl with short leases; on `host`, a UTS namespace named so."""
        env = dict(vodctl_env(), VODCTL_LEASE_SECONDS=str(LEASE_SECONDS))
        argv = vodctl_argv(args, self.ws.state)
        if host:
            argv = ["unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"', host, *argv]
        return subprocess.Popen(argv, cwd=self.ws.dir, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def freeze_once_claimed(self, proc, index, timeout=60):
        """SIGSTOPs proc as soon as it holds chunk `index`, outside a transaction (frozen in
        one, it would hold the database's write lock, and every other process would wait for
        it); returns its owner name."""
        deadline = time.monotonic() + timeout
        while True:
            self.assertIsNone(proc.poll(), "the worker ended before it was frozen")
            self.assertLess(time.monotonic(), deadline, "the worker was never frozen")
            row = chunk_row(self.ws.state, index)
            if row[0] != "running":
                time.sleep(0.002)
                continue
            proc.send_signal(signal.SIGSTOP)
            if not holds_write_lock(self.ws.state):
                return row[1]
            proc.send_signal(signal.SIGCONT)
            time.sleep(0.005)

    def test_a_worker_thawed_after_losing_its_lease_changes_nothing(self):
        source = vodtest.media("long")
        self.run_ok("split", source, "--output", self.ws.path("out"), *JOB_OPTIONS, quiet=True)
        chunk_count = len(self.ws.status(JOB)[0]["chunks"])
        self.assertGreaterEqual(chunk_count, 2)

        stale = self.worker("transcode-chunk", "--job", JOB, "--chunk", "0")
        try:
            stale_owner = self.freeze_once_claimed(stale, 0)
            time.sleep(LEASE_SECONDS + 1)  # past the lease, the stale worker frozen
            self.assertEqual(chunk_row(self.ws.state, 0), ("running", stale_owner, 1),
                             "the worker finished the chunk before it was frozen")
            live = self.worker("transcode-chunk", "--job", JOB, "--chunk", "0", host="other-host")
            out, err = live.communicate(timeout=120)
            self.assertEqual(live.returncode, EX_OK, err)
            self.assertEqual(out.strip(), "0")
            state, owner, attempts = chunk_row(self.ws.state, 0)
            self.assertEqual((state, owner, attempts), ("done", None, 2))
            events_before_thaw = chunk_events(self.ws.state, 0)
        finally:
            stale.send_signal(signal.SIGCONT)
        out, err = stale.communicate(timeout=120)
        self.assertEqual(stale.returncode, EX_OK, err)
        self.assertEqual(out.strip(), "", "the stale worker said it transcoded the chunk")
        self.assertIn("lease lost to another worker; leaving the chunk to it", err)

        # The thawed worker wrote nothing: no event, no state change, attempts as B left them.
        self.assertEqual(chunk_events(self.ws.state, 0), events_before_thaw)
        kinds = [kind for kind, _ in events_before_thaw]
        self.assertEqual(kinds, ["chunk-claimed", "chunk-claimed", "chunk-done"])
        self.assertIn(f"(lease of {stale_owner} expired)", events_before_thaw[1][1])
        self.assertEqual(events_before_thaw[2][1], "done on attempt 2")

        self.run_ok("resume", "--job", JOB, quiet=True)
        job = self.ws.status(JOB)[0]
        self.assertEqual(job["state"], "done")
        self.assertEqual([c["state"] for c in job["chunks"]], ["done"] * chunk_count)
        self.assertEqual([c["attempts"] for c in job["chunks"]], [2] + [1] * (chunk_count - 1))
        for index in range(chunk_count):
            self.assertEqual([k for k, _ in chunk_events(self.ws.state, index)].count("chunk-done"),
                             1, f"chunk {index}")

        plain = vodtest.Workspace(prefix="vodctl-fencing-plain-")
        self.addCleanup(plain.cleanup)
        rc, _, err = plain.vodctl("run", source, plain.path("out"), *JOB_OPTIONS, quiet=True)
        self.assertEqual(rc, EX_OK, err)
        self.assertEqual(tree_hashes(self.ws.path("out")), tree_hashes(plain.path("out")))

    def test_a_frozen_worker_keeps_its_lease_from_a_worker_on_the_same_host(self):
        # Past its lease by the clock, but provably alive to a process of the same host and
        # pid namespace: its identity, not the wall clock, decides.
        source = vodtest.media("long")
        self.run_ok("split", source, "--output", self.ws.path("out"), *JOB_OPTIONS, quiet=True)
        holder = self.worker("transcode-chunk", "--job", JOB, "--chunk", "0")
        try:
            owner = self.freeze_once_claimed(holder, 0)
            time.sleep(LEASE_SECONDS + 1)
            other = self.worker("transcode-chunk", "--job", JOB, "--chunk", "0")
            out, err = other.communicate(timeout=120)
            self.assertEqual(other.returncode, EX_OK, err)
            self.assertEqual(out.strip(), "", "the chunk was taken from a live worker")
            self.assertIn("chunk 0 is already done or held by another worker", err)
            self.assertEqual(chunk_row(self.ws.state, 0), ("running", owner, 1))
        finally:
            holder.send_signal(signal.SIGCONT)
        out, err = holder.communicate(timeout=120)
        self.assertEqual(holder.returncode, EX_OK, err)
        self.assertEqual(out.strip(), "0")
        self.assertEqual(chunk_row(self.ws.state, 0), ("done", None, 1))


if __name__ == "__main__":
    import unittest
    unittest.main()
