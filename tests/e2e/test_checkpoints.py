"""Crash-proof checkpoints: kill vodctl anywhere, resume, and get the same bytes.

Every test compares against an uninterrupted run of the same source and options, and counts
how often each chunk was encoded from the events the state database records.
"""

import os
import random
import signal
import sqlite3
import threading
import time
import unittest

import vodtest
from vodtest import EX_OK, EX_TEMPFAIL, VodTestCase, Workspace, tree_hashes

JOB = "crash"
# Fixed with the job (split takes these); run and resume also take --jobs.
JOB_OPTIONS = ["--ladder", "360p,240p", "--preset", "ultrafast", "--chunk-duration", "2",
               "--segment-duration", "2", "--job", JOB]
OPTIONS = JOB_OPTIONS + ["--jobs", "2"]
# For the longer source, where a test needs the job to run a while.
LONG_OPTIONS = ["--preset", "veryfast", "--chunk-duration", "4", "--segment-duration", "2",
                "--job", JOB]


def claims_per_chunk(state_path, job=JOB):
    """How many times each chunk was claimed (= started encoding), from the event log."""
    with sqlite3.connect(state_path) as db:
        rows = db.execute("SELECT chunk, COUNT(*) FROM events WHERE job_id = ? AND "
                          "kind = 'chunk-claimed' GROUP BY chunk", (job,)).fetchall()
    return dict(rows)


def step_states(state_path, job=JOB):
    try:
        with sqlite3.connect(f"file:{state_path}?mode=ro", uri=True, timeout=5) as db:
            return dict(db.execute("SELECT step, state FROM steps WHERE job_id = ?", (job,)))
    except sqlite3.Error:
        return {}


def wait_for_step(test, ws, proc, step, timeout=120):
    """Returns once `step` of the job is running; fails the test if proc ends first."""
    deadline = time.monotonic() + timeout
    while step_states(ws.state).get(step) != "running":
        test.assertIsNone(proc.poll(), f"vodctl ended before {step} ran")
        test.assertLess(time.monotonic(), deadline, f"{step} never ran")
        time.sleep(0.005)


def running_chunks(state_path, job=JOB):
    with sqlite3.connect(state_path) as db:
        # A kill in the first milliseconds can leave a database without its tables yet.
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'chunks'").fetchone():
            return set()
        return {row[0] for row in db.execute(
            "SELECT idx FROM chunks WHERE job_id = ? AND state = 'running'", (job,))}


class Reference:
    """One uninterrupted run per source, shared by the tests."""
    _cache = {}

    @classmethod
    def digest(cls, source, options=OPTIONS):
        key = (source, tuple(options))
        if key not in cls._cache:
            ws = Workspace(prefix="vodctl-reference-")
            try:
                rc, _, err = ws.vodctl("run", source, ws.path("out"), *options, quiet=True)
                assert rc == 0, f"reference run failed: {err}"
                cls._cache[key] = tree_hashes(ws.path("out"))
            finally:
                ws.cleanup()
        return cls._cache[key]


class CrashTest(VodTestCase):
    """kill -9 at many moments across the whole run, then resume."""

    TRIALS_AT_RANDOM = 14
    TRIALS_PER_STEP = 2  # aimed at each step by watching the state database

    def kill_trial(self, source, when):
        ws = Workspace(prefix="vodctl-crash-")
        self.addCleanup(ws.cleanup)
        proc = ws.popen("run", source, ws.path("out"), *OPTIONS, quiet=True)
        if isinstance(when, float):
            time.sleep(when)
        else:  # a step name: kill as soon as that step is running
            deadline = time.monotonic() + 60
            while step_states(ws.state).get(when) != "running" and proc.poll() is None:
                self.assertLess(time.monotonic(), deadline, f"step {when} never ran")
                time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        steps_at_kill = step_states(ws.state)
        in_flight = running_chunks(ws.state) if os.path.exists(ws.state) else set()
        rc, _, err = ws.vodctl("resume", "--job", JOB, quiet=True) if steps_at_kill else \
            ws.vodctl("run", source, ws.path("out"), *OPTIONS, quiet=True)
        self.assertEqual(rc, EX_OK, f"resume after kill at {when}: {err}")
        self.assertEqual(tree_hashes(ws.path("out")), Reference.digest(source),
                         f"output after a kill at {when} differs from an uninterrupted run")
        claims = claims_per_chunk(ws.state)
        for chunk, count in claims.items():
            allowed = 2 if chunk in in_flight else 1
            self.assertLessEqual(count, allowed,
                                 f"kill at {when}: chunk {chunk} encoded {count} times "
                                 f"(in flight at the kill: {sorted(in_flight)})")
        return {step for step, state in steps_at_kill.items() if state == "running"}

    def test_kill_anywhere_then_resume_gives_identical_output(self):
        source = vodtest.media("bframes")
        reference_wall = self.time_reference(source)
        rng = random.Random(20261124)
        killed_in = set()
        trials = [rng.uniform(0.05, reference_wall) for _ in range(self.TRIALS_AT_RANDOM)]
        trials += [step for step in ("split", "transcode", "concat", "segment")
                   for _ in range(self.TRIALS_PER_STEP)]
        self.assertGreaterEqual(len(trials), 20)
        for when in trials:
            with self.subTest(kill_at=when):
                killed_in |= self.kill_trial(source, when)
        self.assertEqual(killed_in, {"split", "transcode", "concat", "segment"},
                         "the kills did not land in every step")

    def time_reference(self, source):
        Reference.digest(source)  # warm caches; then time a run of our own
        started = time.monotonic()
        self.run_ok("run", source, self.ws.path("timed"), *OPTIONS, quiet=True)
        return time.monotonic() - started


class ConcurrentWorkersTest(VodTestCase):
    def test_four_next_workers_encode_each_chunk_once(self):
        source = vodtest.media("bframes")
        self.run_ok("split", source, "--output", self.ws.path("out"), *JOB_OPTIONS, quiet=True)
        chunk_count = len(self.ws.status(JOB)[0]["chunks"])
        self.assertGreaterEqual(chunk_count, 4)
        done_by = []

        def worker():
            while True:
                rc, out, err = self.ws.vodctl("transcode-chunk", "--job", JOB, "--next", quiet=True)
                self.assertEqual(rc, EX_OK, err)
                if not out.strip():
                    return
                done_by.append(int(out))

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(done_by), list(range(chunk_count)))
        job = self.ws.status(JOB)[0]
        self.assertEqual([c["state"] for c in job["chunks"]], ["done"] * chunk_count)
        self.assertEqual([c["attempts"] for c in job["chunks"]], [1] * chunk_count)
        self.assertEqual(claims_per_chunk(self.ws.state), {i: 1 for i in range(chunk_count)})
        self.run_ok("concat", "--job", JOB, quiet=True)
        self.run_ok("segment", "--job", JOB, quiet=True)
        self.assertEqual(tree_hashes(self.ws.path("out")), Reference.digest(source))


class DamagedArtefactTest(VodTestCase):
    def transcode_all_then(self, damage):
        source = vodtest.media("bframes")
        self.run_ok("split", source, "--output", self.ws.path("out"), *JOB_OPTIONS, quiet=True)
        while self.run_ok("transcode-chunk", "--job", JOB, "--next", quiet=True).strip():
            pass
        job = self.ws.status(JOB)[0]
        damaged = 1
        damage(os.path.join(job["tmp"], "renditions", "240p", f"{damaged:05d}.nut"))
        rc, _, err = self.vodctl("resume", "--job", JOB)
        self.assertEqual(rc, EX_OK, err)
        self.assertIn(f"{damaged:05d}.nut", err, "resume should say which artefact it redoes")
        attempts = [c["attempts"] for c in self.ws.status(JOB)[0]["chunks"]]
        self.assertEqual(attempts, [2 if i == damaged else 1 for i in range(len(attempts))])
        self.assertEqual(tree_hashes(self.ws.path("out")), Reference.digest(source))

    def test_deleted_chunk_is_redone(self):
        self.transcode_all_then(os.unlink)

    def test_corrupted_chunk_is_redone(self):
        def flip_a_byte(path):
            with open(path, "r+b") as f:
                f.seek(os.path.getsize(path) // 2)
                byte = f.read(1)
                f.seek(-1, os.SEEK_CUR)
                f.write(bytes([byte[0] ^ 0xFF]))
        self.transcode_all_then(flip_a_byte)

    def test_truncated_chunk_is_redone(self):
        self.transcode_all_then(lambda path: os.truncate(path, os.path.getsize(path) // 3))


class SignalTest(VodTestCase):
    def test_sigterm_mid_transcode_exits_75_quickly_and_resume_finishes(self):
        source = vodtest.media("long")
        options = LONG_OPTIONS
        proc = self.ws.popen("run", source, self.ws.path("out"), *options, quiet=True)
        wait_for_step(self, self.ws, proc, "transcode")
        time.sleep(0.5)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        self.assertLess(time.monotonic() - sent, 5.0, "SIGTERM took too long to stop the job")
        self.assertEqual(proc.returncode, EX_TEMPFAIL, err)
        self.assertIn("SIGTERM", err)
        job = self.ws.status(JOB)[0]
        self.assertEqual(job["state"], "pending")
        self.assertNotIn("running", [c["state"] for c in job["chunks"]], "leases not released")
        self.run_ok("resume", "--job", JOB, quiet=True)
        self.assertEqual(self.ws.status(JOB)[0]["state"], "done")
        self.assertEqual(tree_hashes(self.ws.path("out")), Reference.digest(source, options))


class LockedDatabaseTest(VodTestCase):
    def test_waits_for_a_writer_holding_the_database(self):
        source = vodtest.media("bframes")
        self.run_ok("split", source, "--output", self.ws.path("out"), *JOB_OPTIONS, quiet=True)
        holder = sqlite3.connect(self.ws.state, isolation_level=None, timeout=30)
        holder.execute("BEGIN EXCLUSIVE")
        proc = self.ws.popen("resume", "--job", JOB, quiet=True)
        time.sleep(3)
        self.assertIsNone(proc.poll(), "vodctl should wait for the lock, not give up")
        holder.execute("COMMIT")
        holder.close()
        _, err = proc.communicate(timeout=300)
        self.assertEqual(proc.returncode, EX_OK, err)
        self.assertEqual(self.ws.status(JOB)[0]["state"], "done")
        self.assertEqual(tree_hashes(self.ws.path("out")), Reference.digest(source))


class CrossHostResumeTest(VodTestCase):
    def test_a_new_host_with_only_tmp_finishes_the_job(self):
        source = vodtest.media("long")
        options = LONG_OPTIONS
        shared_tmp = self.ws.path("shared-tmp")
        results = os.path.join(shared_tmp, JOB, "results")
        first = self.ws.popen("run", source, self.ws.path("out"), *options, "--tmp", shared_tmp,
                              quiet=True)
        deadline = time.monotonic() + 120
        def results_written():
            # Not the ".tmp-*" files of a write in progress, which a kill leaves behind.
            if not os.path.isdir(results):
                return []
            return [name for name in os.listdir(results) if not name.startswith(".")]

        def chunks_done():
            return len(results_written())

        while chunks_done() < 2:
            self.assertIsNone(first.poll(), "run ended before two chunks were done")
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.communicate()
        done_before = {int(name.split(".")[0]) for name in results_written()}

        new_host_state = self.ws.path("new-host", "vodctl.db")
        rc, _, err = self.vodctl("resume", "--job", JOB, "--tmp", shared_tmp, state=new_host_state)
        self.assertEqual(rc, EX_OK, err)
        self.assertIn("taken over", err)
        self.assertEqual(tree_hashes(self.ws.path("out")), Reference.digest(source, options))
        claims = claims_per_chunk(new_host_state)
        self.assertFalse(done_before & set(claims), f"chunks done on the first host were encoded "
                         f"again: {sorted(done_before & set(claims))}")
        with sqlite3.connect(new_host_state) as db:
            chunk_count = db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        self.assertEqual(set(claims) | done_before, set(range(chunk_count)))


class AbandonedStepTest(VodTestCase):
    def test_segment_after_a_kill_in_concat_takes_concat_over(self):
        # concat runs only under the job lock, so the next holder knows nobody runs it: it
        # must finish it, not exit 75 ("concat is still running") for ever.
        source = vodtest.media("bframes")
        proc = self.ws.popen("run", source, self.ws.path("out"), *OPTIONS, quiet=True)
        wait_for_step(self, self.ws, proc, "concat")
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        self.assertEqual(step_states(self.ws.state)["concat"], "running")
        rc, _, err = self.vodctl("segment", "--job", JOB)
        self.assertEqual(rc, EX_OK, err)
        self.assertIn("concat was left running by a process that is gone; taking it over", err)
        self.assertEqual(self.ws.status(JOB)[0]["state"], "done")
        self.assertEqual(tree_hashes(self.ws.path("out")), Reference.digest(source))


class JobLockTest(VodTestCase):
    def test_second_driver_exits_75_naming_the_holder_or_waits(self):
        source = vodtest.media("long")
        options = LONG_OPTIONS
        first = self.ws.popen("run", source, self.ws.path("out"), *options, quiet=True)
        wait_for_step(self, self.ws, first, "split")
        rc, _, err = self.vodctl("resume", "--job", JOB, quiet=True)
        self.assertEqual(rc, EX_TEMPFAIL, err)
        self.assert_one_error_line(err)
        self.assertIn(f":{first.pid}", err, "the message should name the process holding the job")
        rc, _, err = self.vodctl("resume", "--job", JOB, "--wait", quiet=True)
        self.assertEqual(rc, EX_OK, err)
        first.communicate(timeout=300)
        self.assertEqual(first.returncode, EX_OK)
        self.assertEqual(self.ws.status(JOB)[0]["state"], "done")


if __name__ == "__main__":
    unittest.main()
