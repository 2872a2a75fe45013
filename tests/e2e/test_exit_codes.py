"""Each failure exits with the one code that means it, and says in one line what and where.

S3's refusals are in test_s3.py (they need the server); these are the failures of the job's
own files: a mirror in tmp that is not what vodctl wrote, a chunk that failed for good (a
missing source is in test_bad_input.py).
"""

import os
import sqlite3
import time
import unittest

from vodtest import EX_DATAERR, EX_IOERR, FAST, VodTestCase, media

JOB = "codes"


class ExitCodeTest(VodTestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.ws.path("shared-tmp")
        self.job_tmp = os.path.join(self.tmp, JOB)

    def split(self):
        self.run_ok("split", media("small"), "--job", JOB, "--output", self.ws.path("out"),
                    "--tmp", self.tmp, "--ladder", "240p", *FAST, quiet=True)

    def test_a_mirrored_file_of_the_wrong_shape_exits_65_naming_it(self):
        # Valid JSON, but not what vodctl writes: another host taking the job over from tmp
        # must call it corrupt, not crash on it (70).
        self.split()
        self.run_ok("transcode-chunk", "--job", JOB, "--chunk", "0", quiet=True)
        for name, text in [("results/00000.json", "[]"),
                           ("results/00000.json", '{"size": "x"}'),
                           ("results/00000.json", '{"240p": {"size": "x"}}'),
                           ("plan.json", "[]"),
                           ("plan.json", '{"size": "x"}')]:
            with self.subTest(file=name, text=text):
                path = os.path.join(self.job_tmp, name)
                with open(path) as f:
                    good = f.read()
                with open(path, "w") as f:
                    f.write(text)
                try:
                    new_host = self.ws.path("new-host", f"{len(text)}-{name[0]}.db")
                    rc, _, err = self.vodctl("resume", "--job", JOB, "--tmp", self.tmp,
                                             state=new_host)
                finally:
                    with open(path, "w") as f:
                        f.write(good)
                self.assertEqual(rc, EX_DATAERR, err)
                self.assertIn(path, self.assert_one_error_line(err))

    def test_transcoding_a_chunk_that_failed_for_good_exits_65(self):
        # A scheduler's array task for that chunk must not count as a success.
        self.split()
        with sqlite3.connect(self.ws.state) as db:
            db.execute("UPDATE chunks SET state = 'failed', attempts = 3, error = 'bad frame' "
                       "WHERE job_id = ? AND idx = 1", (JOB,))
        rc, out, err = self.vodctl("transcode-chunk", "--job", JOB, "--chunk", "1")
        self.assertEqual(rc, EX_DATAERR, err)
        self.assertEqual(out, "")
        line = self.assert_one_error_line(err)
        self.assertIn("chunk 1 failed for good", line)
        self.assertIn("bad frame", line)
        # The others are still there to do; with none left, --next says why too.
        self.assertEqual(self.run_ok("transcode-chunk", "--job", JOB, "--chunk", "0",
                                     quiet=True), "0\n")
        while True:
            rc, out, err = self.vodctl("transcode-chunk", "--job", JOB, "--next", quiet=True)
            if rc != 0:
                break
            self.assertRegex(out, r"^\d+\n$")
        self.assertEqual(rc, EX_DATAERR, err)
        self.assertIn("chunk 1 failed for good", self.assert_one_error_line(err))

    def test_a_state_database_that_refuses_chunk_claims_exits_74_within_seconds(self):
        # Every claim fails as SQLite does on a full disk, before any chunk is claimed, so no
        # chunk attempt counts it: the workers of run/resume must give up, not spin for ever.
        # (A trigger, not a full or read-only file system: the failure lands exactly there,
        # after the job lock and split have written, and it works as root too.)
        self.split()
        with sqlite3.connect(self.ws.state) as db:
            db.execute("CREATE TRIGGER refuse_claims BEFORE UPDATE ON chunks "
                       "WHEN NEW.state = 'running' BEGIN "
                       "SELECT RAISE(ABORT, 'database or disk is full'); END")
        started = time.monotonic()
        rc, _, err = self.vodctl("resume", "--job", JOB, "--jobs", "2", quiet=True, timeout=60)
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual(rc, EX_IOERR, err)
        line = self.assert_one_error_line(err)
        self.assertIn("database or disk is full", line)
        self.assertIn(self.ws.state, line)
        (job,) = self.ws.status(JOB)
        self.assertEqual(job["state"], "failed", "the job must not stay running")


if __name__ == "__main__":
    unittest.main()
