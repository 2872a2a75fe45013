"""`vodctl run` end to end: every variant judged by ffprobe/ffmpeg against its source."""

import os
import unittest

import vodtest
from vodtest import HlsChecks, VodTestCase, media

SEG = 2
OPTS = ["--chunk-duration", "4", "--segment-duration", str(SEG)]


class PipelineTest(HlsChecks, VodTestCase):

    def run_job(self, source, *options):
        output = self.ws.path("out")
        rc, out, err = self.vodctl("run", source, output, *OPTS, *options)
        self.assertEqual(rc, 0, f"vodctl run failed:\n{err}")
        self.assertEqual(out.strip(), os.path.join(output, "master.m3u8"),
                         "run prints OUTPUT/master.m3u8")
        return output

    def test_720p_with_audio(self):
        # superfast: the output has B-frames too (ultrafast would not).
        source = media("main720")
        self.assertGreaterEqual(int(vodtest.stream_of(source, "video")["has_b_frames"]), 1,
                                "precondition: the source has B-frames")
        output = self.run_job(source, "--preset", "superfast")
        self.assertEqual(sorted(os.listdir(output)),
                         ["360p", "480p", "720p", "audio", "master.m3u8", "thumbnails", "vodctl.json"],
                         "720p source: 720p/480p/360p and audio, no 1080p")
        names = sorted(os.listdir(os.path.join(output, "720p")))
        self.assertEqual(names[:2], ["iframes.m3u8", "index.m3u8"])
        self.assertEqual([n for n in names[2:] if not vodtest.MEDIA_NAME.match(n)], [])
        self.assertRegex(os.path.basename(vodtest.init_path(output, "720p")), r"^init_[0-9a-f]{10}\.mp4$")
        self.assertRegex(os.path.basename(vodtest.segment_path(output, "720p", 0)),
                         r"^seg_[0-9a-f]{10}_00000\.m4s$")
        self.assertTrue(os.path.isfile(vodtest.init_path(output, "audio")))
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[720, 480, 360])

    def test_720p_with_audio_ts(self):
        source = media("main720")
        output = self.run_job(source, "--preset", "superfast", "--format", "ts")
        self.assertRegex(os.path.basename(vodtest.segment_path(output, "720p", 0)),
                         r"^seg_[0-9a-f]{10}_00000\.ts$")
        self.assertIsNone(vodtest.init_path(output, "720p"))
        self.assertEqual([n for n in os.listdir(os.path.join(output, "720p")) if n.endswith(".mp4")], [])
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[720, 480, 360],
                              fmt="ts")

    def test_source_with_b_pyramid(self):
        source = media("bframes")
        probe = vodtest.stream_of(source, "video")
        self.assertGreaterEqual(int(probe["has_b_frames"]), 1, "the source must have B-frames")
        output = self.run_job(source, "--preset", "superfast")
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[360])

    def test_keyframe_interval_not_dividing_segments(self):
        # Source keyframes every 37 frames (1.48 s); segments of 2 s, chunks of 4 s.
        source = media("gop37")
        packets = vodtest.Packets(source, "v:0").list
        keys = sorted(p["pts"] for p in packets if "K" in p["flags"])
        pts = [p["pts"] for p in packets]
        frame = (max(pts) - min(pts)) // (len(pts) - 1)
        self.assertEqual([(k - keys[0]) // frame for k in keys[:4]], [0, 37, 74, 111],
                         "precondition: source keyframes every 37 frames")
        output = self.run_job(source, "--preset", "ultrafast", "--ladder", "360p,240p")
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[360, 240])

    def test_source_without_audio(self):
        source = media("noaudio")
        self.assertIsNone(vodtest.stream_of(source, "audio"))
        output = self.run_job(source, "--preset", "ultrafast")
        self.assertFalse(os.path.exists(os.path.join(output, "audio")))
        master = vodtest.parse_master(os.path.join(output, "master.m3u8"))
        self.assertFalse(any(line.startswith("#EXT-X-MEDIA:") for line in master["lines"]),
                         "no EXT-X-MEDIA without audio")
        for variant in master["variants"]:
            self.assertNotIn("mp4a", variant["attrs"]["CODECS"])
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[360])

    def test_non_square_pixels(self):
        # 720x576 at SAR 64:45 displays as 16:9: 480p is 854x480 and 360p 640x360.
        source = media("anamorphic")
        facts = vodtest.SourceFacts.of(source)
        self.assertEqual(facts.sar, vodtest.Fraction(64, 45), "the source must be anamorphic")
        output = self.run_job(source, "--preset", "ultrafast")
        master = vodtest.parse_master(os.path.join(output, "master.m3u8"))
        self.assertEqual({v["uri"]: v["attrs"]["RESOLUTION"] for v in master["variants"]},
                         {"480p/index.m3u8": "854x480", "360p/index.m3u8": "640x360"})
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[480, 360])


if __name__ == "__main__":
    unittest.main()
