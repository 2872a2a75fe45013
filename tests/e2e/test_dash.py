"""`--dash`: manifest.mpd describes the very CMAF segments the HLS playlists name.

The referee is ffprobe/ffmpeg: every segment's S@t is the earliest presentation time ffprobe
reads from that fragment (init + segment) in the track's timescale, the MPD's durations add up
to the HLS playlists', and FFmpeg's DASH demuxer decodes the whole MPD without a word. Playback
in a real DASH player (dash.js) is test_player.py's.
"""

import os
import subprocess
import tempfile
import unittest
from fractions import Fraction

from mpd import parse_mpd
from vodtest import (EX_USAGE, FAST, Packets, VodTestCase, concat_files, count_frames, media,
                     parse_master, parse_media_playlist, tree_hashes)

# Default preset (veryfast): B-frames, so presentation and decode times differ.
OPTIONS = ["--chunk-duration", "4", "--segment-duration", "2", "--dash"]


class DashTest(VodTestCase):

    def test_mpd_describes_the_hls_segments(self):
        source = media("main720")
        output = self.ws.path("out")
        self.run_ok("run", source, output, *OPTIONS)
        mpd = parse_mpd(os.path.join(output, "manifest.mpd"))
        master = parse_master(os.path.join(output, "master.m3u8"))
        self.assertEqual(mpd["attrs"]["type"], "static")
        self.assertEqual(mpd["attrs"]["profiles"], "urn:mpeg:dash:profile:isoff-live:2011")
        self.assertEqual([s["contentType"] for s in mpd["sets"]], ["video", "audio"])
        video, audio = mpd["sets"]

        # The same renditions, pictures and codecs as the HLS variants.
        variants = {v["uri"].split("/")[0]: v["attrs"] for v in master["variants"]}
        self.assertEqual([r["id"] for r in video["representations"]], list(variants))
        for rep in video["representations"]:
            attrs = variants[rep["id"]]
            self.assertEqual(f"{rep['width']}x{rep['height']}", attrs["RESOLUTION"])
            self.assertEqual(f"{rep['codecs']},mp4a.40.2", attrs["CODECS"])
            self.assertEqual(Fraction(video["frameRate"]), Fraction(attrs["FRAME-RATE"]))
            self.assertLess(int(rep["bandwidth"]), int(attrs["BANDWIDTH"]),
                            "video alone takes less than video with audio")
        self.assertNotIn("lang", audio, "the source tags no language: @lang is left out")
        self.assertEqual(audio["representations"][0]["codecs"], "mp4a.40.2")
        self.assertEqual(audio["representations"][0]["channels"], "2")

        hls_total = None
        reps = video["representations"] + audio["representations"]
        for rep in reps:
            with self.subTest(representation=rep["id"]):
                self.check_representation(output, rep)
                playlist = parse_media_playlist(os.path.join(output, rep["id"], "index.m3u8"))
                extinf = [seg["duration"] for seg in playlist["segments"]]
                mpd_seconds = [Fraction(s["d"], rep["timescale"]) for s in rep["segments"]]
                self.assertEqual(len(mpd_seconds), len(extinf), "segment count against HLS")
                for n, (a, b) in enumerate(zip(mpd_seconds, extinf)):
                    self.assertLessEqual(abs(a - b), Fraction(1, 1000),
                                         f"segment {n}: MPD {float(a)} s, EXTINF {float(b)} s")
                self.assertLessEqual(abs(sum(mpd_seconds) - sum(extinf)), Fraction(1, 1000))
                if rep in video["representations"]:
                    hls_total = sum(extinf)
        self.assertLessEqual(abs(mpd["duration"] - hls_total), Fraction(1, 1000),
                             "mediaPresentationDuration against the video playlists")
        # The Period starts at the first video frame in every timescale, so audio keeps its
        # offset to video.
        first = video["representations"][0]
        origin = Fraction(first["segments"][0]["t"], first["timescale"])
        for rep in reps:
            self.assertEqual(Fraction(rep["pto"], rep["timescale"]), origin, rep["id"])

        # FFmpeg's DASH demuxer plays the MPD: every frame of the source in each representation.
        manifest = os.path.join(output, "manifest.mpd")
        proc = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", manifest, "-map", "0",
                               "-f", "null", "-"], capture_output=True, text=True, timeout=600)
        self.assertEqual((proc.returncode, proc.stdout + proc.stderr), (0, ""),
                         "ffmpeg -v error on manifest.mpd")
        frames = count_frames(source)
        for n in range(len(video["representations"])):
            self.assertEqual(count_frames(manifest, f"v:{n}"), frames, f"video stream {n}")

        # The MPD comes after every file it names, the master playlist after everything (by
        # modification times, which the kernel's clock tick can make equal, never reversed).
        def written(path):
            return os.stat(os.path.join(output, path)).st_mtime_ns
        named = [os.path.join(folder, name) for folder, _, names in os.walk(output)
                 for name in names if name.endswith((".m4s", ".mp4"))]
        self.assertTrue(named)
        self.assertGreaterEqual(written("manifest.mpd"), max(map(written, named)),
                                "manifest.mpd was written before a segment it names")
        everything = [os.path.join(folder, name) for folder, _, names in os.walk(output)
                      for name in names]
        self.assertEqual(written("master.m3u8"), max(map(written, everything)),
                         "master.m3u8 is not the last file written")

        # Stored with the job.
        self.assertTrue(self.ws.status()[0]["options"]["dash"])

    def check_representation(self, output, rep):
        """Files exist as the template names them, and S@t/@d are the fragments' own times."""
        folder = os.path.join(output, rep["id"])
        self.assertTrue(os.path.isfile(rep["init"]), rep["init"])
        on_disk = sorted(f for f in os.listdir(folder) if f.endswith(".m4s"))
        self.assertEqual(on_disk, [os.path.basename(s["path"]) for s in rep["segments"]],
                         "segments on disk against the SegmentTimeline")
        scratch = tempfile.mkdtemp(prefix="vodctl-dash-", dir=self.ws.dir)
        ends = []
        for n, seg in enumerate(rep["segments"]):
            packets = Packets(concat_files([rep["init"], seg["path"]],
                                           os.path.join(scratch, f"{n}.mp4")), "0")
            self.assertEqual(packets.time_base, Fraction(1, rep["timescale"]),
                             "the MPD's timescale is the track's")
            earliest = min(p["pts"] for p in packets.list)
            self.assertEqual(seg["t"], earliest, f"segment {n}: S@t against the fragment")
            # FFmpeg's mov demuxer leaves out the duration of a fragment's first packet
            # (the trun has it); the last one, which ends the segment, has it.
            ends.append(max(p["pts"] + (p["duration"] or 0) for p in packets.list))
        last = rep["segments"][-1]
        self.assertEqual(last["t"] + last["d"], ends[-1], "the last segment's end")

    def test_same_bytes_whatever_jobs(self):
        source = media("small")
        trees = []
        for jobs in ("1", "2"):
            output = self.ws.path(f"out-{jobs}")
            self.run_ok("run", source, output, *FAST, "--dash", "--jobs", jobs)
            trees.append(tree_hashes(output))
        self.assertIn("manifest.mpd", trees[0])
        self.assertEqual(trees[0], trees[1])

    def test_dash_needs_fmp4(self):
        rc, out, err = self.vodctl("run", media("small"), self.ws.path("out"), "--dash",
                                   "--format", "ts")
        self.assertEqual(rc, EX_USAGE, err)
        self.assertIn("--dash needs --format fmp4", self.assert_one_error_line(err))
        self.assertFalse(os.path.exists(self.ws.path("out")))

    def test_no_mpd_without_dash(self):
        output = self.ws.path("out")
        self.run_ok("run", media("small"), output, *FAST)
        self.assertFalse(os.path.exists(os.path.join(output, "manifest.mpd")))
        self.assertFalse(self.ws.status()[0]["options"]["dash"])


if __name__ == "__main__":
    unittest.main()
