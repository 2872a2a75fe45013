"""`status --json` reports the contract fields for done, failed and running jobs."""

import json
import os
import signal
import time
import unittest

import vodtest
from vodtest import FAST, VodTestCase, media

JOB_KEYS = {"job", "state", "error", "source", "output", "options", "steps", "chunks",
            "source_info", "result", "tmp", "tmp_bytes"}
STEPS = {"split", "transcode", "concat", "segment"}
STATES = {"pending", "running", "done", "failed"}
CHUNK_KEYS = {"index", "state", "attempts", "frames"}
RENDITION_KEYS = {"name", "width", "height", "bandwidth", "average_bandwidth", "codecs",
                  "segments"}


class StatusTest(VodTestCase):

    def assert_job_shape(self, job):
        self.assertLessEqual(JOB_KEYS, set(job), "status --json keys")
        self.assertIn(job["state"], STATES)
        self.assertEqual(set(job["steps"]), STEPS)
        for step, value in job["steps"].items():
            self.assertIn(value["state"], STATES, step)
        self.assertIsInstance(job["options"], dict)
        self.assertIsInstance(job["chunks"], list)
        for chunk in job["chunks"]:
            self.assertLessEqual(CHUNK_KEYS, set(chunk))
            self.assertIn(chunk["state"], STATES)
        self.assertIsInstance(job["tmp"], str)
        self.assertIsInstance(job["tmp_bytes"], int)
        self.assertGreaterEqual(job["tmp_bytes"], 0)

    def test_done_job(self):
        source = media("small")
        facts = vodtest.SourceFacts.of(source)
        output = self.ws.path("out")
        self.run_ok("run", source, output, "--job", "finished", *FAST)
        jobs = self.ws.status("finished")
        self.assertEqual(len(jobs), 1)
        job = jobs[0]
        self.assert_job_shape(job)
        self.assertEqual(job["job"], "finished")
        self.assertEqual(job["state"], "done")
        self.assertIsNone(job["error"])
        self.assertEqual(job["source"], source)
        self.assertEqual(job["output"], output)
        self.assertEqual(job["options"]["preset"], "ultrafast")
        self.assertEqual(job["options"]["segment_duration"], 2)
        self.assertEqual(job["options"]["chunk_duration"], 4)
        self.assertEqual(job["options"]["format"], "fmp4")
        self.assertEqual({s: v["state"] for s, v in job["steps"].items()},
                         {s: "done" for s in STEPS})
        chunks = job["chunks"]
        self.assertGreaterEqual(len(chunks), 3, "10 s in 4 s chunks")
        self.assertEqual([c["index"] for c in chunks], list(range(len(chunks))))
        for chunk in chunks:
            self.assertEqual(chunk["state"], "done")
            self.assertGreaterEqual(chunk["attempts"], 1)
            self.assertGreater(chunk["frames"], 0)
        self.assertEqual(sum(c["frames"] for c in chunks), facts.frames,
                         "chunk frames add up to the source's frame count")

        info = job["source_info"]
        self.assertIsNotNone(info)
        for key in ("format", "duration", "bit_rate", "size", "video", "audio"):
            self.assertIn(key, info)
        self.assertEqual(info["size"], os.path.getsize(source))
        self.assertAlmostEqual(info["duration"], float(facts.video_end - facts.video_start),
                               delta=0.05)
        self.assertGreater(info["bit_rate"], 0)
        self.assertEqual(info["video"]["codec"], "h264")
        self.assertEqual((info["video"]["width"], info["video"]["height"]), (854, 480))
        self.assertIn("frame_rate", info["video"])
        self.assertIsNotNone(info["audio"])
        self.assertEqual(info["audio"]["codec"], "aac")

        master = vodtest.parse_master(os.path.join(output, "master.m3u8"))
        by_uri = {v["uri"]: v["attrs"] for v in master["variants"]}
        renditions = job["result"]["renditions"]
        self.assertEqual(sorted(r["name"] for r in renditions), ["360p", "480p"])
        for r in renditions:
            self.assertLessEqual(RENDITION_KEYS, set(r))
            attrs = by_uri[f"{r['name']}/index.m3u8"]
            self.assertEqual(f"{r['width']}x{r['height']}", attrs["RESOLUTION"])
            self.assertEqual(r["bandwidth"], int(attrs["BANDWIDTH"]))
            self.assertEqual(r["average_bandwidth"], int(attrs["AVERAGE-BANDWIDTH"]))
            self.assertEqual(r["codecs"], attrs["CODECS"])
            playlist = vodtest.parse_media_playlist(os.path.join(output, r["name"], "index.m3u8"))
            self.assertEqual(r["segments"], len(playlist["segments"]))

        # The human table lists the job, its state and output.
        rc, out, err = self.vodctl("status")
        self.assertEqual(rc, 0, err)
        rows = [line.split() for line in out.splitlines()]
        row = [r for r in rows if r and r[0] == "finished"]
        self.assertEqual(len(row), 1, out)
        self.assertIn("done", row[0])
        self.assertIn(output, row[0])

        # Done and not --keep-tmp: the tmp folder is gone, and looking does not bring it back.
        self.assertEqual(job["tmp"], self.ws.path("state", "tmp", "finished"))
        self.assertEqual(job["tmp_bytes"], 0)
        self.assertFalse(os.path.exists(job["tmp"]),
                         "a done job's tmp folder exists again after `status`")

    def test_failed_job(self):
        source = self.ws.path("notes.mp4")
        with open(source, "w") as f:
            f.write("this is not a video\n" * 50)
        output = self.ws.path("out")
        rc, _, err = self.vodctl("run", source, output, "--job", "broken", *FAST, quiet=True)
        self.assertEqual(rc, vodtest.EX_DATAERR, err)
        (job,) = self.ws.status("broken")
        self.assert_job_shape(job)
        self.assertEqual(job["state"], "failed")
        self.assertIsInstance(job["error"], str)
        self.assertTrue(job["error"].strip(), "a failed job says why")
        self.assertIn("notes.mp4", job["error"])
        self.assertEqual(job["steps"]["split"]["state"], "failed")
        for step in ("transcode", "concat", "segment"):
            self.assertEqual(job["steps"][step]["state"], "pending")
        self.assertEqual(err.strip(), "vodctl: " + job["error"],
                         "stderr and status tell the same reason")
        self.assertFalse(os.path.exists(os.path.join(output, "master.m3u8")))

        rc, out, err = self.vodctl("status")
        self.assertEqual(rc, 0, err)
        self.assertTrue(any(line.split()[:2] == ["broken", "failed"]
                            for line in out.splitlines() if line.strip()), out)
        self.assertIn(job["error"], out, "the table shows the error")

    def test_json_is_one_object_per_job_and_line(self):
        small = media("small")
        self.run_ok("run", small, self.ws.path("a"), "--job", "one", *FAST, quiet=True)
        bad = self.ws.path("empty.mp4")
        open(bad, "w").close()
        rc, _, _ = self.vodctl("run", bad, self.ws.path("b"), "--job", "two", *FAST, quiet=True)
        self.assertEqual(rc, vodtest.EX_DATAERR)
        rc, out, err = self.vodctl("status", "--json")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(len(lines), 2, out)
        jobs = {j["job"]: j for j in map(json.loads, lines)}
        self.assertEqual({k: j["state"] for k, j in jobs.items()}, {"one": "done", "two": "failed"})
        for job in jobs.values():
            self.assert_job_shape(job)

    def catch_running(self, job_id, new_state=False):
        """Starts `run` in the background, polls `status --json` until a chunk is being
        transcoded, then SIGKILLs vodctl. Returns that snapshot.

        The state database exists before `run` starts (as it does once vodctl has been used),
        unless new_state: then `run` and the first `status` calls create it side by side."""
        source = media("long")
        if not new_state:
            self.assertEqual(self.ws.status(), [])
        proc = self.ws.popen("run", source, self.ws.path("out"), "--job", job_id,
                             "--preset", "slow", "--chunk-duration", "4",
                             "--segment-duration", "2", "--encoder-threads", "1", quiet=True)
        snapshot, seen_states = None, []
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and proc.poll() is None:
                rc, out, err = self.vodctl("status", "--json", "--job", job_id, timeout=60)
                if rc == 0 and out.strip():
                    job = json.loads(out.splitlines()[0])
                    seen_states.append(job["state"])
                    if (job["state"] == "running"
                            and any(c["state"] == "running" for c in job["chunks"])):
                        snapshot = job
                        break
                else:
                    # "No such job" before `run` created it is fine; any other failure of a
                    # status that runs beside a job is not.
                    self.assertEqual(rc, vodtest.EX_USAGE,
                                     f"status beside a starting `run` failed ({rc}): {err}")
                    self.assertIn(f"'{job_id}'", err)
                time.sleep(0.05)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            _, run_err = proc.communicate(timeout=30)
        self.assertIsNotNone(snapshot, f"never saw the job running; states seen {seen_states}, "
                                       f"vodctl rc {proc.returncode}, stderr {run_err!r}")
        return snapshot

    def test_running_job(self):
        snapshot = self.catch_running("busy")
        self.assert_job_shape(snapshot)
        self.assertEqual(snapshot["state"], "running")
        self.assertIsNone(snapshot["error"])
        self.assertEqual(snapshot["steps"]["split"]["state"], "done")
        self.assertEqual(snapshot["steps"]["transcode"]["state"], "running")
        self.assertEqual(snapshot["steps"]["segment"]["state"], "pending")
        running = [c for c in snapshot["chunks"] if c["state"] == "running"]
        self.assertGreaterEqual(len(running), 1)
        for chunk in running:
            self.assertGreaterEqual(chunk["attempts"], 1)
        self.assertIsNotNone(snapshot["source_info"])
        self.assertEqual(snapshot["source_info"]["video"]["height"], 360)
        self.assertGreaterEqual(len(snapshot["chunks"]), 10, "40 s in 4 s chunks")
        self.assertGreater(snapshot["tmp_bytes"], 0, "split's chunks are in tmp")
        self.assertFalse(os.path.exists(self.ws.path("out", "master.m3u8")))

    def test_status_beside_run_on_a_new_state_database(self):
        # A first `run` and `status` calls opening a state database that does not exist yet.
        self.assertFalse(os.path.exists(self.ws.state))
        snapshot = self.catch_running("first", new_state=True)
        self.assertEqual(snapshot["state"], "running")

    def test_resume_after_kill(self):
        # A job whose process was killed mid-transcode is finished by `resume`.
        self.catch_running("killed")
        (job,) = self.ws.status("killed")
        self.assert_job_shape(job)
        self.assertNotEqual(job["state"], "done")
        self.assertFalse(os.path.exists(self.ws.path("out", "master.m3u8")))
        rc, out, err = self.vodctl("resume", "--job", "killed", quiet=True, timeout=300)
        self.assertEqual(rc, 0, f"resume after SIGKILL failed: {err}")
        (job,) = self.ws.status("killed")
        self.assertEqual(job["state"], "done")
        self.assertIsNone(job["error"])
        self.assertTrue(all(c["state"] == "done" for c in job["chunks"]))
        frames = vodtest.SourceFacts.of(media("long")).frames
        self.assertEqual(sum(c["frames"] for c in job["chunks"]), frames)
        self.assertEqual(vodtest.count_frames(self.ws.path("out", "360p", "index.m3u8")), frames)


if __name__ == "__main__":
    unittest.main()
