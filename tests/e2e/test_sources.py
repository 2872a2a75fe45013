"""Sources as people upload them (issue 6), each through `vodctl run`, judged by ffprobe and
by `vodctl verify`.

The sources are short and small (see vodtest.SOURCES); every test makes its own job.
"""

import os
import unittest
from fractions import Fraction

import vodtest
from vodtest import HlsChecks, VodTestCase, media

SEG = 2
OPTS = ["--preset", "ultrafast", "--chunk-duration", "2", "--segment-duration", str(SEG)]


class SourcesTest(HlsChecks, VodTestCase):

    def run_job(self, source, *options, out="out"):
        output = self.ws.path(out)
        rc, out, err = self.vodctl("run", source, output, *options)
        self.assertEqual(rc, 0, f"vodctl run {os.path.basename(source)} failed:\n{err}")
        self.assertEqual(out.strip(), os.path.join(output, "master.m3u8"))
        # run checks before it publishes; verify on the finished folder must agree.
        rc, report, err = self.vodctl("verify", output)
        self.assertEqual(rc, 0, f"vodctl verify {os.path.basename(source)}:\n{report}{err}")
        return output

    def master(self, output):
        return vodtest.parse_master(os.path.join(output, "master.m3u8"))

    def resolutions(self, output):
        return {v["uri"]: v["attrs"]["RESOLUTION"] for v in self.master(output)["variants"]}

    def test_odd_dimensions(self):
        # 1278x718: neither side a multiple of 4, 8 or 16.
        source = media("odd_size")
        output = self.run_job(source, *OPTS)
        self.assertEqual(self.resolutions(output),
                         {"480p/index.m3u8": "854x480", "360p/index.m3u8": "640x360"})
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[480, 360])

    def test_smaller_rungs_scaled_from_a_larger_one_match_the_source(self):
        # 240p is scaled from the 480p picture (PlanScaling), not from the source: it must
        # still show the source's picture, at the same geometry, as a direct scaling would.
        # Chunks side by side share nothing but the plan: the same bytes whatever --jobs.
        source = media("odd_size")
        output = self.run_job(source, *OPTS, "--ladder", "480p,240p", "--jobs", "1")
        self.assertEqual(self.resolutions(output),
                         {"480p/index.m3u8": "854x480", "240p/index.m3u8": "428x240"})
        # RGB PSNR, which weighs chroma noise more than the YUV planes' average: the 240p rung
        # measured 29.9 dB this way before the colour stage, 29.1 after; a picture shifted by
        # a pixel or a wrong aspect falls far below 27.
        for name, width, height in [("480p", 854, 480), ("240p", 428, 240)]:
            self.assertGreater(first_picture_psnr(os.path.join(output, name, "index.m3u8"),
                                                  source, width, height), 27, name)
        parallel = self.run_job(source, *OPTS, "--ladder", "480p,240p", "--jobs", "4",
                                out="out-jobs4")
        self.assertEqual(vodtest.tree_hashes(parallel), vodtest.tree_hashes(output))

    def test_containers(self):
        for name, video_codec, audio_codec in [("mkv", "h264", "opus"), ("mov", "h264", "aac"),
                                               ("webm", "vp9", "opus")]:
            with self.subTest(container=name):
                source = media(name)
                self.assertEqual(vodtest.stream_of(source, "video")["codec_name"], video_codec)
                self.assertEqual(vodtest.stream_of(source, "audio")["codec_name"], audio_codec)
                output = self.run_job(source, *OPTS, out=f"out-{name}")
                self.assert_valid_hls(source, output, segment_duration=SEG, heights=[360])

    def test_4k_source_gets_2160p_and_1440p_rungs(self):
        source = media("uhd")
        output = self.run_job(source, "--preset", "ultrafast", "--segment-duration", "1",
                              "--no-thumbnails")
        self.assertEqual(self.resolutions(output), {
            "2160p/index.m3u8": "3840x2160", "1440p/index.m3u8": "2560x1440",
            "1080p/index.m3u8": "1920x1080", "720p/index.m3u8": "1280x720",
            "480p/index.m3u8": "854x480", "360p/index.m3u8": "640x360"})
        self.assert_valid_hls(source, output, segment_duration=1,
                              heights=[2160, 1440, 1080, 720, 480, 360])

    def test_clip_shorter_than_a_segment(self):
        source = media("short")
        output = self.run_job(source, "--preset", "ultrafast", "--segment-duration", "6")
        for variant in ["360p", "audio"]:
            playlist = vodtest.parse_media_playlist(os.path.join(output, variant, "index.m3u8"))
            self.assertEqual(len(playlist["segments"]), 1, f"{variant}: one segment")
            self.assertEqual(playlist["target_duration"], 2, f"{variant}: EXT-X-TARGETDURATION")
        self.assert_valid_hls(source, output, segment_duration=6, heights=[360])

    def test_10bit_hevc(self):
        source = media("hevc10")
        probe = vodtest.stream_of(source, "video")
        self.assertEqual((probe["codec_name"], probe["pix_fmt"]), ("hevc", "yuv420p10le"))
        output = self.run_job(source, *OPTS)
        out = vodtest.stream_of(os.path.join(output, "360p", "index.m3u8"), "video")
        self.assertEqual(out["pix_fmt"], "yuv420p", "8-bit 4:2:0 H.264, which every player decodes")
        self.assertNotIn("10", out["profile"])
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[360])

    def test_surround_audio_is_downmixed_to_stereo_and_kept_as_5_1(self):
        source = media("surround")
        self.assertEqual(vodtest.stream_of(source, "audio")["channel_layout"], "5.1")
        output = self.run_job(source, *OPTS)
        audio = vodtest.stream_of(os.path.join(output, "audio", "index.m3u8"), "audio")
        self.assertEqual((audio["channels"], audio["channel_layout"]), (2, "stereo"))
        surround = vodtest.stream_of(os.path.join(output, "audio-5.1", "index.m3u8"), "audio")
        self.assertEqual((surround["channels"], surround["channel_layout"]), (6, "5.1"))
        master = self.master(output)
        self.assertEqual([m.get("CHANNELS") for m in master["media"]], ["2", "6"])
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[360])

    def test_variable_frame_rate_comes_out_constant(self):
        source = media("vfr")
        src = vodtest.SourceFacts.of(source)
        output = self.run_job(source, *OPTS)
        master = self.master(output)
        self.assertEqual([v["attrs"]["FRAME-RATE"] for v in master["variants"]], ["30.000"],
                         "the nominal rate, not the 22.7 fps average")
        pts = sorted(p["pts"] for p in vodtest.Packets(
            os.path.join(output, "360p", "index.m3u8"), "v:0").list)
        self.assertEqual(len({b - a for a, b in zip(pts, pts[1:])}), 1,
                         "output frames are evenly spaced")
        duration = src.video_end - src.video_start
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[360],
                              frames=round(duration * 30))

    def test_rotated_phone_video_comes_out_upright(self):
        # Stored 640x360 with a quarter-turn display matrix: shown 360x640.
        source = media("rotated")
        self.assertEqual(vodtest.SourceFacts.of(source).rotation, 90)
        output = self.run_job(source, *OPTS)
        self.assertEqual(self.resolutions(output),
                         {"480p/index.m3u8": "270x480", "360p/index.m3u8": "202x360"})
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[480, 360])
        # The output's first picture matches the source as FFmpeg shows it (turned upright).
        self.assertGreater(first_picture_psnr(os.path.join(output, "480p", "index.m3u8"),
                                              source, 270, 480), 25)

    def test_interlaced_source_is_deinterlaced(self):
        # 25 frames a second of 50 fields with motion between them; 576p keeps the lines as
        # they are, so any combing left shows.
        source = media("interlaced")
        self.assertEqual(vodtest.stream_of(source, "video")["field_order"], "tt")
        self.assertGreater(interlaced_share(source), 0.9, "precondition: idet sees fields")
        output = self.run_job(source, *OPTS, "--ladder", "576p")
        variant = os.path.join(output, "576p", "index.m3u8")
        self.assertLess(interlaced_share(variant), 0.1, "idet still sees combing")
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[576])

    def test_filtered_sources_give_the_same_bytes_whatever_jobs(self):
        # Deinterlacing and rotation run per chunk: chunks side by side must not change a byte.
        for name in ["interlaced", "rotated"]:
            with self.subTest(source=name):
                trees = []
                for jobs in ["1", "2"]:
                    output = self.run_job(media(name), *OPTS, "--ladder", "360p",
                                          "--jobs", jobs, out=f"{name}-jobs{jobs}")
                    trees.append(vodtest.tree_hashes(output))
                self.assertEqual(trees[0], trees[1])

    def test_each_audio_track_is_a_rendition(self):
        source = media("two_audio")
        tags = [a.get("tags", {}) for a in vodtest.streams(source) if a["codec_type"] == "audio"]
        self.assertEqual([(t.get("language"), t.get("title")) for t in tags],
                         [("eng", "English"), ("fra", "Français")])
        output = self.run_job(source, *OPTS)
        media_tags = [(m["LANGUAGE"], m["NAME"], m["DEFAULT"], m["AUTOSELECT"], m["GROUP-ID"],
                       m["URI"]) for m in self.master(output)["media"]]
        self.assertEqual(media_tags, [
            ("en", "English", "YES", "YES", "audio", "audio/index.m3u8"),
            ("fr", "Français", "NO", "YES", "audio", "audio-fra/index.m3u8")])
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[360])
        # The second track: AAC stereo at 48 kHz, as long as the first, with its own sound.
        tracks = [os.path.join(output, folder, "index.m3u8") for folder in ["audio", "audio-fra"]]
        probes = [vodtest.ffprobe_json(t, "-show_streams", "-show_format") for t in tracks]
        for probe in probes:
            a = probe["streams"][0]
            self.assertEqual((a["codec_name"], a["channels"], a["sample_rate"]), ("aac", 2, "48000"))
        durations = [float(p["format"]["duration"]) for p in probes]
        self.assertAlmostEqual(durations[0], durations[1], delta=0.05)
        pcm = [vodtest.run_checked(["ffmpeg", "-v", "error", "-nostdin", "-i", t, "-f", "s16le",
                                    "-"]) for t in tracks]
        self.assertNotEqual(pcm[0], pcm[1], "both renditions carry the first track")

    def test_audio_only_source_is_an_audio_rendition(self):
        source = media("audio_only")
        self.assertIsNone(vodtest.stream_of(source, "video"))
        output = self.run_job(source, *OPTS)
        self.assertEqual(sorted(os.listdir(output)), ["audio", "master.m3u8", "vodctl.json"],
                         "no video ladder")
        master = self.master(output)
        self.assertEqual(master["media"], [], "the audio is the variant, not an alternative")
        self.assertEqual(len(master["variants"]), 1)
        variant = master["variants"][0]
        self.assertEqual(variant["uri"], "audio/index.m3u8")
        self.assertEqual(variant["attrs"]["CODECS"], "mp4a.40.2")
        self.assertNotIn("RESOLUTION", variant["attrs"])
        self.assertGreater(int(variant["attrs"]["BANDWIDTH"]), 0)
        playlist_path = os.path.join(output, "audio", "index.m3u8")
        playlist = vodtest.parse_media_playlist(playlist_path)
        self.assertIn("#EXT-X-ENDLIST", playlist["lines"])
        self.assertEqual(len(playlist["segments"]), 2, "4 s in 2 s segments")
        probe = vodtest.ffprobe_json(playlist_path, "-show_streams", "-show_format")
        a = probe["streams"][0]
        self.assertEqual((a["codec_name"], a["channels"], a["sample_rate"]), ("aac", 2, "48000"))
        source_seconds = float(vodtest.ffprobe_json(source, "-show_format")["format"]["duration"])
        self.assertAlmostEqual(float(probe["format"]["duration"]), source_seconds, delta=0.05)
        sum_extinf = sum(seg["duration"] for seg in playlist["segments"])
        self.assertAlmostEqual(float(sum_extinf), source_seconds, delta=0.05)
        proc = vodtest.subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i",
                                       os.path.join(output, "master.m3u8"), "-f", "null", "-"],
                                      capture_output=True, text=True, timeout=120)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""), "ffmpeg decodes it cleanly")


def first_picture_psnr(path, reference, width, height, reference_matrix="bt601"):
    """PSNR (dB) of path's first picture against reference's, scaled to width x height, in
    RGB: the output is BT.709 (vodctl converts), the untagged SD sources here are read as
    players read them, BT.601, so their YUV planes differ where their colours do not."""
    proc = vodtest.subprocess.run(
        ["ffmpeg", "-nostdin", "-i", path, "-i", reference, "-filter_complex",
         f"[0:v]scale=in_color_matrix=bt709:in_range=tv,format=gbrp[out];"
         f"[1:v]scale={width}:{height}:in_color_matrix={reference_matrix}:in_range=tv,"
         "format=gbrp[ref];[out][ref]psnr", "-frames:v", "1",
         "-f", "null", "-"], capture_output=True, text=True, timeout=120)
    lines = [l for l in proc.stderr.splitlines() if "PSNR" in l and "average:" in l]
    if not lines:
        raise AssertionError(f"ffmpeg psnr of {path}: {proc.stderr[-400:]}")
    line = lines[0]
    return float(line.split("average:")[1].split()[0])


def interlaced_share(path):
    """Share of pictures FFmpeg's idet filter finds interlaced (multi-frame detection)."""
    proc = vodtest.subprocess.run(
        ["ffmpeg", "-nostdin", "-i", path, "-map", "0:v:0", "-vf", "idet", "-f", "null", "-"],
        capture_output=True, text=True, timeout=120)
    line = next(l for l in proc.stderr.splitlines() if "Multi frame detection" in l)
    counts = dict(zip(*[iter(line.split("detection:")[1].replace(":", " ").split())] * 2))
    tff, bff, prog = (int(counts[k]) for k in ("TFF", "BFF", "Progressive"))
    return Fraction(tff + bff, max(1, tff + bff + prog))


if __name__ == "__main__":
    unittest.main()
