"""Shared helpers for vodctl's end-to-end tests.

* media(name): a source video made with the ffmpeg CLI (test media only), generated once and
  cached by name (and by the ffmpeg arguments) in $VODCTL_TEST_MEDIA.
* Workspace / VodTestCase: a fresh temporary folder and --state database per test, and a
  wrapper that runs $VODCTL_BIN and returns (rc, stdout, stderr).
* ffprobe helpers and HLS playlist parsers, used as an independent referee.
* HlsChecks.assert_valid_hls(): the reusable check of a whole HLS presentation against its
  source.

Only the Python standard library is used.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
VODCTL_BIN = os.environ.get("VODCTL_BIN") or os.path.normpath(
    os.path.join(HERE, "..", "..", "build", "vodctl"))
MEDIA_DIR = os.environ.get("VODCTL_TEST_MEDIA") or os.path.join(
    tempfile.gettempdir(), "vodctl-test-media")
# Set VODCTL_TEST_KEEP=1 to keep every test's work folder for a look afterwards.
KEEP_WORKDIRS = os.environ.get("VODCTL_TEST_KEEP") == "1"

EX_OK, EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_UNAVAILABLE, EX_IOERR, EX_TEMPFAIL, EX_NOPERM = (
    0, 64, 65, 66, 69, 74, 75, 77)

# Options for tests that do not care about quality: fast, several chunks and segments.
FAST = ["--preset", "ultrafast", "--chunk-duration", "4", "--segment-duration", "2"]

# ---------------------------------------------------------------------------------------------
# Source media


def _lavfi_video(size, rate, extra=""):
    return ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}{extra}"]


_SINE = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:beep_factor=4"]
_AAC = ["-c:a", "aac", "-b:a", "96k", "-ac", "2"]
# 5.1 as a surround mix is made: a different tone in each channel (FL FR FC LFE SL SR).
_SURROUND = ["-f", "lavfi", "-i",
             "aevalsrc=0.2*sin(2*PI*330*t)|0.2*sin(2*PI*440*t)|0.2*sin(2*PI*550*t)"
             "|0.2*sin(2*PI*55*t)|0.1*sin(2*PI*660*t)|0.1*sin(2*PI*770*t)"
             ":sample_rate=48000:channel_layout=5.1"]
_AAC_SURROUND = ["-c:a", "aac", "-b:a", "256k", "-channel_layout", "5.1"]
_X264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p"]

# Sources that are not plain MP4: name -> (file extension, ffmpeg muxer).
CONTAINERS = {}
# Sources made in two passes: name -> ffmpeg arguments of a stream-copy remux of the first
# pass's output (FFmpeg 5.1 writes a "rotate" tag as a display matrix only when remuxing).
REMUX = {}

# name -> ffmpeg arguments between "ffmpeg -y" and the output file.
SOURCES = {
    # The main source: 720p25 with audio, x264 with B-frames, 2 s GOPs.
    "main720": _lavfi_video("1280x720", 25) + _SINE + [
        "-t", "12", *_X264, "-preset", "veryfast", "-crf", "30", "-g", "50",
        "-x264-params", "bframes=3:b-adapt=0", *_AAC],
    # The same with 5.1 audio.
    "main720_surround": _lavfi_video("1280x720", 25) + _SURROUND + [
        "-t", "12", *_X264, "-preset", "veryfast", "-crf", "30", "-g", "50",
        "-x264-params", "bframes=3:b-adapt=0", *_AAC_SURROUND],
    # B-frames with a B-pyramid (reordering two deep), small picture.
    "bframes": _lavfi_video("640x360", 25) + _SINE + [
        "-t", "10", *_X264, "-preset", "faster", "-crf", "30", "-g", "50",
        "-x264-params", "bframes=3:b-pyramid=normal:b-adapt=0", *_AAC],
    # A keyframe every 37 frames: does not divide a 2 s (50 frame) segment.
    "gop37": _lavfi_video("640x360", 25) + _SINE + [
        "-t", "10", *_X264, "-preset", "veryfast", "-crf", "30", "-g", "37",
        "-keyint_min", "37", "-sc_threshold", "0", *_AAC],
    # Video only, 30 fps.
    "noaudio": _lavfi_video("640x360", 30) + [
        "-t", "8", *_X264, "-preset", "veryfast", "-crf", "30", "-g", "60"],
    # Anamorphic PAL 16:9: 720x576 stored, square-pixel display 1024x576.
    "anamorphic": _lavfi_video("720x576", 25) + _SINE + [
        "-t", "10", "-vf", "setsar=64/45", *_X264, "-preset", "veryfast", "-crf", "30",
        "-g", "50", *_AAC],
    # Small general-purpose source (steps, status, bad input). Default mp4 muxing: the moov
    # box is written at the end of the file.
    "small": _lavfi_video("854x480", 25) + _SINE + [
        "-t", "10", *_X264, "-preset", "veryfast", "-crf", "30", "-g", "50", *_AAC],
    # Longer source so that a job is still running when looked at.
    "long": _lavfi_video("640x360", 25) + _SINE + [
        "-t", "40", *_X264, "-preset", "ultrafast", "-crf", "30", "-g", "50", *_AAC],
    # Sources as people upload them (tests/e2e/test_sources.py); short and small.
    # A phone video held upright: 640x360 stored, a display matrix turns it 90 degrees.
    "rotated": _lavfi_video("640x360", 25) + _SINE + [
        "-t", "3", *_X264, "-preset", "veryfast", "-crf", "30", "-g", "25", *_AAC],
    # Variable frame rate: 30 fps with every third frame dropped after the first second.
    "vfr": _lavfi_video("640x360", 30) + _SINE + [
        "-t", "4", "-vf", "select='lt(n\\,30)+mod(n\\,3)'", "-vsync", "vfr", *_X264,
        "-preset", "veryfast", "-crf", "30", "-g", "30", *_AAC],
    # Interlaced PAL: 50p motion woven into 25 top-field-first frames, coded as fields.
    "interlaced": _lavfi_video("720x576", 50) + _SINE + [
        "-t", "3", "-vf", "tinterlace=mode=interleave_top,setfield=tff", *_X264,
        "-flags", "+ildct+ilme", "-field_order", "tt", "-x264-params", "tff=1",
        "-preset", "veryfast", "-crf", "30", "-g", "25", *_AAC],
    # 10-bit HEVC, as recent phones record.
    "hevc10": _lavfi_video("640x360", 25) + _SINE + [
        "-t", "3", "-c:v", "libx265", "-pix_fmt", "yuv420p10le", "-preset", "ultrafast",
        "-x265-params", "log-level=error:keyint=25", "-tag:v", "hvc1", *_AAC],
    # 5.1 audio.
    "surround": _lavfi_video("640x360", 25) + _SINE + [
        "-t", "3", *_X264, "-preset", "veryfast", "-crf", "30", "-g", "25",
        "-c:a", "aac", "-b:a", "192k", "-af", "aformat=channel_layouts=5.1"],
    # Two audio tracks with languages and titles.
    "two_audio": _lavfi_video("640x360", 25) + _SINE + [
        "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100", "-map", "0:v", "-map", "1:a",
        "-map", "2:a", "-t", "3", *_X264, "-preset", "veryfast", "-crf", "30", "-g", "25",
        *_AAC, "-metadata:s:a:0", "language=eng", "-metadata:s:a:0", "title=English",
        "-metadata:s:a:1", "language=fra", "-metadata:s:a:1", "title=Français"],
    # Containers: Matroska (H.264 + Opus), QuickTime (H.264 + AAC), WebM (VP9 + Opus).
    "mkv": _lavfi_video("640x360", 25) + _SINE + [
        "-t", "3", *_X264, "-preset", "veryfast", "-crf", "30", "-g", "25", "-c:a", "libopus",
        "-b:a", "64k"],
    "mov": _lavfi_video("640x360", 25) + _SINE + [
        "-t", "3", *_X264, "-preset", "veryfast", "-crf", "30", "-g", "25", *_AAC],
    "webm": _lavfi_video("640x360", 25) + _SINE + [
        "-t", "3", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k",
        "-g", "25", "-c:a", "libopus", "-b:a", "64k"],
    # Dimensions that are not multiples of 4, 8 or 16.
    "odd_size": _lavfi_video("1278x718", 25) + _SINE + [
        "-t", "3", *_X264, "-preset", "ultrafast", "-crf", "30", "-g", "25", *_AAC],
    # 4K, as cameras and phones record: the whole default ladder, 2160p down (1 s, 2 GOPs).
    "uhd": _lavfi_video("3840x2160", 25) + _SINE + [
        "-t", "1", *_X264, "-preset", "ultrafast", "-crf", "30", "-g", "13", *_AAC],
    # Shorter than one 6 s segment.
    "short": _lavfi_video("640x360", 25) + _SINE + [
        "-t", "1.5", *_X264, "-preset", "veryfast", "-crf", "30", "-g", "25", *_AAC],
    # Tiny and quick: for tests of what surrounds the transcode (webhooks, events).
    "tiny": _lavfi_video("320x180", 25) + _SINE + [
        "-t", "4", *_X264, "-preset", "ultrafast", "-crf", "30", "-g", "25", *_AAC],
    # Audio only (an .m4a).
    "audio_only": _SINE + ["-t", "4", *_AAC],
}
CONTAINERS.update({
    "mkv": ("mkv", "matroska"),
    "mov": ("mov", "mov"),
    "webm": ("webm", "webm"),
    "audio_only": ("m4a", "ipod"),
    "two_audio": ("mkv", "matroska"),  # MP4 would drop the titles
})
REMUX.update({"rotated": ["-metadata:s:v:0", "rotate=90"]})


def media(name):
    """Path of the source video `name` (see SOURCES), generating it on first use."""
    args = SOURCES[name]
    ext, muxer = CONTAINERS.get(name, ("mp4", "mp4"))
    remux = REMUX.get(name)
    digest = hashlib.sha256("\0".join(args + [ext] + (["remux"] + remux if remux else []))
                            .encode()).hexdigest()[:10]
    os.makedirs(MEDIA_DIR, exist_ok=True)
    path = os.path.join(MEDIA_DIR, f"{name}-{digest}.{ext}")
    if os.path.exists(path):
        return path
    # Written beside and renamed, so tests running in parallel never see a partial file.
    fd, partial = tempfile.mkstemp(prefix=f".{name}-", suffix=f".{ext}", dir=MEDIA_DIR)
    os.close(fd)
    first = partial + ".pass1." + ext
    try:
        ffmpeg = ["ffmpeg", "-v", "error", "-nostdin", "-y"]
        run_checked([*ffmpeg, *args, "-f", muxer, first if remux else partial], timeout=300)
        if remux:
            run_checked([*ffmpeg, "-i", first, "-map", "0", "-c", "copy", *remux, "-f", muxer,
                         partial], timeout=300)
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    finally:
        for leftover in (partial, first):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return path


def run_checked(argv, timeout=300, **kwargs):
    proc = subprocess.run(argv, capture_output=True, timeout=timeout, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {' '.join(argv)}\n"
                           f"{proc.stderr.decode(errors='replace')}")
    return proc.stdout


# ---------------------------------------------------------------------------------------------
# Running vodctl


def vodctl_argv(args, state=None, quiet=False, verbose=False):
    argv = [VODCTL_BIN]
    if state is not None:
        argv += ["--state", state]
    if quiet:
        argv.append("--quiet")
    if verbose:
        argv.append("--verbose")
    return argv + [str(a) for a in args]


def vodctl_env():
    env = dict(os.environ)
    env.pop("VODCTL_STATE", None)  # the tests always say --state
    return env


def require_binary():
    if not (os.path.isfile(VODCTL_BIN) and os.access(VODCTL_BIN, os.X_OK)):
        raise AssertionError(f"VODCTL_BIN={VODCTL_BIN} is not an executable file: build vodctl "
                             f"first, or point VODCTL_BIN at it")


def run_vodctl(args, state=None, quiet=False, verbose=False, timeout=600, cwd=None):
    """Runs vodctl with global options first; returns (rc, stdout, stderr) as text."""
    require_binary()
    proc = subprocess.run(vodctl_argv(args, state, quiet, verbose), capture_output=True,
                          text=True, timeout=timeout, cwd=cwd, env=vodctl_env(),
                          stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


class Workspace:
    """A temporary folder with its own state database."""

    def __init__(self, prefix="vodctl-e2e-"):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.state = os.path.join(self.dir, "state", "vodctl.db")

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def vodctl(self, *args, quiet=False, verbose=False, timeout=600, state=None):
        return run_vodctl(args, state=state or self.state, quiet=quiet, verbose=verbose,
                          timeout=timeout, cwd=self.dir)

    def popen(self, *args, quiet=False):
        require_binary()
        return subprocess.Popen(vodctl_argv(args, self.state, quiet), cwd=self.dir,
                                env=vodctl_env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def status(self, job=None):
        """`status --json` parsed: a list of job objects. Raises if it fails."""
        args = ["status", "--json"] + (["--job", job] if job else [])
        rc, out, err = self.vodctl(*args)
        if rc != 0:
            raise AssertionError(f"vodctl status --json failed ({rc}): {err.strip()}")
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def cleanup(self):
        if KEEP_WORKDIRS:
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


class VodTestCase(unittest.TestCase):
    """Gives every test self.ws, a fresh Workspace (folder + --state database)."""

    maxDiff = None

    def setUp(self):
        super().setUp()
        self.fresh_workspace()

    def fresh_workspace(self):
        """A new folder and state database, so one sub-case cannot see another's job."""
        self.ws = Workspace(prefix=f"vodctl-{self._testMethodName}-")
        self.addCleanup(self.ws.cleanup)

    def vodctl(self, *args, **kwargs):
        return self.ws.vodctl(*args, **kwargs)

    def run_ok(self, *args, **kwargs):
        rc, out, err = self.ws.vodctl(*args, **kwargs)
        self.assertEqual(rc, 0, f"vodctl {' '.join(map(str, args))} failed:\n{err}")
        return out

    def assert_one_error_line(self, err):
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, f"expected exactly one stderr line, got {err!r}")
        self.assertTrue(lines[0].startswith("vodctl: "), f"stderr line {lines[0]!r}")
        return lines[0]


# ---------------------------------------------------------------------------------------------
# Files


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def tree_hashes(root):
    """{relative path: sha256} of every file under root ({} when root does not exist)."""
    result = {}
    for folder, _, files in os.walk(root):
        for name in files:
            full = os.path.join(folder, name)
            result[os.path.relpath(full, root)] = sha256_file(full)
    return result


def concat_files(paths, dest):
    with open(dest, "wb") as out:
        for p in paths:
            with open(p, "rb") as f:
                shutil.copyfileobj(f, out)
    return dest


# ---------------------------------------------------------------------------------------------
# ffprobe


def ffprobe_json(path, *args):
    out = run_checked(["ffprobe", "-v", "error", "-of", "json", *args, path], timeout=300)
    return json.loads(out)


def streams(path):
    return ffprobe_json(path, "-show_streams")["streams"]


def stream_of(path, codec_type):
    for s in streams(path):
        if s.get("codec_type") == codec_type:
            return s
    return None


def count_frames(path, select="v:0"):
    """Decoded frame count of a stream (ffprobe -count_frames)."""
    info = ffprobe_json(path, "-count_frames", "-select_streams", select,
                        "-show_entries", "stream=nb_read_frames")
    return int(info["streams"][0]["nb_read_frames"])


class Packets:
    """Packets of one stream in decode order, with integer pts/dts in `time_base`."""

    def __init__(self, path, select):
        info = ffprobe_json(path, "-select_streams", select, "-show_entries",
                            "stream=time_base,codec_type,sample_rate,r_frame_rate,avg_frame_rate"
                            ":packet=pts,dts,duration,flags,size")
        if not info.get("streams"):
            raise AssertionError(f"{path}: no stream {select}")
        self.stream = info["streams"][0]
        self.time_base = Fraction(self.stream["time_base"])
        self.list = [
            {"pts": int(p["pts"]) if "pts" in p else None,
             "dts": int(p["dts"]) if "dts" in p else None,
             "duration": int(p["duration"]) if p.get("duration") not in (None, "N/A") else None,
             "flags": p.get("flags", ""), "size": int(p.get("size", 0))}
            for p in info.get("packets", [])]

    def seconds(self, ticks):
        return Fraction(ticks) * self.time_base


def first_packet_nal_types(path):
    """NAL unit types of the first video packet (decode order), via an Annex B copy."""
    data = run_checked(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:v:0",
                        "-c", "copy", "-bsf:v", "h264_mp4toannexb", "-frames:v", "1",
                        "-f", "h264", "-"], timeout=120)
    types = []
    i = 0
    while True:
        i = data.find(b"\x00\x00\x01", i)
        if i < 0 or i + 3 >= len(data):
            break
        types.append(data[i + 3] & 0x1F)
        i += 3
    return types


_SOURCE_CACHE = {}


class SourceFacts:
    """What the referee measures about a source (once per source path)."""

    def __init__(self, path):
        self.path = path
        v = stream_of(path, "video")
        self.width, self.height = int(v["width"]), int(v["height"])
        sar = v.get("sample_aspect_ratio", "1:1")
        num, den = (int(x) for x in sar.split(":"))
        self.sar = Fraction(num, den) if num > 0 and den > 0 else Fraction(1)
        # A display matrix turning the picture a quarter: shown with width and height swapped.
        self.rotation = int(float(next((d["rotation"] for d in v.get("side_data_list", [])
                                        if "rotation" in d), 0))) % 360
        if self.rotation in (90, 270):
            self.width, self.height, self.sar = self.height, self.width, 1 / self.sar
        # ASF gives no average rate (0/0): its nominal rate is the one to count with.
        rate = v["avg_frame_rate"] if v["avg_frame_rate"] != "0/0" else v["r_frame_rate"]
        self.frame_rate = Fraction(rate)
        self.frames = count_frames(path)
        vp = Packets(path, "v:0")
        # Pictures an edit list cuts off the start are not presented: the span starts after.
        vp.list = [p for p in vp.list if "D" not in p["flags"]]
        self.video_start, self.video_end = _timeline(vp, 1 / self.frame_rate)
        a = stream_of(path, "audio")
        self.has_audio = a is not None
        self.audio_streams = sum(1 for s in streams(path) if s.get("codec_type") == "audio")
        # A stereo rendition of each, and a 5.1 one of each with more channels (the default
        # --surround on) where it starts: a broadcast recording may go from 5.1 to stereo.
        self.audio_renditions = sum(2 if _first_frame_channels(path, i) > 2 else 1
                                    for i in range(self.audio_streams))
        if a:
            ap = Packets(path, "a:0")
            # Packets the edit list discards (encoder priming) are not presented.
            ap.list = [p for p in ap.list if "D" not in p["flags"]]
            self.audio_start, self.audio_end = _timeline(ap, Fraction(1024, int(a["sample_rate"])))

    @property
    def display_aspect(self):
        return Fraction(self.width, self.height) * self.sar

    @classmethod
    def of(cls, path):
        if path not in _SOURCE_CACHE:
            _SOURCE_CACHE[path] = cls(path)
        return _SOURCE_CACHE[path]


def _timeline(packets, default_duration):
    """(start, end) in seconds: earliest pts, latest pts + duration. AVI gives no pts, only
    dts, which spans the same pictures."""
    times = [(p["pts"] if p["pts"] is not None else p["dts"], p["duration"])
             for p in packets.list]
    start = min(packets.seconds(t) for t, _ in times)
    end = max(packets.seconds(t) + (packets.seconds(d) if d else default_duration)
              for t, d in times)
    return start, end


# ---------------------------------------------------------------------------------------------
# Playlists


def parse_attributes(text):
    """HLS attribute list -> dict; quoted values keep their commas, lose their quotes."""
    attrs, i = {}, 0
    while i < len(text):
        eq = text.index("=", i)
        key = text[i:eq].strip()
        j = eq + 1
        if j < len(text) and text[j] == '"':
            end = text.index('"', j + 1)
            attrs[key] = text[j + 1:end]
            i = end + 1
        else:
            end = text.find(",", j)
            end = len(text) if end < 0 else end
            attrs[key] = text[j:end]
            i = end
        if i < len(text) and text[i] == ",":
            i += 1
    return attrs


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\r\n") for line in f if line.strip()]


def _first_frame_channels(path, audio_index):
    """Channels of the first decoded frame of audio stream `audio_index`."""
    info = ffprobe_json(path, "-select_streams", f"a:{audio_index}", "-read_intervals", "%+2",
                        "-show_frames", "-show_entries", "frame=channels")
    return int(info["frames"][0]["channels"])


def parse_master(path):
    lines = read_lines(path)
    master = {"lines": lines, "variants": [], "media": []}
    for i, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF:"):
            master["variants"].append({"attrs": parse_attributes(line.split(":", 1)[1]),
                                       "uri": lines[i + 1]})
        elif line.startswith("#EXT-X-MEDIA:"):
            master["media"].append(parse_attributes(line.split(":", 1)[1]))
    return master


# Media names carry the job's publish tag: seg_<10 hex>_00003.m4s, init_<tag>.mp4 (README,
# "Publishing behind a CDN").
MEDIA_NAME = re.compile(r"^(seg_[0-9a-f]{10}_\d{5}\.(m4s|ts)|init_[0-9a-f]{10}\.mp4)$")


def segment_path(output, rendition, number):
    """The file of segment NUMBER of RENDITION, as its media playlist names it."""
    return parse_media_playlist(os.path.join(output, rendition, "index.m3u8"))["segments"][number]["path"]


def init_path(output, rendition):
    """The init segment of an fMP4 RENDITION, as its media playlist names it."""
    return parse_media_playlist(os.path.join(output, rendition, "index.m3u8"))["map"]


def parse_media_playlist(path):
    lines = read_lines(path)
    folder = os.path.dirname(path)
    playlist = {"lines": lines, "segments": [], "map": None, "target_duration": None,
                "folder": folder}
    pending = None
    for line in lines:
        if line.startswith("#EXT-X-TARGETDURATION:"):
            playlist["target_duration"] = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-MAP:"):
            playlist["map"] = os.path.join(folder, parse_attributes(line.split(":", 1)[1])["URI"])
        elif line.startswith("#EXTINF:"):
            pending = Fraction(line.split(":", 1)[1].split(",")[0])
        elif not line.startswith("#"):
            playlist["segments"].append({"duration": pending, "uri": line,
                                         "path": os.path.join(folder, line)})
            pending = None
    return playlist


def segment_file(playlist, index, scratch):
    """A file ffprobe can read on its own for segment `index`: init + segment for fMP4."""
    seg = playlist["segments"][index]
    if playlist["map"] is None:
        return seg["path"]
    dest = os.path.join(scratch, f"seg-{os.getpid()}-{index}.mp4")
    return concat_files([playlist["map"], seg["path"]], dest)


def even_round(x):
    return 2 * round(Fraction(x) / 2)


# ---------------------------------------------------------------------------------------------
# The reusable check of a presentation


class HlsChecks:
    """Mixin for unittest.TestCase: assert_valid_hls() judges a whole HLS output."""

    def assert_valid_hls(self, source, output, *, segment_duration, heights, fmt="fmp4",
                         frames=None):
        """Checks OUTPUT against SOURCE with ffprobe/ffmpeg; heights = expected variant heights;
        frames = expected decoded frames per variant (default: the source's; a variable-rate
        source comes out at a constant rate, with more or fewer)."""
        src = SourceFacts.of(source)
        frame = 1 / src.frame_rate
        master_path = os.path.join(output, "master.m3u8")
        self.assertTrue(os.path.isfile(master_path), f"no {master_path}")
        master = parse_master(master_path)
        scratch = tempfile.mkdtemp(prefix="vodctl-probe-")
        self.addCleanup(shutil.rmtree, scratch, ignore_errors=True)

        uris = [v["uri"] for v in master["variants"]]
        self.assertEqual(sorted(uris), sorted(f"{h}p/index.m3u8" for h in heights),
                         "variants in master.m3u8")
        audio_groups = [m for m in master["media"] if m.get("TYPE") == "AUDIO"]
        if src.has_audio:
            self.assertEqual(len(audio_groups), src.audio_renditions,
                             "an EXT-X-MEDIA audio rendition per source audio stream, and a "
                             "5.1 one for each with more than two channels")
            self.assertEqual(audio_groups[0].get("URI"), "audio/index.m3u8")
        else:
            self.assertEqual(audio_groups, [], "no audio group for a source without audio")
            self.assertFalse(os.path.exists(os.path.join(output, "audio")),
                             "no audio folder for a source without audio")
        seg_ext = ".m4s" if fmt == "fmp4" else ".ts"

        boundaries = {}   # variant -> segment starts relative to the video start (seconds)
        video_start = {}  # variant -> first video pts (seconds)
        video_end = {}    # variant -> end of the last video frame (seconds)
        video_segments = {}  # variant -> number of segments
        for variant in master["variants"]:
            name = variant["uri"].split("/")[0]
            attrs = variant["attrs"]
            with self.subTest(variant=name):
                path = os.path.join(output, variant["uri"])
                playlist = parse_media_playlist(path)
                segments = playlist["segments"]
                self.assertGreater(len(segments), 0, f"{name}: no segments")
                if fmt == "fmp4":
                    self.assertIsNotNone(playlist["map"], f"{name}: fMP4 needs EXT-X-MAP")
                else:
                    self.assertIsNone(playlist["map"], f"{name}: TS has no EXT-X-MAP")
                for seg in segments:
                    self.assertTrue(seg["uri"].endswith(seg_ext), f"{name}: {seg['uri']}")

                # Picture: coded size, the master's RESOLUTION, display aspect, square pixels.
                v = stream_of(path, "video")
                self.assertEqual(v["codec_name"], "h264")
                width, height = int(v["width"]), int(v["height"])
                self.assertEqual(height, int(name[:-1]), f"{name}: coded height")
                self.assertEqual(attrs.get("RESOLUTION"), f"{width}x{height}",
                                 f"{name}: RESOLUTION must be the coded size")
                self.assertEqual(width, even_round(height * src.display_aspect),
                                 f"{name}: width must follow the source display aspect "
                                 f"{src.display_aspect} rounded to even")
                self.assertEqual(v.get("sample_aspect_ratio"), "1:1",
                                 f"{name}: output pixels must be square (SAR 1:1)")
                codecs = attrs.get("CODECS", "")
                if src.has_audio:
                    self.assertIn("mp4a.40.2", codecs, f"{name}: CODECS")
                    self.assertEqual(attrs.get("AUDIO"), "audio", f"{name}: AUDIO group")
                else:
                    self.assertNotIn("mp4a", codecs, f"{name}: CODECS without audio")
                    self.assertNotIn("AUDIO", attrs, f"{name}: no AUDIO attribute")

                # Decoded frames and duration, read through the HLS demuxer like a player.
                self.assertEqual(count_frames(path), src.frames if frames is None else frames,
                                 f"{name}: decoded frame count")

                # Segment by segment: key frame first, start time, real duration.
                starts, all_pts, end = [], [], None
                for i, seg in enumerate(segments):
                    f = segment_file(playlist, i, scratch)
                    pk = Packets(f, "v:0")
                    self.assertTrue(pk.list, f"{name} segment {i}: no video packets")
                    if not pk.list:
                        continue
                    self.assertIn("K", pk.list[0]["flags"],
                                  f"{name} segment {i}: first packet is not a key frame")
                    nals = first_packet_nal_types(f)
                    self.assertIn(5, nals, f"{name} segment {i}: first picture is not an IDR "
                                           f"(NAL types {nals})")
                    seg_pts = [pk.seconds(p["pts"]) for p in pk.list]
                    starts.append(min(seg_pts))
                    all_pts += seg_pts
                    last = max(pk.list, key=lambda p: p["pts"])
                    end = pk.seconds(last["pts"]) + (pk.seconds(last["duration"])
                                                     if last["duration"] else frame)
                if len(starts) != len(segments):
                    continue
                v0 = starts[0]
                self.assertEqual(len(all_pts), len(set(all_pts)), f"{name}: repeated pts")
                all_pts.sort()
                self.assertEqual(all_pts[0], v0, f"{name}: segment 0 holds the earliest frame")
                gaps = [(float(a - v0), float(b - a)) for a, b in zip(all_pts, all_pts[1:])
                        if b - a > frame * Fraction(3, 2)]
                self.assertEqual(gaps, [], f"{name}: holes in the video timeline (at, length)")
                self.assertLessEqual(abs((end - v0) - (src.video_end - src.video_start)), frame,
                                     f"{name}: duration {float(end - v0)} vs source "
                                     f"{float(src.video_end - src.video_start)}")
                rel = [s - v0 for s in starts]
                for i, r in enumerate(rel):
                    k = round(r / segment_duration)
                    self.assertLess(abs(r - k * segment_duration), frame / 2,
                                    f"{name}: segment {i} starts at {float(r)} s, not at a "
                                    f"multiple of {segment_duration} s")
                for i, seg in enumerate(segments):
                    actual = (rel[i + 1] if i + 1 < len(rel) else end - v0) - rel[i]
                    self.assertLessEqual(abs(seg["duration"] - actual), frame,
                                         f"{name} segment {i}: EXTINF {float(seg['duration'])} "
                                         f"but it lasts {float(actual)} s")
                boundaries[name] = rel
                video_start[name] = v0
                video_end[name] = end
                video_segments[name] = len(segments)

        # The same cut points in every variant, so players can switch anywhere.
        names = list(boundaries)
        for other in names[1:]:
            self.assertEqual([float(x) for x in boundaries[other]],
                             [float(x) for x in boundaries[names[0]]],
                             f"segment boundaries of {other} and {names[0]} differ")
        for other in names[1:]:
            self.assertEqual(video_start[other], video_start[names[0]],
                             f"video start of {other} and {names[0]} differ")

        if src.has_audio and audio_groups and names:
            self._check_audio(output, scratch, video_start[names[0]], video_end[names[0]],
                              video_segments[names[0]])

        # FFmpeg decodes every stream of the presentation without a word.
        proc = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", master_path,
                               "-map", "0", "-f", "null", "-"],
                              capture_output=True, text=True, timeout=600)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout + proc.stderr, "", "ffmpeg -v error on master.m3u8")

    def _check_audio(self, output, scratch, v0, v_end, video_segments):
        """The audio covers exactly the video's span (the source's audio before or after it is
        dropped, what it does not cover is silence), in as many segments as the video."""
        with self.subTest(variant="audio"):
            path = os.path.join(output, "audio", "index.m3u8")
            playlist = parse_media_playlist(path)
            packets, seams = [], []
            time_base = None
            for i, seg in enumerate(playlist["segments"]):
                pk = Packets(segment_file(playlist, i, scratch), "a:0")
                self.assertTrue(pk.list, f"audio segment {i}: no packets")
                time_base = pk.time_base
                sample_rate = int(pk.stream["sample_rate"])
                seams.append(len(packets))
                packets += pk.list
            step = Fraction(1024, sample_rate) / time_base
            self.assertEqual(step.denominator, 1, "1024 samples are not whole ticks")
            step = int(step)
            breaks = []
            for n in range(1, len(packets)):
                delta = packets[n]["pts"] - packets[n - 1]["pts"]
                if delta != step:
                    seg = max(i for i, s in enumerate(seams) if s <= n)
                    at = float((packets[n]["pts"] * time_base) - v0)
                    breaks.append(f"{'gap' if delta > step else 'overlap'} of "
                                  f"{float((delta - step) * time_base) * 1000:.3f} ms at "
                                  f"{at:.3f} s (segment {seg}"
                                  f"{', its first packet' if seams[seg] == n else ''})")
            self.assertEqual(breaks, [], "audio timeline is not continuous packet to packet")
            wrong = [n for n, p in enumerate(packets[:-1])
                     if p["duration"] is not None and p["duration"] != step]
            self.assertEqual(wrong, [], f"audio packets not {step} ticks long")
            a_start = packets[0]["pts"] * time_base
            last = packets[-1]
            a_end = (last["pts"] + (last["duration"] or step)) * time_base
            # Within one AAC frame (1024 samples at 48 kHz, 21.3 ms) of the video's ends.
            aac_frame = Fraction(25, 1000)
            self.assertLessEqual(abs(a_start - v0), aac_frame,
                                 f"audio starts {float(a_start - v0) * 1000:.1f} ms after the "
                                 f"video")
            self.assertLessEqual(abs(a_end - v_end), aac_frame,
                                 f"audio ends {float(a_end - v_end) * 1000:.1f} ms after the "
                                 f"video")
            self.assertEqual(len(playlist["segments"]), video_segments,
                             "audio segments against video segments")
