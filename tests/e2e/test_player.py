"""Real players play vodctl's output: headless Chromium with hls.js (HLS) and dash.js (DASH).

vodctl makes fMP4 and TS presentations of a 12 s source with three variants, the fMP4 one also
with a DASH MPD (--dash); a small HTTP server on 127.0.0.1 serves them with the player pages
tests/player/hls.html and dash.html; tests/player/drive.js (playwright-core) plays them in
Debian's Chromium, the same scenario for both players, and prints what happened as JSON, which
this test judges: playback starts at time 0; seeks to the middle and near the end, beyond what
is buffered, land where asked and play on (to the end); from a replay at 0 the playhead runs
past several segments without a seek; a forced switch to every level loads it and shows its
frames while playback goes on; every fragment is buffered (hls.js) or loaded (dash.js) at its
playlist's or MPD's times; the player raises no fatal error, nor any non-fatal one but those
explained below.

Prerequisites: node, npm and /usr/bin/chromium (scripts/install-deps.sh installs them); the
npm packages pinned in tests/player/package-lock.json are installed here with `npm ci` into
tests/player/node_modules (git-ignored) when missing or out of date.
"""

import fcntl
import functools
import gzip
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import threading
import unittest
import urllib.parse
import uuid
from fractions import Fraction

from mpd import parse_mpd
import test_s3
from vodtest import VodTestCase, Workspace, media, parse_master, parse_media_playlist

PLAYER_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                           "..", "player"))
NODE_MODULES = os.path.join(PLAYER_DIR, "node_modules")
LOCK_FILE = os.path.join(PLAYER_DIR, "package-lock.json")
# Hash of the package-lock.json that node_modules was installed from.
INSTALLED_STAMP = os.path.join(NODE_MODULES, ".vodctl-package-lock.sha256")
CHROMIUM = "/usr/bin/chromium"

SEGMENT_DURATION = 2
# Default preset (veryfast): High profile with B-frames, as a real job makes.
OPTIONS = ["--chunk-duration", "4", "--segment-duration", str(SEGMENT_DURATION)]
# How far a seek may land from where it was asked to, the end of playback from the duration,
# and a fragment's buffered start and duration from its playlist's.
TOLERANCE = 0.25

# Non-fatal hls.js errors that are part of normal playback, by `details`. What would make them
# matter (playback that does not go on, a fragment away from its playlist times) is checked.
BENIGN_ERRORS = {
    # a fragment load cancelled by hls.js itself, on a forced switch or a seek;
    "aborted",
    # the playhead waited for data (a busy machine) and hls.js nudged it;
    "bufferStalledError", "bufferNudgeOnStall",
    # an appended fragment did not grow the buffered range (hls.js counts it against its
    # append retries): seen once in about 45 TS runs, on the fragment that hls.js's own
    # bandwidth estimate switched down to during the seek to the middle.
    "bufferAppendNoProgress",
}
# ... and one only at the very start: with B-frames the first frame is presented one decode
# delay (here 80 ms) after the first decode time, which hls.js takes as time 0; it then
# sometimes stalls at 0 and jumps over that gap (to 0.18 s), a race with its start-up.
START_GAP_ERROR = "bufferSeekOverHole"


def install_player_packages():
    """Checks the prerequisites and runs `npm ci` unless node_modules matches the lock file.

    Raises AssertionError, naming what to do, when something is missing or fails."""
    missing = [name for name in ("node", "npm") if shutil.which(name) is None]
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(CHROMIUM)
    if missing:
        raise AssertionError(f"the player test needs {', '.join(missing)}: run "
                             f"scripts/install-deps.sh as root")
    with open(LOCK_FILE, "rb") as lock:
        wanted = hashlib.sha256(lock.read()).hexdigest()
        # One installer at a time, when several test runs share this source tree.
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(INSTALLED_STAMP, encoding="ascii") as f:
                if f.read().strip() == wanted:
                    return
        except FileNotFoundError:
            pass
        proc = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PLAYER_DIR,
                              capture_output=True, text=True, timeout=600,
                              stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            raise AssertionError(f"npm ci in {PLAYER_DIR} failed ({proc.returncode}):\n"
                                 f"{proc.stdout}{proc.stderr}")
        with open(INSTALLED_STAMP, "w", encoding="ascii") as f:
            f.write(wanted + "\n")


class StaticServer:
    """Serves a folder on 127.0.0.1 (a free port) in a thread; records each request's path and
    status, and in `encodings` the Content-Encoding each path went out with.

    OBJECTS, {URL path: (bytes, {header: value})}, are answered as stored, with their headers,
    before any file: what a bucket behind a CDN sends."""

    def __init__(self, root, objects=None):
        self.requests = []
        self.encodings = {}
        requests, encodings, objects = self.requests, self.encodings, objects or {}

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_request(self, code="-", size="-"):
                requests.append((self.path, int(code)))

            def log_message(self, *args):
                pass  # requests are kept in self.requests, not printed

            def do_GET(self):
                stored = objects.get(urllib.parse.unquote(self.path.split("?", 1)[0]))
                if stored is None:
                    return super().do_GET()
                body, headers = stored
                self.send_response(200)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                encodings[self.path] = headers.get("Content-Encoding")
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=root))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self):
        host, port = self.httpd.server_address
        return f"http://{host}:{port}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def setUpModule():
    install_player_packages()


class PlaybackCase(VodTestCase):
    """Plays a presentation in Chromium and judges what the player did."""

    def check_playback(self, presentation_class, *options, source="main720"):
        source = media(source)
        www = self.ws.path("www")
        os.makedirs(www)
        output = os.path.join(www, "out")
        self.run_ok("run", source, output, *options, *OPTIONS)
        self.play_and_judge(presentation_class(output), www)

    def play_and_judge(self, presentation, www, objects=None):
        """Plays PRESENTATION, served from WWW (and OBJECTS) under /out/, and judges it."""
        self.assertGreaterEqual(len(presentation.heights()), 2,
                                "several levels to switch between")
        if not os.path.exists(os.path.join(www, "player")):
            os.symlink(PLAYER_DIR, os.path.join(www, "player"))
        server = StaticServer(www, objects)
        self.addCleanup(server.close)
        report = self.drive(f"{server.base_url}/player/{presentation.PAGE}"
                            f"?src=/out/{presentation.ENTRY}")

        failed = [r for r in server.requests if r[1] >= 400]
        self.assertEqual(failed, [], "HTTP requests that failed")
        # The judge first: when a step failed, it says which and what the player did.
        PlaybackJudge(self, report, presentation).check_all()
        requested = {path for path, _ in server.requests}
        for path in presentation.files_to_load():
            self.assertIn(f"/out/{path}", requested)
        return server

    def drive(self, page_url):
        proc = subprocess.run(["node", os.path.join(PLAYER_DIR, "drive.js"), page_url,
                               str(SEGMENT_DURATION)], cwd=PLAYER_DIR, capture_output=True,
                              text=True, timeout=180, stdin=subprocess.DEVNULL,
                              env={**os.environ, "VODCTL_CHROMIUM": CHROMIUM})
        self.assertEqual(proc.returncode, 0, f"drive.js failed:\n{proc.stderr}")
        # Kept with the work folder (VODCTL_TEST_KEEP=1) for a look at what the player did.
        with open(self.ws.path("player-report.json"), "w", encoding="utf-8") as f:
            f.write(proc.stdout)
        return json.loads(proc.stdout)


class PlayerTest(PlaybackCase):

    def test_fmp4(self):
        # A 5.1 upload: a stereo and a 5.1 rendition, each of which hls.js plays.
        self.check_playback(HlsPresentation, "--format", "fmp4", source="main720_surround")

    def test_ts(self):
        self.check_playback(HlsPresentation, "--format", "ts")

    def test_dash(self):
        self.check_playback(DashPresentation, "--format", "fmp4", "--dash")


class CompressedPlaylistsTest(PlaybackCase):
    """hls.js and dash.js play an output stored on S3 with --compress-playlists (playlists and
    MPD gzip-compressed, Content-Encoding: gzip), served as a bucket behind a CDN serves it: a
    small server answers with each object's stored bytes and stored headers, read from the S3
    server (test_s3's) by the test's own S3 client. The judge reads the presentation from a
    copy the test decompressed itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        test_s3.setUpModule()  # the S3 server, and vodctl's environment pointed at it
        cls.addClassCleanup(test_s3.tearDownModule)
        cls.work = Workspace(prefix="vodctl-player-s3-")
        cls.addClassCleanup(cls.work.cleanup)
        client, bucket = test_s3.SERVER.client, f"vodctl-{uuid.uuid4().hex[:12]}"
        client.create_bucket(bucket)
        rc, _, err = cls.work.vodctl("run", media("main720"), f"s3://{bucket}/out/",
                                     "--tmp", f"s3://{bucket}/tmp/", "--format", "fmp4",
                                     "--dash", "--compress-playlists", *OPTIONS)
        if rc != 0:
            raise AssertionError(f"vodctl run to S3 failed ({rc}):\n{err}")
        cls.objects = {}  # URL path: (stored bytes, stored headers)
        cls.decoded = cls.work.path("decoded")  # what the judge reads
        for key in client.list(bucket, "out/"):
            body, stored = client.get(bucket, key), client.head(bucket, key)
            headers = {name: stored[name.lower()] for name in
                       ("Content-Type", "Content-Encoding", "Cache-Control") if name.lower() in stored}
            cls.objects["/" + key] = (body, headers)
            path = os.path.join(cls.decoded, key.removeprefix("out/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body)
        cls.www = cls.work.path("www")  # the player pages; /out/ is the bucket's
        os.makedirs(cls.www)

    def check_compressed(self, presentation_class):
        presentation = presentation_class(self.decoded)
        compressed = sorted(p for p, (_, h) in self.objects.items()
                            if h.get("Content-Encoding") == "gzip")
        self.assertIn(f"/out/{presentation.ENTRY}", compressed)
        self.assertTrue(all(p.endswith((".m3u8", ".mpd")) for p in compressed), compressed)
        server = self.play_and_judge(presentation, self.www, self.objects)
        sent = {p: e for p, e in server.encodings.items() if p.endswith((".m3u8", ".mpd"))}
        self.assertIn(f"/out/{presentation.ENTRY}", sent)
        self.assertEqual(set(sent.values()), {"gzip"}, "every playlist went out compressed")

    def test_hls_compressed(self):
        self.check_compressed(HlsPresentation)

    def test_dash_compressed(self):
        self.check_compressed(DashPresentation)


class HlsPresentation:
    """What hls.js is to find in an HLS output, from its playlists."""

    PAGE, ENTRY = "hls.html", "master.m3u8"
    ERRORS_ALLOWED = BENIGN_ERRORS
    # hls.js tells when a fragment is in the buffer, with the times it measured in the media.
    FRAGMENT_EVENT = "FRAG_BUFFERED"
    AUDIO_BUFFERED_AHEAD = False  # of video (see PlaybackJudge.check_audio_loaded)

    def __init__(self, output):
        self.output = output
        self.master = parse_master(os.path.join(output, "master.m3u8"))

    def heights(self):
        return sorted(int(v["attrs"]["RESOLUTION"].split("x")[1])
                      for v in self.master["variants"])

    def duration(self):
        """vodctl's own idea of the duration: the variants' EXTINF sum."""
        first = self.master["variants"][0]["uri"]
        playlist = parse_media_playlist(os.path.join(self.output, first))
        return float(sum(seg["duration"] for seg in playlist["segments"]))

    def audio_renditions(self):
        return sum(1 for m in self.master["media"] if m["TYPE"] == "AUDIO")

    def files_to_load(self):
        for variant in self.master["variants"]:
            yield variant["uri"]
            playlist = parse_media_playlist(os.path.join(self.output, variant["uri"]))
            if playlist["map"]:
                yield os.path.relpath(playlist["map"], self.output)

    def check_previews(self, judge):
        """The I-frame variants hls.js reports and the thumbnail track the browser parsed."""
        t, log = judge.t, judge.log
        parsed = next(e for e in log if e["type"] == "MANIFEST_PARSED")
        iframes = parsed["iframeVariants"]
        t.assertEqual(sorted(v["height"] for v in iframes), self.heights(),
                      "one I-frame variant per variant")
        for variant in iframes:
            t.assertTrue(variant["url"].endswith(f"/{variant['height']}p/iframes.m3u8"), variant)
            t.assertGreater(variant["bitrate"], 0, variant)
        loaded = [e for e in log if e["type"] in ("THUMBNAILS", "THUMBNAILS_ERROR")]
        t.assertEqual([e["type"] for e in loaded], ["THUMBNAILS"],
                      "the thumbnail track did not load")
        cues = loaded[0]["cues"]
        first = self.master["variants"][0]["uri"]
        segments = parse_media_playlist(os.path.join(self.output, first))["segments"]
        t.assertEqual(len(cues), len(segments), "a thumbnail per segment")
        t.assertAlmostEqual(cues[0]["start"], 0, delta=TOLERANCE)
        for before, after in zip(cues, cues[1:]):
            t.assertAlmostEqual(before["end"], after["start"], delta=0.002, msg="cues overlap "
                                "or leave a gap")
        t.assertAlmostEqual(cues[-1]["end"], self.duration(), delta=TOLERANCE)
        for cue in cues:
            t.assertRegex(cue["text"], r"^sprite_[0-9a-f]{10}_\d{5}\.jpg#xywh=\d+,\d+,\d+,\d+$")

    def spans(self, parsed, frag_type, level):
        """[(start, duration)] of the fragments of one level (MANIFEST_PARSED's numbering)."""
        track = parsed["levels" if frag_type == "main" else "audioTracks"][level]
        path = os.path.join(self.output, track["url"].split("/out/", 1)[1])
        start, spans = 0.0, []
        for seg in parse_media_playlist(path)["segments"]:
            spans.append((start, float(seg["duration"])))
            start += float(seg["duration"])
        return spans


class DashPresentation:
    """What dash.js is to find in a DASH output, from its MPD."""

    PAGE, ENTRY = "dash.html", "manifest.mpd"
    # dash.js reports only errors it could not play through.
    ERRORS_ALLOWED = set()
    # dash.js has no event per fragment buffered; a loaded one has the times dash.js took
    # from the MPD, which the buffered ranges then show (check_start).
    FRAGMENT_EVENT = "FRAG_LOADED"
    AUDIO_BUFFERED_AHEAD = True

    def __init__(self, output):
        self.output = output
        self.mpd = parse_mpd(os.path.join(output, "manifest.mpd"))
        self.video = next(s for s in self.mpd["sets"] if s["contentType"] == "video")
        self.audio = [s for s in self.mpd["sets"] if s["contentType"] == "audio"]

    def heights(self):
        return sorted(int(r["height"]) for r in self.video["representations"])

    def duration(self):
        return float(self.mpd["duration"])

    def audio_renditions(self):
        return len(self.audio)

    def files_to_load(self):
        yield "manifest.mpd"
        for aset in [self.video] + self.audio:
            for rep in aset["representations"]:
                yield os.path.relpath(rep["init"], self.output)

    def spans(self, parsed, frag_type, level):
        """[(start, duration)] by segment number, in Period time: dash.js numbers video
        qualities by bandwidth, so a level is found by its height."""
        if frag_type == "main":
            height = parsed["levels"][level]["height"]
            rep = next(r for r in self.video["representations"] if int(r["height"]) == height)
        else:
            rep = self.audio[0]["representations"][level]
        return [(float(Fraction(s["t"] - rep["pto"], rep["timescale"])),
                 float(Fraction(s["d"], rep["timescale"]))) for s in rep["segments"]]


class PlaybackJudge:
    """Assertions on one drive.js report."""

    def __init__(self, test, report, presentation):
        self.t = test
        self.report = report
        self.presentation = presentation
        self.log = report["log"]
        self.steps = report["steps"]

    def summary(self):
        """What happened, in short, for failure messages."""
        player = self.report["player"]
        lines = [f"Chromium {self.report['browser']}, {player['name']} {player['version']}"]
        for s in self.steps:
            sample = s["sample"]
            lines.append(f"  step {s['name']} {s['arg']}: {'ok' if s['ok'] else 'TIMED OUT'} "
                         f"after {s['ms']} ms, currentTime {sample['currentTime']:.3f}, "
                         f"videoHeight {sample['videoHeight']}, error {s['actionError']}, "
                         f"media error {sample['mediaError']}")
        for e in self.log:
            if e["type"] in ("ERROR", "video:error"):
                lines.append(f"  {e}")
        lines += [f"  console {c}" for c in self.report["console"]]
        lines += [f"  page error {p}" for p in self.report["pageErrors"]]
        return "\n".join(lines)

    def step_entries(self, name, arg=None):
        """(step report, log entries from its start to the next step's start)."""
        markers = [i for i, e in enumerate(self.log) if e["type"] == "step"]
        for n, s in enumerate(self.steps):
            if s["name"] == name and (arg is None or s["arg"] == arg):
                begin = markers[n]
                end = markers[n + 1] if n + 1 < len(markers) else len(self.log)
                return s, self.log[begin:end]
        self.t.fail(f"step {name} {arg or ''} never ran\n{self.summary()}")

    def previous_step(self, step):
        return self.steps[self.steps.index(step) - 1]

    def check_all(self):
        self.t.assertTrue(self.report["player"]["supported"],
                          f"{self.report['player']['name']} says this Chromium has no Media "
                          f"Source Extensions")
        unsupported = [t for t, ok in self.report.get("typeSupport", {}).items() if not ok]
        self.t.assertEqual(unsupported, [], "MediaSource.isTypeSupported() is false for these "
                                            "variants' CODECS")
        self.t.assertTrue(all(s["ok"] for s in self.steps),
                          f"playback did not go as planned:\n{self.summary()}")
        self.check_errors()
        self.check_levels()
        self.check_fragment_times()
        self.check_start()
        self.check_seeks()
        self.check_continuous_play()
        self.check_switches()
        self.check_audio_switches()
        if hasattr(self.presentation, "check_previews"):
            self.presentation.check_previews(self)

    def check_errors(self):
        player = self.report["player"]["name"]
        errors = [e for e in self.log if e["type"] == "ERROR"]
        self.t.assertEqual([e for e in errors if e["fatal"]], [],
                           f"fatal {player} errors\n{self.summary()}")
        first_playing = next((i for i, e in enumerate(self.log) if e["type"] == "video:playing"),
                             len(self.log))
        unexpected = [e for i, e in enumerate(self.log) if e["type"] == "ERROR"
                      and e["details"] not in self.presentation.ERRORS_ALLOWED
                      and not (e["details"] == START_GAP_ERROR and i < first_playing
                               and e["currentTime"] <= TOLERANCE)]
        self.t.assertEqual(unexpected, [], f"non-fatal {player} errors\n{self.summary()}")
        self.t.assertEqual(self.report["pageErrors"], [], "uncaught errors in the page")
        self.t.assertIsNone(self.report["final"]["mediaError"], "the video element failed")

    def check_levels(self):
        parsed = next(e for e in self.log if e["type"] == "MANIFEST_PARSED")
        self.t.assertEqual(sorted(level["height"] for level in parsed["levels"]),
                           self.presentation.heights(),
                           f"the player's levels against {self.presentation.ENTRY}")
        self.t.assertEqual(len(parsed["audioTracks"]), self.presentation.audio_renditions(),
                           "the audio renditions")

    def check_audio_switches(self):
        """Every audio rendition was switched to, buffered and decoded while playing on."""
        tracks = next(e for e in self.log if e["type"] == "MANIFEST_PARSED")["audioTracks"]
        if len(tracks) < 2:
            return
        switched = {step["arg"]["id"] for step in self.steps if step["name"] == "audio-switch"}
        self.t.assertEqual(switched, set(range(len(tracks))),
                           f"audio renditions switched to\n{self.summary()}")
        for step in (s for s in self.steps if s["name"] == "audio-switch"):
            track = tracks[step["arg"]["id"]]
            _, entries = self.step_entries("audio-switch", step["arg"])
            with self.t.subTest(audio=track["name"]):
                folder = track["url"].rsplit("/", 2)[-2] + "/"
                self.t.assertTrue(any(e["type"] == "FRAG_LOADED" and e["fragType"] == "audio"
                                      and folder in e["url"] for e in entries),
                                  f"no fragment of {folder} was loaded")
                self.t.assertGreater(step["sample"]["audioDecodedBytes"],
                                     self.previous_step(step)["sample"]["audioDecodedBytes"],
                                     "no audio was decoded after the switch")

    def check_fragment_times(self):
        """Every fragment the player buffered (hls.js) or loaded (dash.js) spans the times its
        playlist or the MPD gives it. hls.js measures them from the media's timestamps, and
        fills small gaps between fragments by moving timestamps, which shows here."""
        parsed = next(e for e in self.log if e["type"] == "MANIFEST_PARSED")
        spans = {}  # (fragType, level) -> [(start, duration)] by sequence number
        wrong = []
        for e in self.log:
            if e["type"] == self.presentation.FRAGMENT_EVENT:
                key = (e["fragType"], e["level"])
                if key not in spans:
                    spans[key] = self.presentation.spans(parsed, *key)
                start, duration = spans[key][e["sn"]]
                if (abs(e["start"] - start) > TOLERANCE or
                        abs(e["duration"] - duration) > TOLERANCE):
                    wrong.append(f"{e['fragType']} level {e['level']} fragment {e['sn']}: "
                                 f"{e['start']:.3f} s + {e['duration']:.3f} s, playlist "
                                 f"{start:.3f} s + {duration:.3f} s")
        self.t.assertEqual(wrong, [], "fragments away from their playlist times")

    def check_start(self):
        step, entries = self.step_entries("start")
        self.t.assertIsNone(step["actionError"], "video.play() was refused")
        self.t.assertIn("video:playing", [e["type"] for e in entries])
        self.t.assertGreaterEqual(step["sample"]["currentTime"], 1)
        # What played from the start was buffered from time 0: the media's timestamps map
        # to where the playlists or the MPD put the presentation's start.
        buffered = self.step_entries("seek-middle")[1][0]["buffered"]
        self.t.assertTrue(buffered, "nothing buffered after playing from the start")
        self.t.assertLessEqual(buffered[0][0], TOLERANCE, f"buffered from {buffered[0][0]} s")

    def check_seeks(self):
        duration = self.report["final"]["duration"]
        expected = self.presentation.duration()
        self.t.assertLessEqual(abs(duration - expected), TOLERANCE,
                               f"duration {duration} s, {self.presentation.ENTRY} {expected} s")
        for name in ("seek-middle", "seek-end"):
            step, entries = self.step_entries(name)
            target = step["arg"]["target"]
            with self.t.subTest(seek=name, target=target):
                marker = entries[0]
                self.t.assertFalse(any(start <= target < end for start, end in marker["buffered"]),
                                   f"{target} s was buffered already ({marker['buffered']}): "
                                   f"the seek fetched nothing")
                seeked = [e for e in entries if e["type"] == "video:seeked"]
                self.t.assertTrue(seeked, f"no seeked event\n{self.summary()}")
                self.t.assertLessEqual(abs(seeked[0]["currentTime"] - target), TOLERANCE,
                                       f"seek to {target} s landed at "
                                       f"{seeked[0]['currentTime']} s")
                self.t.assertTrue(any(e["type"] == "FRAG_LOADED" and e["fragType"] == "main"
                                      and e["start"] <= target < e["start"] + e["duration"]
                                      for e in entries),
                                  f"the video fragment at {target} s was not loaded")
                self.check_audio_loaded(target, entries)
                self.t.assertGreater(step["sample"]["audioDecodedBytes"],
                                     self.previous_step(step)["sample"]["audioDecodedBytes"],
                                     "no audio was decoded after the seek")
        step, _ = self.step_entries("seek-middle")
        self.t.assertGreaterEqual(step["sample"]["currentTime"], step["arg"]["target"] + 0.5,
                                  "playback did not go on after the seek to the middle")
        step, entries = self.step_entries("seek-end")
        self.t.assertIn("video:ended", [e["type"] for e in entries])
        self.t.assertGreaterEqual(step["sample"]["currentTime"], duration - TOLERANCE,
                                  "playback ended before the end")

    def check_audio_loaded(self, target, entries):
        """The audio at a seek's target was loaded: by the end of the step (dash.js buffers
        audio well ahead of video, it may have been before the seek) or, for players that
        buffer audio as far as video, during the step: the fragment at the target may be
        buffered already (audio segments do not end exactly where video segments do), a
        later one is not."""
        if self.presentation.AUDIO_BUFFERED_AHEAD:
            end = next(i for i, e in enumerate(self.log) if e is entries[-1])
            self.t.assertTrue(any(e["type"] == "FRAG_LOADED" and e["fragType"] == "audio"
                                  and e["start"] <= target < e["start"] + e["duration"]
                                  for e in self.log[:end + 1]),
                              f"the audio fragment at {target} s was not loaded")
        else:
            self.t.assertTrue(any(e["type"] == "FRAG_LOADED" and e["fragType"] == "audio"
                                  and e["start"] + e["duration"] > target for e in entries),
                              f"no audio fragment after {target} s was loaded")

    def check_continuous_play(self):
        """From the replay at 0, the playhead runs past several segments without a seek."""
        markers = [i for i, e in enumerate(self.log) if e["type"] == "step"]
        replay = next(i for i in markers if self.log[i]["name"] == "replay")
        seeked = next(i for i in range(replay, len(self.log))
                      if self.log[i]["type"] == "video:seeked")
        self.t.assertEqual([e for e in self.log[seeked:] if e["type"] == "video:seeking"], [],
                           "a seek happened while playing from the start")
        times = [e["currentTime"] for e in self.log[seeked:] if e["type"] == "video:timeupdate"]
        self.t.assertEqual(times, sorted(times), "the playhead went backwards")
        step, _ = self.step_entries("several-segments")
        self.t.assertGreaterEqual(step["sample"]["currentTime"], 3 * SEGMENT_DURATION + 0.5)

    def check_switches(self):
        levels = next(e for e in self.log if e["type"] == "MANIFEST_PARSED")["levels"]
        for index, level in enumerate(levels):
            step, entries = self.step_entries("switch", {"level": index,
                                                         "height": level["height"]})
            with self.t.subTest(level=index, height=level["height"]):
                switched = [e for e in entries
                            if e["type"] == "LEVEL_SWITCHED" and e["level"] == index]
                self.t.assertTrue(switched, f"no LEVEL_SWITCHED to {index}\n{self.summary()}")
                self.t.assertTrue(any(e["type"] == self.presentation.FRAGMENT_EVENT
                                      and e["fragType"] == "main" and e["level"] == index
                                      for e in entries),
                                  f"no fragment of level {index} was loaded")
                self.t.assertEqual(step["sample"]["videoHeight"], level["height"],
                                   "the frames on screen are not the level's")
                self.t.assertGreaterEqual(step["sample"]["currentTime"],
                                          switched[0]["currentTime"] + 1,
                                          "playback did not go on after the switch")


if __name__ == "__main__":
    unittest.main()
