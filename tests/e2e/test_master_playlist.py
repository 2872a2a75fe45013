"""master.m3u8 and the media playlists say what the files really are."""

import os
import unittest
from fractions import Fraction

import vodtest
from vodtest import Workspace, media, parse_master, parse_media_playlist

PROFILE_IDC = {"High": 0x64, "Main": 0x4D, "Baseline": 0x42, "Constrained Baseline": 0x42}

# name -> extra options; superfast encodes High profile, ultrafast Constrained Baseline.
JOBS = {
    "high": ["--preset", "superfast"],
    "baseline": ["--preset", "ultrafast", "--ladder", "720p@2000k,360p@600k"],
}


def avcc_bytes(init_path):
    """(profile, compatibility, level) from the avcC box of an fMP4 init segment."""
    with open(init_path, "rb") as f:
        data = f.read()
    i = data.find(b"avcC")
    if i < 0:
        raise AssertionError(f"{init_path}: no avcC box")
    return data[i + 5], data[i + 6], data[i + 7]


class MasterPlaylistTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.source = media("main720")
        cls.src = vodtest.SourceFacts.of(cls.source)
        cls.ws = Workspace(prefix="vodctl-master-")
        cls.outputs = {}
        try:
            for name, options in JOBS.items():
                output = cls.ws.path(name)
                rc, _, err = cls.ws.vodctl("run", cls.source, output, "--chunk-duration", "4",
                                           "--segment-duration", "2", *options)
                if rc != 0:
                    raise AssertionError(f"vodctl run ({name}) failed ({rc}):\n{err}")
                cls.outputs[name] = output
        except BaseException:
            cls.ws.cleanup()  # tearDownClass does not run when setUpClass fails
            raise

    @classmethod
    def tearDownClass(cls):
        cls.ws.cleanup()

    def each_output(self):
        for name, output in self.outputs.items():
            with self.subTest(job=name):
                yield name, output, parse_master(os.path.join(output, "master.m3u8"))

    def test_expected_variants(self):
        expected = {"high": ["720p", "480p", "360p"], "baseline": ["720p", "360p"]}
        for name, _, master in self.each_output():
            self.assertEqual(sorted(v["uri"] for v in master["variants"]),
                             sorted(f"{h}/index.m3u8" for h in expected[name]))

    def test_master_tags(self):
        for _, output, master in self.each_output():
            lines = master["lines"]
            self.assertEqual(lines[0], "#EXTM3U")
            self.assertIn("#EXT-X-INDEPENDENT-SEGMENTS", lines)
            audio = [m for m in master["media"] if m.get("TYPE") == "AUDIO"]
            self.assertEqual(len(audio), 1, "one EXT-X-MEDIA audio rendition")
            self.assertEqual(audio[0].get("GROUP-ID"), "audio")
            self.assertEqual(audio[0].get("URI"), "audio/index.m3u8")
            a = vodtest.stream_of(os.path.join(output, "audio", "index.m3u8"), "audio")
            self.assertEqual(a["codec_name"], "aac")
            self.assertEqual(audio[0].get("CHANNELS"), str(a["channels"]), "CHANNELS")
            for variant in master["variants"]:
                attrs = variant["attrs"]
                for key in ("BANDWIDTH", "AVERAGE-BANDWIDTH", "CODECS", "RESOLUTION",
                            "FRAME-RATE", "VIDEO-RANGE", "AUDIO"):
                    self.assertIn(key, attrs, f"{variant['uri']}: {key}")
                self.assertEqual(attrs["VIDEO-RANGE"], "SDR")
                bandwidth, average = int(attrs["BANDWIDTH"]), int(attrs["AVERAGE-BANDWIDTH"])
                self.assertGreater(average, 0)
                self.assertGreater(bandwidth, 0)
                self.assertGreaterEqual(bandwidth, average, f"{variant['uri']}: peak >= average")
                self.assertEqual(attrs["AUDIO"], "audio")
                self.assertEqual(attrs["FRAME-RATE"], f"{float(self.src.frame_rate):.3f}")
                self.assertEqual(attrs["FRAME-RATE"], "25.000")

    def test_codecs_and_resolution_match_streams(self):
        for _, output, master in self.each_output():
            for variant in master["variants"]:
                path = os.path.join(output, variant["uri"])
                v = vodtest.stream_of(path, "video")
                attrs = variant["attrs"]
                self.assertEqual(attrs["RESOLUTION"], f"{v['width']}x{v['height']}")
                codecs = attrs["CODECS"].split(",")
                self.assertEqual(len(codecs), 2, attrs["CODECS"])
                avc = [c for c in codecs if c.startswith("avc1.")]
                self.assertEqual(len(avc), 1, attrs["CODECS"])
                self.assertIn("mp4a.40.2", codecs, "AAC-LC audio")
                pp, cc, ll = (int(avc[0][5 + 2 * i:7 + 2 * i], 16) for i in range(3))
                self.assertEqual(len(avc[0]), 11, avc[0])
                self.assertIn(v["profile"], PROFILE_IDC, v["profile"])
                self.assertEqual(pp, PROFILE_IDC[v["profile"]],
                                 f"{variant['uri']}: {avc[0]} but the stream is {v['profile']}")
                self.assertEqual(ll, int(v["level"]),
                                 f"{variant['uri']}: {avc[0]} but the stream is level "
                                 f"{v['level']} (hex {int(v['level']):02x})")
                init = parse_media_playlist(path)["map"]
                self.assertEqual((pp, cc, ll), avcc_bytes(init),
                                 f"{variant['uri']}: {avc[0]} does not match the avcC box")
        # The two presets really give two profiles, so the mapping is exercised.
        profiles = {name: vodtest.stream_of(os.path.join(out, "720p", "index.m3u8"),
                                            "video")["profile"]
                    for name, out in self.outputs.items()}
        self.assertEqual(profiles, {"high": "High", "baseline": "Constrained Baseline"})

    def test_bandwidth_is_the_real_peak(self):
        for _, output, master in self.each_output():
            audio = parse_media_playlist(os.path.join(output, "audio", "index.m3u8"))
            for variant in master["variants"]:
                video = parse_media_playlist(os.path.join(output, variant["uri"]))
                self.assertEqual(len(video["segments"]), len(audio["segments"]),
                                 "audio and video segments pair up")
                rates = []
                total_bits, total_time = 0, Fraction(0)
                for v, a in zip(video["segments"], audio["segments"]):
                    bits = (os.path.getsize(v["path"]) + os.path.getsize(a["path"])) * 8
                    rates.append(bits / v["duration"])
                    total_bits += bits
                    total_time += v["duration"]
                peak = max(rates)
                bandwidth = int(variant["attrs"]["BANDWIDTH"])
                self.assertLessEqual(abs(bandwidth - peak) / peak, 0.01,
                                     f"{variant['uri']}: BANDWIDTH {bandwidth}, measured peak "
                                     f"{float(peak):.0f}")
                # AVERAGE-BANDWIDTH: the average segment bit rate (RFC 8216 4.3.4.2).
                average = total_bits / total_time
                declared = int(variant["attrs"]["AVERAGE-BANDWIDTH"])
                self.assertLessEqual(abs(declared - average) / average, 0.01,
                                     f"{variant['uri']}: AVERAGE-BANDWIDTH {declared}, measured "
                                     f"{float(average):.0f}")

    def test_media_playlists(self):
        for _, output, master in self.each_output():
            uris = [v["uri"] for v in master["variants"]] + ["audio/index.m3u8"]
            for uri in uris:
                playlist = parse_media_playlist(os.path.join(output, uri))
                lines = playlist["lines"]
                self.assertEqual(lines[0], "#EXTM3U", uri)
                self.assertIn("#EXT-X-PLAYLIST-TYPE:VOD", lines, uri)
                self.assertEqual(lines[-1], "#EXT-X-ENDLIST", uri)
                self.assertIsNotNone(playlist["target_duration"], f"{uri}: EXT-X-TARGETDURATION")
                self.assertIsNotNone(playlist["map"], f"{uri}: EXT-X-MAP for fMP4")
                self.assertTrue(os.path.isfile(playlist["map"]), uri)
                self.assertGreater(len(playlist["segments"]), 1, uri)
                for seg in playlist["segments"]:
                    self.assertIsNotNone(seg["duration"], f"{uri}: {seg['uri']} has no EXTINF")
                    self.assertTrue(os.path.isfile(seg["path"]), seg["path"])
                    self.assertGreaterEqual(playlist["target_duration"],
                                            round(seg["duration"]),
                                            f"{uri}: EXTINF {float(seg['duration'])} rounds "
                                            f"above EXT-X-TARGETDURATION")


if __name__ == "__main__":
    unittest.main()
