"""The steps one by one give exactly what `run` gives, and a finished step is a no-op."""

import os
import unittest

import vodtest
from vodtest import FAST, VodTestCase, Workspace, media, tree_hashes


class StepsTest(VodTestCase):

    @classmethod
    def setUpClass(cls):
        cls.source = media("small")
        cls.ref = Workspace(prefix="vodctl-steps-ref-")
        try:
            rc, _, err = cls.ref.vodctl("run", cls.source, cls.ref.path("out"), "--job", "ref",
                                        "--jobs", "1", *FAST)
            if rc != 0:
                raise AssertionError(f"vodctl run failed ({rc}):\n{err}")
        except BaseException:
            cls.ref.cleanup()  # tearDownClass does not run when setUpClass fails
            raise
        cls.ref_hashes = tree_hashes(cls.ref.path("out"))

    @classmethod
    def tearDownClass(cls):
        cls.ref.cleanup()

    def setUp(self):
        super().setUp()
        self.assertIn("master.m3u8", self.ref_hashes)
        self.assertTrue(any(k.endswith(".m4s") for k in self.ref_hashes))
        self.output = self.ws.path("out")
        self.tmp = self.ws.path("state", "tmp", self.id().split(".")[-1])

    def step(self, *args):
        rc, out, err = self.vodctl(*args)
        self.assertEqual(rc, 0, f"vodctl {' '.join(args)} failed:\n{err}")
        return out

    def job(self, job_id):
        (job,) = self.ws.status(job_id)
        return job

    def snapshot(self, job_id):
        """Everything a step could change: output files, tmp files, chunk and step states."""
        job = self.job(job_id)
        return {"output": tree_hashes(self.output), "tmp": tree_hashes(job["tmp"]),
                "steps": job["steps"], "state": job["state"],
                "chunks": [(c["index"], c["state"], c["attempts"], c["result"])
                           for c in job["chunks"]]}

    def assert_rerun_changes_nothing(self, job_id, *args):
        before = self.snapshot(job_id)
        self.step(*args)
        self.assertEqual(self.snapshot(job_id), before,
                         f"re-running finished step `{' '.join(args)}` changed something")

    def split(self, job_id):
        return ("split", self.source, "--job", job_id, "--output", self.output, *FAST)

    def test_steps_one_by_one_equal_run(self):
        job_id = "onebyone"
        self.step(*self.split(job_id))
        job = self.job(job_id)
        self.assertEqual(job["steps"]["split"]["state"], "done")
        self.assertTrue(job["tmp"].endswith("/" + job_id))
        chunks = [c["index"] for c in job["chunks"]]
        self.assertGreaterEqual(len(chunks), 3, "a 10 s source in 4 s chunks has several")
        self.assertEqual(chunks, list(range(len(chunks))))
        self.assert_rerun_changes_nothing(job_id, *self.split(job_id))

        for n in chunks:
            self.step("transcode-chunk", "--job", job_id, "--chunk", str(n))
            states = {c["index"]: c["state"] for c in self.job(job_id)["chunks"]}
            self.assertEqual(states[n], "done", f"chunk {n} after transcode-chunk --chunk {n}")
        self.assertEqual(self.job(job_id)["steps"]["transcode"]["state"], "done")
        self.assert_rerun_changes_nothing(job_id, "transcode-chunk", "--job", job_id,
                                          "--chunk", "0")

        self.step("concat", "--job", job_id)
        self.assertEqual(self.job(job_id)["steps"]["concat"]["state"], "done")
        self.assert_rerun_changes_nothing(job_id, "concat", "--job", job_id)

        tmp = self.job(job_id)["tmp"]
        self.assertTrue(os.path.isdir(tmp))
        self.step("segment", "--job", job_id)
        self.assertFalse(os.path.exists(tmp), "tmp is removed once the job is done")
        self.assertEqual(self.job(job_id)["state"], "done")
        self.assertEqual(tree_hashes(self.output), self.ref_hashes,
                         "step-by-step output differs from `run` output")

        # Every step again on the finished job: rc 0 and not a byte changes.
        for args in (self.split(job_id), ("transcode-chunk", "--job", job_id, "--chunk", "0"),
                     ("concat", "--job", job_id), ("segment", "--job", job_id)):
            with self.subTest(rerun=args[0]):
                self.assert_rerun_changes_nothing(job_id, *args)
        self.assertEqual(tree_hashes(self.output), self.ref_hashes)

    def test_transcode_next_until_none_left(self):
        job_id = "next"
        self.step(*self.split(job_id))
        total = len(self.job(job_id)["chunks"])
        self.assertGreaterEqual(total, 3)
        claimed = []
        for _ in range(total):
            before = {c["index"] for c in self.job(job_id)["chunks"] if c["state"] == "done"}
            self.step("transcode-chunk", "--job", job_id, "--next")
            after = {c["index"] for c in self.job(job_id)["chunks"] if c["state"] == "done"}
            self.assertEqual(len(after - before), 1, "--next transcodes exactly one chunk")
            self.assertTrue(before <= after)
            claimed += sorted(after - before)
        self.assertEqual(sorted(claimed), list(range(total)))
        self.assertEqual(self.job(job_id)["steps"]["transcode"]["state"], "done")
        # Nothing left: still rc 0, nothing changes.
        self.assert_rerun_changes_nothing(job_id, "transcode-chunk", "--job", job_id, "--next")
        self.step("concat", "--job", job_id)
        self.step("segment", "--job", job_id)
        self.assertEqual(self.job(job_id)["state"], "done")
        self.assertEqual(tree_hashes(self.output), self.ref_hashes,
                         "output via --next differs from `run` output")

    def test_parallel_chunks_equal_run(self):
        # --jobs 4 transcodes four chunks side by side (each with an encoder thread per
        # rendition), more than this machine has cores: the same bytes as one at a time.
        self.step("run", self.source, self.output, "--job", "parallel", "--jobs", "4", *FAST)
        self.assertEqual(self.job("parallel")["state"], "done")
        self.assertEqual(tree_hashes(self.output), self.ref_hashes,
                         "run --jobs 4 output differs from run --jobs 1")


if __name__ == "__main__":
    unittest.main()
