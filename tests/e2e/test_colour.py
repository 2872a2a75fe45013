"""Colour that survives the trip: SMPTE bars made in SDR BT.709, converted with ffmpeg's
zscale into HDR (HLG, PQ), BT.601 SD, full range and BT.2020 SDR, must come out of vodctl
looking like the SDR bars did (mean CIEDE2000 over the bars' interiors), tagged BT.709
limited range, SDR in the master playlist, and alike in the thumbnails.

The referee is ffmpeg, told each picture's colour explicitly rather than trusting tags.
"""

import os
import re
import subprocess
import unittest

import vodtest
from ciede2000 import ciede2000, rgb_to_lab
from vodtest import Workspace, media, parse_master

_BARS = ["-f", "lavfi", "-i", "smptehdbars=size=1280x720:rate=25", "-t", "2"]
# The bars as lavfi makes them: BT.709 limited range.
_FROM_709 = "zscale=pin=bt709:tin=bt709:min=bt709:rin=tv"
_X264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "12", "-g", "25"]


def _x265(params):
    # Closed GOPs of 25 frames: split cuts chunks at IDRs.
    return ["-c:v", "libx265", "-preset", "ultrafast", "-crf", "12", "-x265-params",
            f"keyint=25:min-keyint=25:open-gop=0:log-level=error:{params}"]


def _hdr(transfer):
    # SDR white becomes HDR reference white, 203 cd/m² (BT.2408), in BT.2020.
    return (f"{_FROM_709}:p=bt709:t=linear:npl=203,format=gbrpf32le,zscale=p=bt2020,"
            f"zscale=t={transfer}:m=bt2020nc:r=tv:npl=203,format=yuv420p10le")


_TAGS_709 = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]
_HDR_TAGS = "colorprim=bt2020:colormatrix=bt2020nc:range=limited"

# name -> (source, mean ΔE2000 allowed)
SOURCES = {
    "colour_sdr": (_BARS + ["-vf", "format=yuv420p", *_X264, *_TAGS_709, "-color_range", "tv"], 0),
    "colour_hlg": (_BARS + ["-vf", _hdr("arib-std-b67"),
                            *_x265(f"{_HDR_TAGS}:transfer=arib-std-b67")], 5),
    "colour_pq": (_BARS + ["-vf", _hdr("smpte2084"), *_x265(
        f"{_HDR_TAGS}:transfer=smpte2084:hdr10=1:max-cll=1000,400:master-display="
        "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,50)")], 5),
    # SD: 720x480 with 16:9 pixels, so its 360p rung is 640x360 like the others'.
    "colour_bt601": (_BARS + ["-vf", f"{_FROM_709}:w=720:h=480:f=bicubic:p=smpte170m:"
                              "t=smpte170m:m=smpte170m:r=tv,format=yuv420p,setsar=32/27", *_X264,
                              "-colorspace", "smpte170m", "-color_primaries", "smpte170m",
                              "-color_trc", "smpte170m", "-color_range", "tv"], 2),
    "colour_full": (_BARS + ["-vf", f"{_FROM_709}:p=bt709:t=bt709:m=bt709:r=pc,format=yuvj420p", *_X264, *_TAGS_709,
                             "-color_range", "pc"], 2),
    "colour_bt2020": (_BARS + ["-vf", f"{_FROM_709}:p=bt2020:t=bt2020-10:m=bt2020nc:r=tv,"
                               "format=yuv420p10le",
                               *_x265("colorprim=bt2020:transfer=bt2020-10:colormatrix=bt2020nc:"
                                      "range=limited")], 2),
    # RGB (a screen recording, an export): no matrix, full range.
    "colour_rgb": (_BARS + ["-vf", f"{_FROM_709}:p=bt709:t=bt709:m=gbr:r=pc,format=gbrp",
                            "-c:v", "ffv1", "-g", "25"], 2),
}
for _name, (_args, _) in SOURCES.items():
    vodtest.SOURCES.setdefault(_name, _args)
vodtest.CONTAINERS.setdefault("colour_rgb", ("mkv", "matroska"))
# An HDR phone video: the HLG bars with a quarter-turn display matrix (FFmpeg 5.1 writes the
# "rotate" tag as one only when remuxing).
vodtest.SOURCES.setdefault("colour_hlg_rotated", SOURCES["colour_hlg"][0])
vodtest.REMUX.setdefault("colour_hlg_rotated", ["-metadata:s:v:0", "rotate=90"])

RUNG = "360p"
WIDTH, HEIGHT = 640, 360
OPTIONS = ["--preset", "ultrafast", "--ladder", RUNG]


def rgb_picture(path, width, height, matrix, levels, crop=None, turn=None):
    """The first picture of `path` as 8-bit RGB bytes, decoded as `matrix`/`levels` say,
    cropped to `crop` or turned by `turn` (a transpose) first."""
    chain = (f"crop={crop}," if crop else "") + (f"transpose={turn}," if turn else "") + (
        f"scale={width}:{height}:in_color_matrix={matrix}:in_range={levels}:flags=bicubic,"
        "format=rgb24")
    return vodtest.run_checked(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-frames:v", "1",
                                "-vf", chain, "-f", "rawvideo", "-"])


def mean_delta_e(reference, picture, width, height, radius=3, step=3):
    """Mean ΔE2000 over the pixels inside a patch of `reference` (its corners `radius` away
    match it within 3 levels): the bars' interiors, not the edges scaling blurs."""
    def at(data, x, y):
        i = (y * width + x) * 3
        return data[i:i + 3]

    total, count, cache = 0.0, 0, {}
    for y in range(radius, height - radius, step):
        for x in range(radius, width - radius, step):
            colour = at(reference, x, y)
            corners = [at(reference, x + dx, y + dy) for dx in (-radius, radius)
                       for dy in (-radius, radius)]
            if any(abs(c[k] - colour[k]) > 3 for c in corners for k in range(3)):
                continue
            key = (colour, at(picture, x, y))
            if key not in cache:
                cache[key] = ciede2000(rgb_to_lab(key[0]), rgb_to_lab(key[1]))
            total += cache[key]
            count += 1
    if count < 100:
        raise AssertionError(f"only {count} pixels inside the bars")
    return total / count


class Ciede2000Test(unittest.TestCase):
    def test_sharma_test_pairs(self):
        # Pairs 1, 2 and 17 of Sharma, Wu and Dalal (2005), table 1.
        for lab1, lab2, expected in [
                ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
                ((50, 3.1571, -77.2803), (50, 0, -82.7485), 2.8615),
                ((50, 2.5, 0), (73, 25, -18), 27.1492)]:
            self.assertAlmostEqual(ciede2000(lab1, lab2), expected, places=4)


class ColourTest(unittest.TestCase):
    """Every source once through `vodctl run`, shared by the checks."""

    @classmethod
    def setUpClass(cls):
        vodtest.require_binary()
        cls.ws = Workspace(prefix="vodctl-colour-")
        cls.addClassCleanup(cls.ws.cleanup)  # also when a run below fails
        cls.outputs = {}
        for name in SOURCES:
            output = cls.ws.path(name)
            rc, _, err = cls.ws.vodctl("run", media(name), output, *OPTIONS, "--job", name,
                                       quiet=True)
            if rc != 0:
                raise AssertionError(f"vodctl run {name} failed:\n{err}")
            cls.outputs[name] = output
        cls.reference = cls.rendition_rgb("colour_sdr")

    @classmethod
    def rendition_rgb(cls, name, width=WIDTH, height=HEIGHT, output=None, turn=None):
        # Concatenated init and media segments: one fMP4 file ffmpeg reads without HLS options.
        folder = os.path.join(output or cls.outputs[name], RUNG)
        segments = sorted(f for f in os.listdir(folder) if f.endswith(".m4s"))
        whole = vodtest.concat_files([vodtest.init_path(output or cls.outputs[name], RUNG)] +
                                     [os.path.join(folder, f) for f in segments],
                                     cls.ws.path(f"{name}-{width}.mp4"))
        return rgb_picture(whole, width, height, "bt709", "tv", turn=turn)

    def test_every_source_looks_like_the_sdr_bars(self):
        for name, (_, bound) in SOURCES.items():
            if name == "colour_sdr":
                continue
            with self.subTest(source=name):
                delta = mean_delta_e(self.reference, self.rendition_rgb(name), WIDTH, HEIGHT)
                print(f"\n{name}: mean ΔE2000 {delta:.2f} against the SDR bars (bound {bound})")
                self.assertLessEqual(delta, bound)

    def test_hdr_phone_video_comes_out_upright_and_tone_mapped(self):
        output = self.ws.path("colour_hlg_rotated")
        rc, _, err = self.ws.vodctl("run", media("colour_hlg_rotated"), output, *OPTIONS,
                                    "--job", "colour_hlg_rotated", quiet=True)
        self.assertEqual(rc, 0, err)
        master = parse_master(os.path.join(output, "master.m3u8"))
        self.assertEqual([v["attrs"]["RESOLUTION"] for v in master["variants"]], ["202x360"])
        # Stored landscape, shown upright: the SDR bars turned a quarter counterclockwise.
        width, height = 202, 360
        reference = self.rendition_rgb("colour_sdr", width, height, turn="cclock")
        picture = self.rendition_rgb("colour_hlg_rotated", width, height, output=output)
        delta = mean_delta_e(reference, picture, width, height)
        print(f"\ncolour_hlg_rotated: mean ΔE2000 {delta:.2f} against the SDR bars turned")
        self.assertLessEqual(delta, 5)

    def test_relabelling_would_fail(self):
        # The referee can tell: BT.601 pixels read as BT.709, what vodctl did before.
        source = media("colour_bt601")
        relabelled = rgb_picture(source, WIDTH, HEIGHT, "bt709", "tv")
        delta = mean_delta_e(self.reference, relabelled, WIDTH, HEIGHT)
        print(f"\nBT.601 relabelled as BT.709: mean ΔE2000 {delta:.2f}")
        self.assertGreater(delta, 2)

    def test_every_rendition_is_tagged_bt709_limited_range(self):
        for name, output in self.outputs.items():
            with self.subTest(source=name):
                master = parse_master(os.path.join(output, "master.m3u8"))
                self.assertTrue(master["variants"])
                for variant in master["variants"]:
                    self.assertEqual(variant["attrs"].get("VIDEO-RANGE"), "SDR", variant["uri"])
                    playlist = os.path.join(output, variant["uri"])
                    video = vodtest.stream_of(playlist, "video")
                    self.assertEqual(
                        [video.get(k) for k in ("color_primaries", "color_transfer",
                                                "color_space", "color_range")],
                        ["bt709", "bt709", "bt709", "tv"], variant["uri"])
                    with open(vodtest.parse_media_playlist(playlist)["map"], "rb") as f:
                        self.assertIn(b"colr", f.read(), "the init segment's colr box")

    def test_thumbnails_look_like_the_video(self):
        reference = None
        for name, output in self.outputs.items():
            with self.subTest(source=name):
                folder = os.path.join(output, "thumbnails")
                with open(os.path.join(folder, "thumbnails.vtt")) as f:
                    sheet, x, y, w, h = re.search(r"(\S+\.jpg)#xywh=(\d+),(\d+),(\d+),(\d+)",
                                                  f.read()).groups()
                w, h = int(w), int(h)
                if reference is None:
                    reference = self.rendition_rgb("colour_sdr", w, h)
                # JFIF: BT.601, full range.
                thumbnail = rgb_picture(os.path.join(folder, sheet), w, h, "bt601", "pc",
                                        crop=f"{w}:{h}:{x}:{y}")
                delta = mean_delta_e(reference, thumbnail, w, h, radius=2, step=1)
                print(f"\n{name}: thumbnail mean ΔE2000 {delta:.2f} against the SDR video")
                self.assertLessEqual(delta, max(SOURCES[name][1], 2))

    def test_status_says_what_was_read_and_done(self):
        jobs = {j["job"]: j for j in self.ws.status()}
        expected = {
            "colour_sdr": ("bt709", "bt709", "bt709", "tv", "none"),
            "colour_hlg": ("bt2020", "arib-std-b67", "bt2020nc", "tv", "tone-mapped"),
            "colour_pq": ("bt2020", "smpte2084", "bt2020nc", "tv", "tone-mapped"),
            "colour_bt601": ("smpte170m", "smpte170m", "smpte170m", "tv", "converted"),
            "colour_full": ("bt709", "bt709", "bt709", "pc", "converted"),
            "colour_bt2020": ("bt2020", "bt2020-10", "bt2020nc", "tv", "converted"),
            "colour_rgb": ("bt709", "bt709", "gbr", "pc", "converted"),
        }
        for name, (primaries, transfer, matrix, levels, done) in expected.items():
            with self.subTest(source=name):
                video = jobs[name]["source_info"]["video"]
                colour = video["colour"]
                self.assertEqual([colour["primaries"], colour["transfer"], colour["matrix"],
                                  colour["range"]], [primaries, transfer, matrix, levels])
                self.assertTrue(video["colour_conversion"].startswith(done),
                                video["colour_conversion"])
        # PQ's light levels ride in its SEI (x265 writes no mdcv/clli box): the peak is its MaxCLL.
        pq = jobs["colour_pq"]["source_info"]["video"]
        self.assertEqual((pq["colour"]["max_cll"], pq["colour"]["max_fall"]), (1000, 400))
        self.assertEqual(pq["colour"]["mastering_max_luminance"], 1000)
        self.assertIn("peak 1000 cd/m²", pq["colour_conversion"])


class ColourDeterminismTest(vodtest.VodTestCase):
    # Two chunks of a second: the float path (zscale, tonemap) runs in both.
    OPTIONS = OPTIONS + ["--chunk-duration", "1", "--segment-duration", "1"]

    def test_hdr_output_is_the_same_with_any_jobs_and_across_resume(self):
        source = media("colour_hlg")
        self.run_ok("run", source, self.ws.path("jobs1"), *self.OPTIONS, "--jobs", "1",
                    "--job", "a", quiet=True)
        self.run_ok("run", source, self.ws.path("jobs2"), *self.OPTIONS, "--jobs", "2",
                    "--job", "b", quiet=True)
        # Step by step, the second chunk first, the rest by resume.
        self.run_ok("split", source, "--job", "c", "--output", self.ws.path("steps"),
                    *self.OPTIONS, quiet=True)
        self.run_ok("transcode-chunk", "--job", "c", "--chunk", "1", quiet=True)
        self.run_ok("resume", "--job", "c", quiet=True)
        jobs1 = vodtest.tree_hashes(self.ws.path("jobs1"))
        self.assertGreater(len(jobs1), 3)
        self.assertEqual(vodtest.tree_hashes(self.ws.path("jobs2")), jobs1)
        self.assertEqual(vodtest.tree_hashes(self.ws.path("steps")), jobs1)


if __name__ == "__main__":
    unittest.main()
