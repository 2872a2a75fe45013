"""Trick play: an I-frame playlist per video variant, judged entry by entry with ffprobe."""

import os
import shutil
import tempfile
import unittest
from fractions import Fraction

import vodtest
from vodtest import FAST, Workspace, media, parse_attributes, parse_master, read_lines

# A hard cut 3.3 s in, inside the second 2 s segment: x264 (not ultrafast, which turns scene
# detection off) puts an IDR there, so some segments hold a key frame that does not start them.
vodtest.SOURCES.setdefault("scenecut", [
    "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=3.32",
    "-f", "lavfi", "-i", "smptehdbars=size=640x360:rate=25:duration=2.68",
    "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[v]", "-map", "[v]",
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-g", "50"])

OPTIONS = ["--ladder", "360p,240p", "--preset", "veryfast", "--chunk-duration", "4",
           "--segment-duration", "2"]


def parse_iframe_playlist(path):
    """{'lines', 'map', 'entries': [{'duration', 'length', 'offset', 'uri', 'path'}]}"""
    lines = read_lines(path)
    folder = os.path.dirname(path)
    playlist = {"lines": lines, "map": None, "entries": []}
    duration = byte_range = None
    for line in lines:
        if line.startswith("#EXT-X-MAP:"):
            playlist["map"] = os.path.join(folder, parse_attributes(line.split(":", 1)[1])["URI"])
        elif line.startswith("#EXTINF:"):
            duration = Fraction(line.split(":", 1)[1].split(",")[0])
        elif line.startswith("#EXT-X-BYTERANGE:"):
            length, offset = line.split(":", 1)[1].split("@")
            byte_range = int(length), int(offset)
        elif not line.startswith("#"):
            if duration is None or byte_range is None:
                raise AssertionError(f"{path}: {line} without EXTINF and EXT-X-BYTERANGE")
            playlist["entries"].append({"duration": duration, "length": byte_range[0],
                                        "offset": byte_range[1], "uri": line,
                                        "path": os.path.join(folder, line)})
            duration = byte_range = None
    return playlist


def extract(entry, init, dest):
    """The entry's bytes, after the init section for fMP4: a file that plays on its own."""
    with open(dest, "wb") as out:
        if init:
            with open(init, "rb") as f:
                out.write(f.read())
        with open(entry["path"], "rb") as f:
            data = f.read()
        if entry["offset"] + entry["length"] > len(data):
            raise AssertionError(f"{entry['uri']}: byte range past the end of the file")
        out.write(data[entry["offset"]:entry["offset"] + entry["length"]])
    return dest


def decoded_frames(path):
    info = vodtest.ffprobe_json(path, "-select_streams", "v:0", "-show_entries",
                                "frame=pts_time,key_frame,pict_type,width,height")
    return info.get("frames", [])


def key_frame_times(index_path):
    """Presentation times of every key frame of a rendition, read through its playlist."""
    info = vodtest.ffprobe_json(index_path, "-select_streams", "v:0", "-show_entries",
                                "packet=pts_time,flags")
    return [Fraction(p["pts_time"]) for p in info["packets"] if "K" in p["flags"]]


def parse_cue(block):
    timing, payload = block.strip().split("\n")
    start, end = (vtt_seconds(t) for t in timing.split(" --> "))
    sprite, xywh = payload.split("#xywh=")
    return {"start": start, "end": end, "sprite": sprite,
            "xywh": tuple(int(v) for v in xywh.split(","))}


def vtt_seconds(text):
    hours, minutes, seconds = text.split(":")
    return (int(hours) * 3600 + int(minutes) * 60) + Fraction(seconds)


def rgb(argv):
    return vodtest.run_checked(["ffmpeg", "-v", "error", "-nostdin", *argv, "-frames:v", "1",
                                "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], timeout=120)


def tile_pixels(sprite, x, y, w, h):
    return rgb(["-i", sprite, "-vf", f"crop={w}:{h}:{x}:{y}"])


def source_frame(source, number, w, h):
    return rgb(["-i", source, "-vf", f"select=eq(n\\,{number}),scale={w}:{h}"])


def mean_abs_diff(a, b):
    if len(a) != len(b) or not a:
        raise AssertionError(f"pictures of {len(a)} and {len(b)} bytes")
    return sum(abs(p - q) for p, q in zip(a, b)) / len(a)


class TrickPlayTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace(prefix="vodctl-trick-")
        cls.outputs = {}
        try:
            for fmt, jobs in (("fmp4", 2), ("ts", 2), ("fmp4-again", 1)):
                output = cls.ws.path(fmt)
                rc, _, err = cls.ws.vodctl("run", media("scenecut"), output, *OPTIONS,
                                           "--format", fmt.split("-")[0], "--jobs", jobs)
                if rc != 0:
                    raise AssertionError(f"vodctl run ({fmt}) failed ({rc}):\n{err}")
                cls.outputs[fmt] = output
        except BaseException:
            cls.ws.cleanup()
            raise
        cls.scratch = tempfile.mkdtemp(prefix="vodctl-trick-probe-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)
        cls.ws.cleanup()

    def each_variant(self):
        for fmt in ("fmp4", "ts"):
            output = self.outputs[fmt]
            master = parse_master(os.path.join(output, "master.m3u8"))
            for variant in master["variants"]:
                with self.subTest(fmt=fmt, variant=variant["uri"]):
                    yield fmt, output, master, variant

    def test_master_names_an_iframe_stream_per_variant(self):
        for fmt in ("fmp4", "ts"):
            lines = read_lines(os.path.join(self.outputs[fmt], "master.m3u8"))
            tags = [parse_attributes(line.split(":", 1)[1]) for line in lines
                    if line.startswith("#EXT-X-I-FRAME-STREAM-INF:")]
            master = parse_master(os.path.join(self.outputs[fmt], "master.m3u8"))
            self.assertEqual([t["URI"] for t in tags],
                             [v["uri"].replace("index.m3u8", "iframes.m3u8")
                              for v in master["variants"]], fmt)
            for tag, variant in zip(tags, master["variants"]):
                self.assertEqual(tag["RESOLUTION"], variant["attrs"]["RESOLUTION"])
                video_codec = [c for c in variant["attrs"]["CODECS"].split(",")
                               if c.startswith("avc1.")]
                self.assertEqual(tag["CODECS"], video_codec[0], "CODECS: the video's alone")
                playlist = parse_iframe_playlist(os.path.join(self.outputs[fmt], tag["URI"]))
                peak = max(Fraction(e["length"] * 8) / e["duration"]
                           for e in playlist["entries"])
                self.assertLessEqual(abs(int(tag["BANDWIDTH"]) - peak), 1,
                                     f"{tag['URI']}: BANDWIDTH is the peak I-frame bit rate")

    def test_every_entry_is_one_idr_at_its_time(self):
        found_mid_segment_key_frame = False
        for fmt, output, _, variant in self.each_variant():
            name = variant["uri"].split("/")[0]
            index_path = os.path.join(output, variant["uri"])
            playlist = parse_iframe_playlist(os.path.join(output, name, "iframes.m3u8"))
            lines = playlist["lines"]
            self.assertIn("#EXT-X-I-FRAMES-ONLY", lines)
            self.assertIn("#EXT-X-PLAYLIST-TYPE:VOD", lines)
            self.assertEqual(lines[-1], "#EXT-X-ENDLIST")
            self.assertEqual(playlist["map"] is not None, fmt == "fmp4", "EXT-X-MAP for fMP4")
            target = int(next(l for l in lines if l.startswith("#EXT-X-TARGETDURATION:"))
                         .split(":")[1])
            width, height = (int(x) for x in variant["attrs"]["RESOLUTION"].split("x"))

            # Cutting each key frame into a fragment of its own loses no frame.
            self.assertEqual(vodtest.count_frames(index_path),
                             vodtest.SourceFacts.of(media("scenecut")).frames, "decoded frames")
            # One entry per key frame of the rendition, none left out.
            key_times = key_frame_times(index_path)
            self.assertEqual(len(playlist["entries"]), len(key_times), "entries vs key frames")
            start = key_times[0]
            at = start
            for i, entry in enumerate(playlist["entries"]):
                self.assertLessEqual(round(entry["duration"]), target, "EXTINF over target")
                path = extract(entry, playlist["map"],
                               os.path.join(self.scratch, f"{fmt}-{name}-{i}.bin"))
                frames = decoded_frames(path)
                self.assertEqual(len(frames), 1, f"entry {i} ({entry['uri']}) decodes to "
                                                 f"{len(frames)} frames")
                frame = frames[0]
                self.assertEqual((frame["key_frame"], frame["pict_type"]), (1, "I"), f"entry {i}")
                self.assertEqual((frame["width"], frame["height"]), (width, height), f"entry {i}")
                self.assertIn(5, vodtest.first_packet_nal_types(path), f"entry {i}: not an IDR")
                pts = Fraction(frame["pts_time"])
                self.assertEqual(pts, key_times[i], f"entry {i}: key frame time")
                # The EXTINFs before it add up to its time (written to the microsecond).
                self.assertLess(abs(pts - at), Fraction(1, 1000), f"entry {i} at {float(pts)} "
                                f"s, the EXTINFs say {float(at)} s")
                at += entry["duration"]
                if entry["offset"] > 0:
                    found_mid_segment_key_frame = True

            # All entries together last as long as the rendition.
            media_playlist = vodtest.parse_media_playlist(index_path)
            total = sum(s["duration"] for s in media_playlist["segments"])
            self.assertLess(abs((at - start) - total), Fraction(1, 1000), "sum of EXTINF")
        self.assertTrue(found_mid_segment_key_frame,
                        "the scene cut did not give a key frame inside a segment")

    def test_thumbnail_track_covers_the_video(self):
        output = self.outputs["fmp4"]
        folder = os.path.join(output, "thumbnails")
        with open(os.path.join(folder, "thumbnails.vtt"), encoding="utf-8") as f:
            blocks = f.read().split("\n\n")
        self.assertEqual(blocks[0], "WEBVTT")
        cues = [parse_cue(block) for block in blocks[1:]]
        smallest = vodtest.parse_media_playlist(os.path.join(output, "240p", "index.m3u8"))
        self.assertEqual(len(cues), len(smallest["segments"]), "a thumbnail per segment")
        self.assertEqual(cues[0]["start"], 0)
        for before, after in zip(cues, cues[1:]):
            self.assertEqual(after["start"], before["end"], "cues must be contiguous")
        duration = sum(s["duration"] for s in smallest["segments"])
        self.assertLessEqual(abs(cues[-1]["end"] - duration), Fraction(1, 1000),
                             "the last cue ends with the video")

        sizes = {}
        for cue in cues:
            sprite = os.path.join(folder, cue["sprite"])
            if sprite not in sizes:
                v = vodtest.streams(sprite)[0]
                self.assertEqual(v["codec_name"], "mjpeg", cue["sprite"])
                sizes[sprite] = int(v["width"]), int(v["height"])
            x, y, w, h = cue["xywh"]
            self.assertEqual((w, h), (160, 90), "tiles keep the 16:9 aspect")
            self.assertLessEqual(x + w, sizes[sprite][0], f"{cue} inside its sprite")
            self.assertLessEqual(y + h, sizes[sprite][1], f"{cue} inside its sprite")

        # Each tile shows the video at its cue's start, and not some other moment: the tile
        # after the cut (colour bars) looks nothing like the first frame (test pattern).
        source = media("scenecut")
        first_frame = source_frame(source, 0, 160, 90)
        for i, cue in enumerate(cues):
            tile = tile_pixels(os.path.join(folder, cue["sprite"]), *cue["xywh"])
            frame = source_frame(source, round(cue["start"] * 25), 160, 90)
            self.assertLess(mean_abs_diff(tile, frame), 6, f"thumbnail {i} vs the video")
            if cue["start"] > 4:
                self.assertGreater(mean_abs_diff(tile, first_frame), 30,
                                   f"thumbnail {i} vs the first frame")

    def test_no_thumbnails(self):
        output = self.ws.path("bare")
        rc, _, err = self.ws.vodctl("run", media("scenecut"), output, *FAST, "--ladder", "240p",
                                    "--no-thumbnails", "--job", "bare")
        self.assertEqual(rc, 0, err)
        self.assertFalse(os.path.exists(os.path.join(output, "thumbnails")))
        self.assertTrue(os.path.isfile(os.path.join(output, "240p", "iframes.m3u8")))
        self.assertIs(self.ws.status("bare")[0]["options"]["thumbnails"], False)

    def test_output_does_not_depend_on_jobs(self):
        first, again = (vodtest.tree_hashes(self.outputs[k]) for k in ("fmp4", "fmp4-again"))
        self.assertTrue(any(p.endswith("iframes.m3u8") for p in first))
        self.assertEqual(first, again)


if __name__ == "__main__":
    unittest.main()
