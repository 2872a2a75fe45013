"""Batch operation for cron and CI: `ingest` of a folder or an S3 prefix, `resume --all`,
`prune`, `--report` and `--log-format json`.

Each batch is five tiny sources, one of them not a video at all; every job is checked through
the state database's own records (chunk attempts, events), the --report JSON and the HLS
output, judged by vodtest's referee.
"""

import json
import os
import re
import shutil
import signal
import sqlite3
import tempfile
import time
import uuid
from contextlib import closing

import vodtest
from test_s3 import FOREIGN_S3_VARIABLES, S3Server, environment
from vodtest import EX_DATAERR, EX_OK, EX_TEMPFAIL, HlsChecks, VodTestCase, media, tree_hashes

# A two-second clip: two chunks and two segments of one second each, one small rung.
vodtest.SOURCES["batch"] = vodtest._lavfi_video("320x240", 25) + vodtest._SINE + [
    "-t", "2", *vodtest._X264, "-preset", "ultrafast", "-g", "25", *vodtest._AAC]
OPTIONS = ["--preset", "ultrafast", "--chunk-duration", "1", "--segment-duration", "1",
           "--ladder", "240p", "--no-thumbnails"]
GOOD = ["beach.mp4", "city.mp4", "holiday/dog video.mp4", "snow.mov"]
BROKEN = "broken.mp4"
ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]+-[0-9a-f]{8}$")


def job_name(key):
    """The readable part of the job ID ingest gives KEY."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", os.path.splitext(key)[0])


def make_sources(folder, good=GOOD, broken=True):
    """The batch under FOLDER: {key: path}."""
    paths = {}
    for key in good + ([BROKEN] if broken else []):
        path = os.path.join(folder, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if key == BROKEN:
            with open(path, "wb") as f:
                f.write(b"this upload is not a video\n" * 200)
        else:
            shutil.copyfile(media("batch"), path)
        paths[key] = path
    return paths


class State:
    """Reads the state database directly: what vodctl recorded, not what it says it did."""

    def __init__(self, path):
        self.path = path

    def query(self, sql, *args):
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            return db.execute(sql, args).fetchall()

    def events(self):
        """{(job, kind): count}."""
        return {(job, kind): count for job, kind, count in self.query(
            "SELECT job_id, kind, COUNT(*) FROM events GROUP BY job_id, kind")}

    def attempts(self):
        """{job: [attempts of each chunk]}."""
        result = {}
        for job, attempts in self.query("SELECT job_id, attempts FROM chunks ORDER BY job_id, idx"):
            result.setdefault(job, []).append(attempts)
        return result

    def some_job_running(self):
        try:
            return any(state == "running" for state, _ in self.jobs().values())
        except sqlite3.OperationalError:  # not made yet, or its schema not yet
            return False

    def jobs(self):
        """{job: (state, error)}."""
        return {job: (state, error) for job, state, error in
                self.query("SELECT id, state, error FROM jobs")}


class BatchTestCase(VodTestCase, HlsChecks):

    def read_report(self, path):
        with open(path) as f:
            report = json.load(f)
        self.assertEqual(set(report["counts"]),
                         {"created", "done", "failed", "skipped", "unfinished"})
        return report

    def jobs_by_state(self, report):
        result = {}
        for job in report["jobs"]:
            result.setdefault(job["state"], {})[job["job"]] = job
        return result

    def assert_first_ingest(self, report, rc, err):
        """Four jobs done, the broken source failed with its reason, exit 65."""
        self.assertEqual(rc, EX_DATAERR, err)
        self.assertEqual(report["exit_code"], EX_DATAERR)
        self.assertEqual(report["counts"]["created"], 5)
        self.assertEqual(report["counts"]["done"], 4)
        self.assertEqual(report["counts"]["failed"], 1)
        for job_id in report["created"]:
            self.assertRegex(job_id, ID_PATTERN)
        jobs = self.jobs_by_state(report)
        self.assertEqual(sorted(job["source"].rsplit("/", 1)[1] for job in jobs["done"].values()),
                         sorted(os.path.basename(key) for key in GOOD))
        for job_id, job in jobs["done"].items():
            key = next(k for k in GOOD if job["source"].endswith("/" + k))
            self.assertTrue(job_id.startswith(job_name(key) + "-"), job_id)
            self.assertTrue(job["output"].endswith("/" + job_id), job["output"])
            self.assertEqual(job["url"], job["output"] + "/master.m3u8")
            self.assertGreater(job["seconds"], 0)
        (failed,) = jobs["failed"].values()
        self.assertTrue(failed["source"].endswith("/" + BROKEN))
        self.assertEqual(failed["exit_code"], EX_DATAERR)
        self.assertIn("broken", failed["reason"])
        return jobs

    def assert_nothing_done_again(self, rc, err, report, events_before):
        self.assertEqual(rc, EX_OK, err)
        self.assertEqual(report["created"], [])
        self.assertEqual(report["counts"]["done"], 0)
        self.assertEqual(report["counts"]["skipped"], 5)
        self.assertEqual(self.state.events(), events_before, "the second ingest did some work")

    def setUp(self):
        super().setUp()
        self.state = State(self.ws.state)


class FolderIngestTest(BatchTestCase):

    def test_ingest_a_folder_with_a_bad_source_then_again(self):
        sources = make_sources(self.ws.path("in"))
        out, report_path = self.ws.path("out"), self.ws.path("report.json")
        rc, _, err = self.vodctl("--log-format", "json", "ingest", self.ws.path("in"), out,
                                 *OPTIONS, "--report", report_path)
        # --log-format json: every stderr line is one JSON object; the last is the error.
        lines = [json.loads(line) for line in err.splitlines()]
        self.assertGreater(len(lines), 4)
        for line in lines:
            self.assertEqual({"time", "level", "message"} - set(line), set(), line)
            self.assertRegex(line["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(lines[-1]["level"], "error")
        self.assertIn("1 failed", lines[-1]["message"])
        report = self.read_report(report_path)
        jobs = self.assert_first_ingest(report, rc, err)
        logged_jobs = {line["job"] for line in lines if "job" in line}
        self.assertEqual(logged_jobs, set(report["created"]))
        for job_id, job in jobs["done"].items():
            source = next(p for k, p in sources.items() if job["source"] == p)
            self.assert_valid_hls(source, job["output"], segment_duration=1, heights=[240])
        self.assertLessEqual(set(jobs["done"]), set(os.listdir(out)))
        for name in set(os.listdir(out)) - set(jobs["done"]):
            self.assertEqual(tree_hashes(os.path.join(out, name)), {},
                             f"the failed job published something in {name}")
        # Each chunk encoded once.
        for job_id, attempts in self.state.attempts().items():
            self.assertEqual(attempts, [1, 1], job_id)

        events = self.state.events()
        hashes = tree_hashes(out)
        rc, _, err = self.vodctl("ingest", self.ws.path("in"), out, *OPTIONS,
                                 "--report", report_path)
        self.assert_nothing_done_again(rc, err, self.read_report(report_path), events)
        self.assertEqual(tree_hashes(out), hashes)

    def test_dry_run_lists_and_does_nothing(self):
        make_sources(self.ws.path("in"))
        rc, out, err = self.vodctl("ingest", self.ws.path("in"), self.ws.path("out"), *OPTIONS,
                                   "--dry-run", "--include", "*.mp4")
        self.assertEqual(rc, EX_OK, err)
        lines = out.splitlines()
        self.assertEqual(len(lines), 4, out)  # snow.mov is not included
        self.assertTrue(all(line.startswith("create ") for line in lines), out)
        self.assertEqual(self.state.jobs() if os.path.exists(self.ws.state) else {}, {})

    def test_max_jobs_and_resume_all(self):
        make_sources(self.ws.path("in"), good=GOOD[:3], broken=False)
        out, report_path = self.ws.path("out"), self.ws.path("report.json")
        rc, _, err = self.vodctl("ingest", self.ws.path("in"), out, *OPTIONS, "--max-jobs", "1",
                                 "--report", report_path)
        self.assertEqual(rc, EX_OK, err)
        report = self.read_report(report_path)
        self.assertEqual((report["counts"]["created"], report["counts"]["done"]), (3, 1))
        self.assertEqual(report["counts"]["skipped"], 2)
        rc, _, err = self.vodctl("resume", "--all", "--report", report_path)
        self.assertEqual(rc, EX_OK, err)
        report = self.read_report(report_path)
        self.assertEqual(report["counts"]["done"], 2)
        self.assertEqual({state for state, _ in self.state.jobs().values()}, {"done"})

    def test_two_ingests_at_once_do_every_job_once(self):
        make_sources(self.ws.path("in"))
        out = self.ws.path("out")
        procs = [self.ws.popen("ingest", self.ws.path("in"), out, *OPTIONS, "--jobs", "1",
                               "--report", self.ws.path(f"report{i}.json")) for i in (1, 2)]
        results = [proc.communicate(timeout=300) for proc in procs]
        reports = [self.read_report(self.ws.path(f"report{i}.json")) for i in (1, 2)]
        done = [set(self.jobs_by_state(r).get("done", {})) for r in reports]
        failed = [set(self.jobs_by_state(r).get("failed", {})) for r in reports]
        for proc, (_, err), report in zip(procs, results, reports):
            # Each exits cleanly: 65 if it was the one that tried the broken source, else 0.
            expected = EX_DATAERR if report["counts"]["failed"] else EX_OK
            self.assertEqual(proc.returncode, expected, err)
            self.assertEqual(report["counts"]["unfinished"], 0)
        self.assertEqual(done[0] & done[1], set(), "a job was done by both processes")
        self.assertEqual(len(done[0] | done[1]), 4)
        self.assertEqual(len(failed[0] | failed[1]), 1)
        self.assertEqual(failed[0] & failed[1], set(), "the broken job was tried by both")
        # The state's own record: every chunk claimed once, every job finished once.
        jobs = self.state.jobs()
        events = self.state.events()
        for job_id, (state, _) in jobs.items():
            ended = "job-done" if state == "done" else "job-failed"
            self.assertEqual(events.get((job_id, ended)), 1, f"{job_id}: {events}")
        for job_id, attempts in self.state.attempts().items():
            self.assertEqual(attempts, [1, 1], job_id)
        self.assertEqual(sorted(s for s, _ in jobs.values()), ["done"] * 4 + ["failed"])

    def test_sigterm_stops_early_with_75_and_resume_all_finishes(self):
        make_sources(self.ws.path("in"), broken=False)
        report_path = self.ws.path("report.json")
        proc = self.ws.popen("ingest", self.ws.path("in"), self.ws.path("out"), *OPTIONS,
                             "--report", report_path, quiet=True)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)  # cleanups run last first: kill, then wait
        deadline = time.monotonic() + 120
        while not self.state.some_job_running():
            self.assertLess(time.monotonic(), deadline, "no job started running")
            self.assertIsNone(proc.poll(), "ingest ended before a job was seen running")
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, EX_TEMPFAIL, err)
        self.assertIn("1 unfinished", self.assert_one_error_line(err))
        report = self.read_report(report_path)
        self.assertEqual((report["exit_code"], report["counts"]["unfinished"]), (EX_TEMPFAIL, 1))
        self.assertLess(report["counts"]["done"], 4)
        rc, _, err = self.vodctl("resume", "--all")
        self.assertEqual(rc, EX_OK, err)
        self.assertEqual([s for s, _ in self.state.jobs().values()], ["done"] * 4)

    def test_prune_frees_done_jobs_and_leaves_unfinished_ones(self):
        sources = make_sources(self.ws.path("in"), good=GOOD[:2])
        out, tmp = self.ws.path("out"), self.ws.path("state", "tmp")
        rc, _, err = self.vodctl("ingest", self.ws.path("in"), out, *OPTIONS, "--keep-tmp")
        self.assertEqual(rc, EX_DATAERR, err)
        # An unfinished job: split, not transcoded.
        rc, _, err = self.vodctl("split", sources[GOOD[0]], "--job", "unfinished", "--output",
                                 self.ws.path("out-unfinished"), *OPTIONS)
        self.assertEqual(rc, EX_OK, err)
        jobs = self.state.jobs()
        done = sorted(j for j, (s, _) in jobs.items() if s == "done")
        (failed,) = [j for j, (s, _) in jobs.items() if s == "failed"]
        self.assertEqual(len(done), 2)
        sizes = {j: sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in
                        os.walk(os.path.join(tmp, j)) for f in fs) for j in jobs}
        self.assertTrue(all(sizes[j] > 0 for j in done + ["unfinished"]), sizes)
        unfinished_tmp = tree_hashes(os.path.join(tmp, "unfinished"))
        outputs = tree_hashes(out)

        rc, stdout, err = self.vodctl("prune", "--older-than", "1d")
        self.assertEqual((rc, stdout), (EX_OK, "pruned 0 jobs, freed 0 bytes\n"), err)
        rc, stdout, err = self.vodctl("prune", "--older-than", "0")
        self.assertEqual(rc, EX_OK, err)
        self.assertEqual(stdout, f"pruned 2 jobs, freed {sizes[done[0]] + sizes[done[1]]} bytes\n")
        for job_id in done:
            self.assertFalse(os.path.exists(os.path.join(tmp, job_id)), job_id)
        self.assertEqual(tree_hashes(os.path.join(tmp, "unfinished")), unfinished_tmp)
        self.assertEqual(tree_hashes(out), outputs, "prune touched the outputs")
        self.assertEqual(set(self.state.jobs()), {failed, "unfinished"})
        # Their sources are published: ingest does not bring them back.
        rc, _, err = self.vodctl("ingest", self.ws.path("in"), out, *OPTIONS)
        self.assertEqual(rc, EX_OK, err)
        self.assertEqual(set(self.state.jobs()), {failed, "unfinished"})

        rc, stdout, err = self.vodctl("prune", "--older-than", "0", "--failed")
        self.assertEqual((rc, stdout), (EX_OK, f"pruned 1 jobs, freed {sizes[failed]} bytes\n"),
                         err)
        self.assertEqual(set(self.state.jobs()), {"unfinished"})
        self.assertEqual(tree_hashes(os.path.join(tmp, "unfinished")), unfinished_tmp)

    def test_bad_command_lines(self):
        rc, _, err = self.vodctl("ingest", self.ws.path("missing"), self.ws.path("out"))
        self.assertEqual(rc, vodtest.EX_IOERR)
        self.assertIn("missing", self.assert_one_error_line(err))
        rc, _, err = self.vodctl("prune", "--older-than", "soon")
        self.assertEqual(rc, vodtest.EX_USAGE)
        self.assertIn("invalid age 'soon'", self.assert_one_error_line(err))


class S3IngestTest(BatchTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = S3Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.enterContext(environment(**{name: None for name in FOREIGN_S3_VARIABLES},
                                      **self.server.env))
        self.s3 = self.server.client
        self.bucket = f"vodctl-batch-{uuid.uuid4().hex[:8]}"
        self.s3.create_bucket(self.bucket)

    def url(self, key):
        return f"s3://{self.bucket}/{key}"

    def download(self, prefix):
        """A local copy of everything under PREFIX."""
        folder = tempfile.mkdtemp(prefix="vodctl-batch-s3-")
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        for key in self.s3.list(self.bucket, prefix):
            path = os.path.join(folder, key[len(prefix):])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(self.s3.get(self.bucket, key))
        return folder

    def test_ingest_a_bucket_then_again_then_prune(self):
        local = make_sources(self.ws.path("in"))
        for key, path in local.items():
            with open(path, "rb") as f:
                self.s3.put(self.bucket, "uploads/" + key, f.read())
        report_path = self.ws.path("report.json")
        ingest = ["ingest", self.url("uploads/"), self.url("hls"), *OPTIONS, "--keep-tmp",
                  "--tmp", self.url("tmp"), "--report", report_path]
        rc, _, err = self.vodctl(*ingest)
        jobs = self.assert_first_ingest(self.read_report(report_path), rc, err)
        for job_id, job in jobs["done"].items():
            key = job["source"].split("/uploads/", 1)[1]
            self.assertEqual(job["output"], self.url("hls/" + job_id))
            self.assert_valid_hls(local[key], self.download(f"hls/{job_id}/"),
                                  segment_duration=1, heights=[240])
        for job_id, attempts in self.state.attempts().items():
            self.assertEqual(attempts, [1, 1], job_id)

        events = self.state.events()
        rc, _, err = self.vodctl(*ingest)
        self.assert_nothing_done_again(rc, err, self.read_report(report_path), events)

        # prune: the done jobs' tmp data goes from the bucket, the failed job's (if its split
        # left any) stays.
        (failed,) = jobs["failed"]
        tmp_jobs = lambda: {key.split("/")[1] for key in self.s3.list(self.bucket, "tmp/")}
        self.assertLessEqual(set(jobs["done"]), tmp_jobs())
        failed_tmp = self.s3.list(self.bucket, f"tmp/{failed}/")
        outputs = self.s3.list(self.bucket, "hls/")
        rc, stdout, err = self.vodctl("prune", "--older-than", "0")
        self.assertEqual(rc, EX_OK, err)
        self.assertRegex(stdout, r"^pruned 4 jobs, freed [1-9]\d* bytes\n$")
        self.assertEqual(tmp_jobs() - {failed}, set())
        self.assertEqual(self.s3.list(self.bucket, f"tmp/{failed}/"), failed_tmp)
        self.assertEqual(self.s3.list(self.bucket, "hls/"), outputs)
        self.assertEqual(set(self.state.jobs()), {failed})


if __name__ == "__main__":
    import unittest
    unittest.main()
