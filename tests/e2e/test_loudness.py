"""Audio a viewer does not have to fix: loudness normalised, true peak held, 5.1 kept.

Sources are made here by ffmpeg the way uploads come: a tone mastered loud (-8 LUFS) and one
mastered quiet (-40 LUFS), speech-like bursts of noise over near silence, a quiet track with
sharp transients the gain alone would push over the ceiling, and 5.1(side), 5.1(back) and 7.1
mixes with a different tone in each channel. The referee is FFmpeg's ebur128 filter (ITU-R
BS.1770-4, true peak by 4x oversampling) on the decoded HLS output, and ffprobe for layouts;
which channel carries which tone is found by a Goertzel filter over the decoded samples.
"""

import json
import math
import os
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import tempfile
import time
import unittest

from vodtest import EX_OK, VodTestCase, Workspace, ffprobe_json, parse_master, run_checked, \
    tree_hashes

TARGET = -16  # the default --loudness
CEILING = -1  # the default --true-peak
# Small and short: the audio is what is judged.
VIDEO = ["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25"]
X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
OPTIONS = ["--no-thumbnails", "--preset", "ultrafast", "--segment-duration", "2"]

# name -> ffmpeg arguments between "ffmpeg -y" and the output (.m4a: audio only).
SOURCES = {
    "loud.m4a": ["-f", "lavfi", "-i", "sine=frequency=997:sample_rate=48000:duration=12",
                 "-af", "volume=4.5", "-ac", "2", "-c:a", "aac", "-b:a", "192k"],
    "quiet.m4a": ["-f", "lavfi", "-i", "sine=frequency=997:sample_rate=48000:duration=12",
                  "-af", "volume=0.113", "-ac", "2", "-c:a", "aac", "-b:a", "192k"],
    # Bursts of pink noise (0.8 s of every 3 s) over noise 60 dB down: speech over room tone.
    "dynamic.m4a": ["-f", "lavfi", "-i", "anoisesrc=duration=12:color=pink:sample_rate=48000:"
                    "amplitude=0.5", "-af", "volume='if(lt(mod(t,3),0.8),1,0.001)':eval=frame",
                    "-ac", "2", "-c:a", "aac", "-b:a", "192k"],
    # A quiet tone with a 2 ms click every 2 s at -1 dBFS: +13 dB of gain puts the clicks far
    # over the ceiling.
    "transients.m4a": ["-f", "lavfi", "-i", "aevalsrc='0.05*sin(2*PI*220*t)*lt(mod(t,2),1.2)"
                       "+0.9*lt(mod(t,2),0.002)*sin(2*PI*2000*t)':sample_rate=48000:duration=12",
                       "-ac", "2", "-c:a", "aac", "-b:a", "192k"],
    # A minute of 5.1 noise bursts: long enough for a kill to land inside the audio encode.
    "long-surround.m4a": ["-f", "lavfi", "-i", "anoisesrc=duration=60:color=pink:"
                          "sample_rate=48000:amplitude=0.3", "-af",
                          "volume='if(lt(mod(t,3),0.8),1,0.01)':eval=frame,"
                          "pan=5.1|FL=c0|FR=c0|FC=c0|LFE=c0|BL=c0|BR=c0",
                          "-c:a", "aac", "-b:a", "256k"],
}
# Channel tones of the surround sources, in each layout's own channel order (FFmpeg's names:
# "5.1" is the back pair, "5.1(side)" the side pair).
TONES = {
    "5.1(side)": [330, 440, 550, 55, 660, 770],          # FL FR FC LFE SL SR
    "5.1": [330, 440, 550, 55, 880, 990],                # FL FR FC LFE BL BR
    "7.1": [330, 440, 550, 55, 880, 990, 660, 770],      # FL FR FC LFE BL BR SL SR
}
SURROUND_SOURCES = {"surround-side.mp4": "5.1(side)", "surround-back.mp4": "5.1",
                    "surround-71.mkv": "7.1"}


def surround_args(layout):
    channels = "|".join(f"0.1*sin(2*PI*{f}*t)" for f in TONES[layout])
    # Matroska carries 7.1 as it is; AAC in MP4 carries 5.1 in either order.
    codec = ["-c:a", "flac"] if layout == "7.1" else ["-c:a", "aac", "-b:a", "384k"]
    return VIDEO + ["-f", "lavfi", "-i",
                    f"aevalsrc={channels}:sample_rate=48000:channel_layout={layout}",
                    "-t", "4", *X264, *codec]


def make_sources(folder):
    for name, args in SOURCES.items():
        run_checked(["ffmpeg", "-v", "error", "-y", *args, os.path.join(folder, name)])
    for name, layout in SURROUND_SOURCES.items():
        run_checked(["ffmpeg", "-v", "error", "-y", *surround_args(layout),
                     os.path.join(folder, name)])


def ebur128(path):
    """(integrated LUFS, true peak dBTP) of the first audio stream, by FFmpeg's meter."""
    proc = subprocess.run(["ffmpeg", "-nostats", "-hide_banner", "-i", path, "-map", "0:a:0",
                           "-af", "ebur128=peak=true", "-f", "null", "-"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = proc.stderr[proc.stderr.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak


def channel_tones(path, channels, candidates):
    """For each channel of the decoded audio, the candidate frequencies present in it (above
    -40 dB of the strongest candidate anywhere)."""
    raw = run_checked(["ffmpeg", "-v", "error", "-i", path, "-map", "0:a:0", "-ss", "1",
                       "-t", "1", "-f", "f32le", "-ac", str(channels), "-ar", "48000", "-"])
    samples = struct.unpack(f"<{len(raw) // 4}f", raw)
    power = {}
    for c in range(channels):
        x = samples[c::channels]
        for f in candidates:  # Goertzel: the power at f over this second
            k = 2 * math.cos(2 * math.pi * f / 48000)
            s1 = s2 = 0.0
            for v in x:
                s1, s2 = v + k * s1 - s2, s1
            power[c, f] = s1 * s1 + s2 * s2 - k * s1 * s2
    floor = max(power.values()) * 1e-4
    return [{f for f in candidates if power[c, f] > floor} for c in range(channels)]


class LoudnessTest(VodTestCase):

    @classmethod
    def setUpClass(cls):
        cls.sources = tempfile.mkdtemp(prefix="vodctl-loudness-sources-")
        make_sources(cls.sources)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.sources, ignore_errors=True)

    def source(self, name):
        return os.path.join(self.sources, name)

    def run_job(self, name, *options):
        out = self.ws.path("out-" + name.split(".")[0])
        self.run_ok("run", self.source(name), out, *OPTIONS, *options, "--job", "j")
        job = self.ws.status("j")[0]
        return out, job

    def test_loud_quiet_and_dynamic_sources_reach_the_target_under_the_ceiling(self):
        for name, mastered in (("loud.m4a", -8), ("quiet.m4a", -40), ("dynamic.m4a", None)):
            with self.subTest(source=name):
                self.fresh_workspace()
                source_lufs, _ = ebur128(self.source(name))
                if mastered is not None:
                    self.assertAlmostEqual(source_lufs, mastered, delta=0.5,
                                           msg="the source is not mastered as meant")
                out, job = self.run_job(name)
                lufs, peak = ebur128(os.path.join(out, "audio", "index.m3u8"))
                self.assertAlmostEqual(lufs, TARGET, delta=1.0, msg="output loudness")
                self.assertLessEqual(peak, CEILING, "output true peak")
                # What status --json says was measured and applied, against the referee.
                record = job["result"]["audio"]["loudness"][0]
                self.assertEqual(record["rendition"], "audio")
                self.assertAlmostEqual(record["input"]["integrated"], source_lufs, delta=0.3)
                self.assertAlmostEqual(record["gain_db"], TARGET - record["input"]["integrated"],
                                       delta=0.01)
                self.assertFalse(record["limiter"])
                self.assertAlmostEqual(record["output"]["integrated"], TARGET, delta=0.3)
                self.assertIn("range", record["input"])
                self.assertIn("true_peak", record["output"])
                # And the result document a CMS reads says the same.
                with open(os.path.join(out, "vodctl.json"), encoding="utf-8") as f:
                    document = json.load(f)
                self.assertEqual(document["audio"][0]["loudness"], record)

    def test_another_target_and_ceiling(self):
        out, job = self.run_job("loud.m4a", "--loudness", "-23", "--true-peak", "-2")
        lufs, peak = ebur128(os.path.join(out, "audio", "index.m3u8"))
        self.assertAlmostEqual(lufs, -23, delta=1.0)
        self.assertLessEqual(peak, -2)
        self.assertEqual(job["options"]["loudness"], -23)

    def test_a_limiter_holds_the_true_peak_where_the_gain_alone_would_not(self):
        source_lufs, source_peak = ebur128(self.source("transients.m4a"))
        self.assertGreater(source_peak + (TARGET - source_lufs), CEILING,
                           "the gain alone must overshoot the ceiling for this test")
        out, job = self.run_job("transients.m4a")
        lufs, peak = ebur128(os.path.join(out, "audio", "index.m3u8"))
        self.assertLessEqual(peak, CEILING, "output true peak")
        record = job["result"]["audio"]["loudness"][0]
        self.assertTrue(record["limiter"])
        # The limiter costs loudness where the transients carry it; what was reached is said.
        self.assertAlmostEqual(record["output"]["integrated"], lufs, delta=1.0)

    def test_loudness_off_keeps_the_source_level(self):
        source_lufs, _ = ebur128(self.source("quiet.m4a"))
        out, job = self.run_job("quiet.m4a", "--loudness", "off")
        lufs, _ = ebur128(os.path.join(out, "audio", "index.m3u8"))
        self.assertAlmostEqual(lufs, source_lufs, delta=0.5)
        self.assertNotIn("loudness", job["result"]["audio"])
        self.assertEqual(job["options"]["loudness"], "off")

    def test_surround_sources_get_a_stereo_and_a_5_1_rendition(self):
        # Where each source channel must land in the 5.1 rendition: AAC's channel
        # configuration 6, which FFmpeg decodes as FL FR FC LFE BL BR.
        expected = {
            "surround-side.mp4": [{330}, {440}, {550}, {55}, {660}, {770}],
            "surround-back.mp4": [{330}, {440}, {550}, {55}, {880}, {990}],
            "surround-71.mkv": [{330}, {440}, {550}, {55}, {880, 660}, {990, 770}],
        }
        candidates = sorted({f for tones in TONES.values() for f in tones})
        for name, layout in SURROUND_SOURCES.items():
            with self.subTest(source=name, layout=layout):
                self.fresh_workspace()
                source_layout = ffprobe_json(self.source(name), "-show_streams",
                                             "-select_streams", "a")["streams"][0]
                self.assertEqual(source_layout["channels"], len(TONES[layout]))
                out, job = self.run_job(name)
                master = parse_master(os.path.join(out, "master.m3u8"))
                audio = [m for m in master["media"] if m["TYPE"] == "AUDIO"]
                self.assertEqual([(m["NAME"], m["CHANNELS"], m["DEFAULT"], m["URI"])
                                  for m in audio],
                                 [("Audio", "2", "YES", "audio/index.m3u8"),
                                  ("Audio 5.1", "6", "NO", "audio-5.1/index.m3u8")])
                self.assertEqual({m["GROUP-ID"] for m in audio},
                                 {master["variants"][0]["attrs"]["AUDIO"]})
                for folder, channels, layout_name in (("audio", 2, "stereo"),
                                                      ("audio-5.1", 6, "5.1")):
                    playlist = os.path.join(out, folder, "index.m3u8")
                    stream = ffprobe_json(playlist, "-show_streams")["streams"][0]
                    self.assertEqual((stream["codec_name"], stream["channels"],
                                      stream["channel_layout"]), ("aac", channels, layout_name))
                    lufs, peak = ebur128(playlist)
                    self.assertAlmostEqual(lufs, TARGET, delta=1.0, msg=f"{folder} loudness")
                    self.assertLessEqual(peak, CEILING, f"{folder} true peak")
                found = channel_tones(os.path.join(out, "audio-5.1", "index.m3u8"), 6,
                                      candidates)
                self.assertEqual(found, expected[name], "tones by output channel")
                loudness = job["result"]["audio"]["loudness"]
                self.assertEqual([r["rendition"] for r in loudness], ["audio", "audio-5.1"])

    def test_surround_off_makes_stereo_only(self):
        out, _ = self.run_job("surround-side.mp4", "--surround", "off")
        master = parse_master(os.path.join(out, "master.m3u8"))
        self.assertEqual([m["CHANNELS"] for m in master["media"] if m["TYPE"] == "AUDIO"], ["2"])
        self.assertFalse(os.path.exists(os.path.join(out, "audio-5.1")))

    def test_kill_during_the_audio_encode_then_resume_gives_identical_output(self):
        # Audio only, 5.1: after split, the job is the audio's two passes over two renditions.
        source = self.source("long-surround.m4a")
        reference = Workspace(prefix="vodctl-loudness-reference-")
        self.addCleanup(reference.cleanup)
        started = time.monotonic()
        rc, _, err = reference.vodctl("run", source, reference.path("out"), *OPTIONS,
                                      "--job", "j", quiet=True)
        self.assertEqual(rc, EX_OK, err)
        wall = time.monotonic() - started
        expected = tree_hashes(reference.path("out"))
        self.assertIn("audio-5.1/index.m3u8", expected)

        killed_mid_audio = 0
        for share in (0.2, 0.4, 0.6):
            with self.subTest(share=share):
                self.fresh_workspace()
                proc = self.ws.popen("run", source, self.ws.path("out"), *OPTIONS, "--job", "j",
                                     quiet=True)
                deadline = time.monotonic() + 60
                while self.split_state() != "done" and proc.poll() is None:
                    self.assertLess(time.monotonic(), deadline, "split never finished")
                    time.sleep(0.002)
                time.sleep(share * wall)
                proc.send_signal(signal.SIGKILL)
                proc.communicate()
                killed_mid_audio += not self.audio_recorded()
                rc, _, err = self.vodctl("resume", "--job", "j", quiet=True)
                self.assertEqual(rc, EX_OK, err)
                self.assertEqual(tree_hashes(self.ws.path("out")), expected)
        self.assertGreaterEqual(killed_mid_audio, 1, "no kill landed before the audio was encoded")

    def split_state(self):
        try:
            with sqlite3.connect(f"file:{self.ws.state}?mode=ro", uri=True, timeout=5) as db:
                row = db.execute("SELECT state FROM steps WHERE job_id = 'j' AND "
                                 "step = 'split'").fetchone()
                return row[0] if row else None
        except sqlite3.Error:
            return None

    def audio_recorded(self):
        with sqlite3.connect(self.ws.state) as db:
            row = db.execute("SELECT result_json FROM jobs WHERE id = 'j'").fetchone()
        return bool(row and row[0] and "audio" in json.loads(row[0]))


if __name__ == "__main__":
    unittest.main()
