"""The CMS hears from vodctl: signed webhooks from the durable outbox, `vodctl events`, and the
vodctl.json result document, checked against its schema and against ffprobe's view of the
output.

The receiver is http.server in a thread of the test; signatures are recomputed here with
Python's hmac, independently of vodctl's code.
"""

import hashlib
import hmac
import http.server
import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import unittest
from unittest import mock

import jsonschema

from vodtest import (EX_DATAERR, VodTestCase, ffprobe_json, media, parse_media_playlist,
                     vodctl_argv, vodctl_env)

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_PATH = os.path.join(HERE, "..", "..", "schemas", "vodctl-result.schema.json")
SECRET = "whsec_test_1234"
# Two chunks, two segments, one rung: a job of about a second.
JOB = ["--preset", "ultrafast", "--chunk-duration", "2", "--segment-duration", "2",
       "--ladder", "180p", "--notify-progress-interval", "0"]
# How old a signature's timestamp may be before the receiver refuses it as a replay.
TOLERANCE_S = 300


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    """A webhook receiver on 127.0.0.1. `answer(n)` gives the status for request n (0-based)
    and may sleep first."""

    def __init__(self, port=None, answer=lambda n: 200):
        self.requests = []  # (headers dict, body bytes), in arrival order
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    number = len(receiver.requests)
                    receiver.requests.append((dict(self.headers), body))
                status = answer(number)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # vodctl gave up waiting

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port or 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/vodctl"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def events(self):
        """The bodies received, parsed, in arrival order."""
        with self.lock:
            return [json.loads(body) for _, body in self.requests]

    def wait_for(self, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.events()):
                return
            time.sleep(0.05)
        raise AssertionError(f"the receiver did not get what was expected: {self.events()}")


def verify_signature(testcase, headers, body):
    """Checks Vodctl-Signature as a receiver would: t=UNIX,v1=HEX(HMAC(secret, t.body))."""
    fields = dict(part.split("=", 1) for part in headers["Vodctl-Signature"].split(","))
    expected = hmac.new(SECRET.encode(), fields["t"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    testcase.assertTrue(hmac.compare_digest(fields["v1"], expected), headers)
    testcase.assertLess(abs(time.time() - int(fields["t"])), TOLERANCE_S)


def unique_in_order(events):
    """The events without repeated deliveries; a repeat must be the same event (same ID)."""
    by_id, ordered = {}, []
    for event in events:
        if event["id"] in by_id:
            assert by_id[event["id"]] == event, (by_id[event["id"]], event)
            continue
        by_id[event["id"]] = event
        ordered.append(event)
    return ordered


class NotifyTest(VodTestCase):
    def setUp(self):
        super().setUp()
        patcher = mock.patch.dict(os.environ, {"VODCTL_NOTIFY_SECRET": SECRET})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.source = media("tiny")

    def receiver(self, **kwargs):
        receiver = Receiver(**kwargs)
        self.addCleanup(receiver.stop)
        return receiver

    def outbox(self):
        """Every event in the state database, as `vodctl events --json` prints them."""
        rc, out, err = self.vodctl("events", "--json")
        self.assertEqual(rc, 0, err)
        return [json.loads(line) for line in out.splitlines()]

    def assert_matches_ffprobe(self, output, document):
        for rendition in document["renditions"]:
            playlist = os.path.join(output, rendition["playlist"])
            probed = ffprobe_json(playlist, "-show_streams", "-show_format")
            video = [s for s in probed["streams"] if s["codec_type"] == "video"][0]
            self.assertEqual(video["codec_name"], "h264")
            self.assertTrue(rendition["codec"].startswith("avc1."))
            self.assertEqual((video["width"], video["height"]),
                             (rendition["width"], rendition["height"]))
            self.assertAlmostEqual(float(probed["format"]["duration"]), rendition["duration"],
                                   delta=0.1)
            segments = parse_media_playlist(playlist)["segments"]
            self.assertEqual(len(segments), rendition["segments"])
            self.assertEqual(sum(os.path.getsize(s["path"]) for s in segments),
                             rendition["bytes"])
        for track in document["audio"]:
            playlist = os.path.join(output, track["playlist"])
            probed = ffprobe_json(playlist, "-show_streams", "-show_format")
            audio = [s for s in probed["streams"] if s["codec_type"] == "audio"][0]
            self.assertEqual(audio["codec_name"], "aac")
            self.assertEqual(audio["channels"], track["channels"])
            self.assertEqual(int(audio["sample_rate"]), track["sample_rate"])
            self.assertAlmostEqual(float(probed["format"]["duration"]), track["duration"],
                                   delta=0.1)
        source = ffprobe_json(self.source, "-show_format")["format"]
        self.assertEqual(document["source"]["size"], int(source["size"]))
        self.assertAlmostEqual(document["source"]["duration"], float(source["duration"]),
                               delta=0.1)

    def test_created_progress_done_arrive_in_order_signed_with_the_result(self):
        receiver = self.receiver()
        output = self.ws.path("out")
        self.run_ok("run", self.source, output, *JOB, "--notify", receiver.url)
        receiver.wait_for(lambda events: any(e["type"] == "job.done" for e in events))

        for headers, body in receiver.requests:
            verify_signature(self, headers, body)
            self.assertEqual(headers["Vodctl-Event-Id"], json.loads(body)["id"])
        events = unique_in_order(receiver.events())
        self.assertEqual([e["type"] for e in events],
                         ["job.created", "job.progress", "job.progress", "job.done"])
        self.assertEqual([e["sequence"] for e in events], [1, 2, 3, 4])
        self.assertEqual(len({e["job"]["id"] for e in events}), 1)
        self.assertEqual(events[2]["data"],
                         {"percent": 100.0, "chunks_done": 2, "chunks_total": 2})

        done = events[-1]["data"]
        with open(SCHEMA_PATH) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.Draft202012Validator(schema).validate(done["result"])
        with open(os.path.join(output, "vodctl.json")) as f:
            published = json.load(f)
        self.assertEqual(published, done["result"])
        self.assertEqual(done["output"], output)
        self.assertEqual(set(done["timings"]), {"split", "transcode", "concat", "segment"})
        self.assert_matches_ffprobe(output, published)
        # The published document says nothing of the job's ID or the time.
        self.assertNotIn(events[0]["job"]["id"], json.dumps(published))

    def test_kill_9_loses_no_event_and_resume_delivers_them_in_order(self):
        port = free_port()  # nobody listens yet: connection refused
        proc = subprocess.Popen(
            vodctl_argv(["run", self.source, self.ws.path("out"), *JOB,
                         "--notify", f"http://127.0.0.1:{port}/hook"], self.ws.state, True),
            env=vodctl_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Killed once the first chunk's progress is recorded, with its delivery still pending.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with sqlite3.connect(f"file:{self.ws.state}?mode=ro", uri=True) as db:
                    if db.execute("SELECT COUNT(*) FROM outbox WHERE type = 'job.progress'"
                                  ).fetchone()[0] > 0:
                        break
            except sqlite3.Error:
                pass  # not created yet
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        recorded = self.outbox()
        self.assertGreaterEqual(len(recorded), 2)

        # The receiver comes up answering 503 twice, then takes them.
        receiver = self.receiver(port=port, answer=lambda n: 503 if n < 2 else 200)
        job_id = recorded[0]["job"]["id"]
        rc, _, err = self.vodctl("resume", "--job", job_id)
        self.assertEqual(rc, 0, err)

        events = unique_in_order(receiver.events())
        recorded = self.outbox()
        self.assertEqual(recorded[-1]["type"], "job.done")
        self.assertEqual(events, recorded)  # every one, in order, the same bytes
        for headers, body in receiver.requests:
            verify_signature(self, headers, body)
        self.assertGreater(len(receiver.requests), len(events))  # the 503s were retried

    def test_a_bad_source_sends_job_failed_with_the_error_and_exit_code(self):
        receiver = self.receiver()
        bad = self.ws.path("bad.mp4")
        with open(bad, "wb") as f:
            f.write(b"this is not a video" * 100)
        rc, _, err = self.vodctl("run", bad, self.ws.path("out"), *JOB, "--notify", receiver.url)
        self.assertEqual(rc, EX_DATAERR, err)
        receiver.wait_for(lambda events: any(e["type"] == "job.failed" for e in events))
        events = unique_in_order(receiver.events())
        self.assertEqual([e["type"] for e in events], ["job.created", "job.failed"])
        failed = events[-1]["data"]
        self.assertEqual(failed["exit_code"], EX_DATAERR)
        self.assertFalse(failed["retry_may_help"])
        self.assertIn(failed["error"], err)
        self.assertNotIn("\n", failed["error"])

    def test_events_follow_prints_what_the_receiver_got(self):
        receiver = self.receiver()
        # The state must exist before `events` opens it read-only: any command creates it.
        self.run_ok("status")
        follow = subprocess.Popen(vodctl_argv(["events", "--follow", "--json"], self.ws.state),
                                  env=vodctl_env(), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            self.run_ok("run", self.source, self.ws.path("out"), *JOB, "--notify", receiver.url)
            receiver.wait_for(lambda events: any(e["type"] == "job.done" for e in events))
            time.sleep(0.5)  # two of its polls
        finally:
            follow.send_signal(signal.SIGTERM)
            out, err = follow.communicate(timeout=10)
        self.assertEqual(follow.returncode, 0, err)
        printed = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(printed, unique_in_order(receiver.events()))
        # Both processes ran a sender on the state; claims let only one send each event.
        self.assertEqual(len(receiver.requests), len(printed))

        rc, text, err = self.vodctl("events", "--job", printed[0]["job"]["id"], "--since", "2")
        self.assertEqual(rc, 0, err)
        self.assertEqual([line.split()[3] for line in text.splitlines()],
                         ["job.progress", "job.done"])

    def test_a_receiver_that_hangs_does_not_slow_the_job(self):
        def timed(*extra):
            self.fresh_workspace()
            start = time.monotonic()
            self.run_ok("run", self.source, self.ws.path("out"), *JOB, *extra)
            return time.monotonic() - start

        hanging = self.receiver(answer=lambda n: time.sleep(30) or 200)
        timed()  # warms the page cache for both
        # The faster of two runs each, interleaved, so a burst of load elsewhere on the
        # machine does not decide the comparison.
        without, with_hang = float("inf"), float("inf")
        for _ in range(2):
            without = min(without, timed())
            with_hang = min(with_hang, timed("--notify", hanging.url))
        print(f"\nwall time without --notify {without:.2f} s, with a hanging receiver "
              f"{with_hang:.2f} s")
        self.assertLessEqual(with_hang, without * 1.05 + 1)
        self.assertGreaterEqual(len(hanging.requests), 1)
        # What it did not take waits in the outbox, and status says so.
        notify = self.ws.status()[0]["notify"]
        self.assertEqual(notify["urls"], [hanging.url])
        self.assertGreater(notify["pending"], 0)
        self.assertEqual(notify["delivered"], 0)

    def test_a_4xx_is_not_retried_and_status_shows_it_without_credentials(self):
        receiver = self.receiver(answer=lambda n: 410)
        url = receiver.url.replace("http://", "http://cms:hunter2@") + "?token=sekrit"
        self.run_ok("run", self.source, self.ws.path("out"), *JOB, "--notify", url)
        notify = self.ws.status()[0]["notify"]
        self.assertEqual(notify["delivered"], 0)
        self.assertEqual(notify["pending"], 0)
        self.assertEqual(notify["failed"], 4)  # each event tried once, not retried
        self.assertEqual(len(receiver.requests), 4)
        self.assertIn("HTTP 410", notify["last_error"])
        rc, table, err = self.vodctl("status")
        self.assertIn("4 given up", table)
        rc, events, _ = self.vodctl("events", "--json")
        for shown in (json.dumps(notify), table, err, events):
            self.assertNotIn("hunter2", shown)
            self.assertNotIn("sekrit", shown)
            self.assertNotIn(SECRET, shown)


if __name__ == "__main__":
    unittest.main()
