"""Bad input: the documented exit code, one stderr line that names the problem, and no
published presentation."""

import os
import unittest

import vodtest
from vodtest import EX_DATAERR, EX_IOERR, EX_NOINPUT, EX_USAGE, FAST, VodTestCase, media


class BadInputTest(VodTestCase):

    def setUp(self):
        super().setUp()
        self.output = self.ws.path("out")

    def fresh_workspace(self):
        """A new folder and state database, so one case cannot see another's job."""
        self.ws = vodtest.Workspace(prefix=f"vodctl-{self._testMethodName}-")
        self.addCleanup(self.ws.cleanup)
        self.output = self.ws.path("out")

    def assert_fails(self, args, code, mentions=(), job=None):
        """Runs vodctl --quiet ARGS; checks rc, the one stderr line, the output and the job."""
        rc, out, err = self.vodctl(*args, quiet=True)
        self.assertEqual(rc, code, f"exit code; stderr: {err!r}")
        self.assertEqual(out, "", "nothing on stdout when failing")
        line = self.assert_one_error_line(err)
        for word in mentions:
            self.assertIn(word, line, "the message names the problem")
        self.assertFalse(os.path.exists(os.path.join(self.output, "master.m3u8")),
                         "no master.m3u8 may be published for a failed job")
        jobs = self.ws.status() if os.path.exists(self.ws.state) else []
        if job is not None:
            found = [j for j in jobs if j["job"] == job]
            self.assertEqual(len(found), 1, f"job {job} is recorded")
            self.assertEqual(found[0]["state"], "failed")
            self.assertTrue(found[0]["error"], "the failed job has a reason")
            self.assertIn(found[0]["error"], line, "status tells the same reason as stderr")
            self.assertIsNone(found[0]["result"])
        else:
            # Rejected before a job exists: nothing recorded, or recorded as failed.
            for j in jobs:
                self.assertEqual(j["state"], "failed", f"job {j['job']} after a rejected command")
                self.assertTrue(j["error"])
        return line

    def run_args(self, source, *options, job="bad"):
        return ["run", source, self.output, "--job", job, *FAST, *options]

    # Sources ------------------------------------------------------------------------------

    def test_missing_source(self):
        source = self.ws.path("no-such-video.mp4")
        line = self.assert_fails(self.run_args(source), EX_NOINPUT, ["no-such-video.mp4"],
                                 job="bad")
        self.assertRegex(line.lower(), "not exist|no such file|not found|missing")

    def test_zero_byte_source(self):
        source = self.ws.path("zero.mp4")
        open(source, "wb").close()
        line = self.assert_fails(self.run_args(source), EX_DATAERR, ["zero.mp4"], job="bad")
        self.assertRegex(line.lower(), "empty|zero|0 bytes|no data")

    def test_text_source(self):
        source = self.ws.path("readme.mp4")
        with open(source, "w") as f:
            f.write("vodctl turns a source video into HLS.\n" * 100)
        self.assert_fails(self.run_args(source), EX_DATAERR, ["readme.mp4"], job="bad")

    def test_truncated_source(self):
        whole = media("small")
        with open(whole, "rb") as f:
            data = f.read()
        cut = int(len(data) * 0.4)
        self.assertGreater(data.find(b"moov"), cut,
                           "precondition: the moov box is at the end, the cut removes it")
        source = self.ws.path("truncated.mp4")
        with open(source, "wb") as f:
            f.write(data[:cut])
        self.assert_fails(self.run_args(source), EX_DATAERR, ["truncated.mp4"], job="bad")

    # Options ------------------------------------------------------------------------------

    def test_bad_ladder(self):
        source = media("small")
        for spec in ("720x", "abc", "720p@", "", "720p,,360p", "0p", "720p@-5k"):
            with self.subTest(ladder=spec):
                self.fresh_workspace()
                line = self.assert_fails(self.run_args(source, "--ladder", spec,
                                                       job="ladder"), EX_DATAERR, ["--ladder"])
                if spec:
                    self.assertIn(spec, line)

    def test_invalid_job_id(self):
        source = media("small")
        for job in ("../x", "a/b"):
            with self.subTest(job=job):
                self.fresh_workspace()
                line = self.assert_fails(self.run_args(source, job=job), EX_USAGE, [job])
                self.assertIn("job", line.lower())
                for stray in (self.ws.path("state", "x"), self.ws.path("x"),
                              self.ws.path("state", "tmp", "a")):
                    self.assertFalse(os.path.exists(stray), f"{stray} made for job ID {job}")

    def test_invalid_job_id_in_steps(self):
        source = media("small")
        self.assert_fails(["split", source, "--job", "../x", "--output", self.output, *FAST],
                          EX_USAGE, ["../x"])

    def test_unknown_option(self):
        source = media("small")
        self.assert_fails(self.run_args(source, "--no-such-option"), EX_USAGE,
                          ["--no-such-option"])
        self.assert_fails(["--no-such-global", "status"], EX_USAGE, ["--no-such-global"])
        # (CLI11 says "A subcommand is required" here, without the word: only rc and shape.)
        self.assert_fails(["no-such-command"], EX_USAGE)

    # Output -------------------------------------------------------------------------------

    def test_output_under_a_regular_file(self):
        source = media("small")
        blocker = self.ws.path("afile")
        with open(blocker, "w") as f:
            f.write("x")
        self.output = os.path.join(blocker, "out")
        self.assert_fails(self.run_args(source), EX_IOERR, [self.output], job="bad")
        with open(blocker) as f:
            self.assertEqual(f.read(), "x")


if __name__ == "__main__":
    unittest.main()
