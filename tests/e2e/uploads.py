"""The source matrix of issue 16: kinds of uploads, each made with the ffmpeg CLI from FFmpeg's
own encoders and muxers, and the checks every kind goes through.

* KINDS: one Kind per shape of upload (container, codecs, timing), in three groups that the
  modules test_uploads_containers, test_uploads_codecs and test_uploads_timing run.
* upload(kind): the kind's source file, made once and cached in $VODCTL_TEST_MEDIA by a hash
  of its recipe, written beside and renamed so parallel test processes never see a partial
  file.
* UploadChecks: the mixin that runs a group, one subTest per kind, and writes each kind's
  result to $VODCTL_MATRIX_RESULTS, when set, as it goes.

`python3 uploads.py` prints the matrix as a Markdown table for the README.

Only the Python standard library is used.
"""

import contextlib
import hashlib
import inspect
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from fractions import Fraction

import vodtest
from vodtest import EX_DATAERR, Packets, SourceFacts, run_checked

SEG = 2
OPTIONS = ["--preset", "ultrafast", "--chunk-duration", "2", "--segment-duration", str(SEG)]
RESULTS = os.environ.get("VODCTL_MATRIX_RESULTS")  # a file for a look mid-run, if set
FFMPEG = ["ffmpeg", "-v", "error", "-nostdin", "-y"]

# Output audio is AAC: it may start and end up to one AAC frame (1024/48000 s) off the video.
AAC_FRAME = Fraction(25, 1000)
# How far a silence in the output may sit from where the rule puts it.
SYNC_TOLERANCE = Fraction(50, 1000)
# Shortest silence looked for: shorter holes in the source's audio are not measured.
SHORTEST_SILENCE = Fraction(1, 10)

# ---------------------------------------------------------------------------------------------
# Recipe builders: ffmpeg arguments, each step's output file last.


def picture(seconds=3, size="640x360", rate=25, offset=None):
    """Input options of FFmpeg's moving test picture, `offset` seconds late."""
    late = ["-itsoffset", str(offset)] if offset is not None else []
    return [*late, "-f", "lavfi", "-t", str(seconds), "-i", f"testsrc2=size={size}:rate={rate}"]


def tone(seconds=3, sample_rate=48000, layout="stereo", offset=None):
    """Input options of a 440 Hz tone (never silent, so every silence found was made)."""
    late = ["-itsoffset", str(offset)] if offset is not None else []
    return [*late, "-f", "lavfi", "-t", str(seconds), "-i",
            f"sine=frequency=440:sample_rate={sample_rate},aformat=channel_layouts={layout}"]


def vcodec(name, *options):
    return ["-c:v", name, *options]


def acodec(name, *options):
    return ["-c:a", name, *options]


def x264(gop=25, pix_fmt="yuv420p", params=None):
    return vcodec("libx264", "-preset", "veryfast", "-crf", "30", "-g", str(gop),
                  "-pix_fmt", pix_fmt, *(["-x264-params", params] if params else []))


def x265(pix_fmt="yuv420p", gop=25):
    return vcodec("libx265", "-preset", "ultrafast", "-pix_fmt", pix_fmt, "-tag:v", "hvc1",
                  "-x265-params", f"log-level=error:keyint={gop}")


def vpx(name, gop=25):
    return vcodec(name, "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k",
                  "-g", str(gop))


AAC = acodec("aac", "-b:a", "96k")
MP3 = acodec("libmp3lame", "-b:a", "128k")
MP2 = acodec("mp2", "-b:a", "192k")
AC3 = acodec("ac3", "-b:a", "192k")
OPUS = acodec("libopus", "-b:a", "64k")
VORBIS = acodec("libvorbis", "-q:a", "3")
WMAV2 = acodec("wmav2", "-b:a", "128k")
BFRAMES = "bframes=3:b-adapt=0"


def clip(out, video, audio, *, seconds=3, size="640x360", rate=25, audio_seconds=None,
         sample_rate=48000, layout="stereo", video_offset=None, audio_offset=None, extra=()):
    """One ffmpeg run: the test picture coded with `video` and the tone coded with `audio`
    (each as long as its own input says), muxed into `out` (the muxer guessed from the
    extension unless `extra` names one)."""
    return [*picture(seconds, size, rate, video_offset),
            *tone(seconds if audio_seconds is None else audio_seconds, sample_rate, layout,
                  audio_offset),
            *video, *audio, *extra, out]


def sound(out, audio, *, seconds=3, sample_rate=48000, layout="stereo", extra=()):
    """An audio-only file: the tone coded with `audio`."""
    return [*tone(seconds, sample_rate, layout), *audio, *extra, out]


def remux(src, out):
    """A stream copy of `src` into `out`, as people rewrap files."""
    return ["-i", src, "-map", "0", "-c", "copy", out]


# Steps that are not an ffmpeg run: (function, output, inputs...); each function gets the
# scratch folder first.


def concat_ts(scratch, out, *pieces):
    """MPEG-TS pieces joined byte after byte into one capture that changes mid-stream, each
    PID's continuity counter carried on across the joins: a bare join breaks the counters,
    for which FFmpeg's demuxer flags the packet before the join corrupt."""
    next_counter = {}  # PID -> the continuity counter its next packet with a payload has
    with open(os.path.join(scratch, out), "wb") as joined:
        for piece in pieces:
            with open(os.path.join(scratch, piece), "rb") as f:
                data = bytearray(f.read())
            assert len(data) % 188 == 0 and data[::188] == b"\x47" * (len(data) // 188), \
                f"{piece} is not 188-byte MPEG-TS packets"
            for at in range(0, len(data), 188):
                pid = (data[at + 1] & 0x1F) << 8 | data[at + 2]
                if not data[at + 3] & 0x10:  # no payload: the counter does not advance
                    continue
                counter = next_counter.get(pid, data[at + 3] & 0x0F)
                data[at + 3] = (data[at + 3] & 0xF0) | counter
                next_counter[pid] = (counter + 1) % 16
            joined.write(data)


def cut_at(scratch, out, src, share):
    """The first `share` of src's bytes: an upload that stopped part way."""
    with open(os.path.join(scratch, src), "rb") as f:
        data = f.read()
    with open(os.path.join(scratch, out), "wb") as f:
        f.write(data[:int(len(data) * share)])


def cut_mid_mdat(scratch, out, src):
    """src (moov first) cut halfway through its media data: the index lists what is gone."""
    with open(os.path.join(scratch, src), "rb") as f:
        data = f.read()
    moov, mdat = data.find(b"moov"), data.find(b"mdat")
    assert 0 < moov < mdat, f"{src}: the moov box must come before the mdat box"
    with open(os.path.join(scratch, out), "wb") as f:
        f.write(data[:(mdat + len(data)) // 2])


def output_of(step):
    return step[-1] if isinstance(step, list) else step[1]


def step_key(step):
    if isinstance(step, list):
        return step
    function, *args = step
    return [function.__name__, inspect.getsource(function), *args]


# ---------------------------------------------------------------------------------------------
# What a source must be before it is worth testing: the recipe made the shape it claims.


def audio_starts_late_by(seconds):
    def check(path):
        facts = SourceFacts.of(path)
        offset = facts.audio_start - facts.video_start
        assert abs(offset - Fraction(seconds)) < SYNC_TOLERANCE, \
            f"audio starts {float(offset):.3f} s after video, recipe says {seconds}"
    return check


def audio_lasts_longer_by(seconds):
    def check(path):
        facts = SourceFacts.of(path)
        excess = facts.audio_end - facts.video_end
        assert abs(excess - Fraction(seconds)) < Fraction(15, 1000), \
            f"audio ends {float(excess):.3f} s after video, recipe says {seconds}"
    return check


def audio_starts_before_zero(path):
    facts = SourceFacts.of(path)
    assert facts.audio_start < 0 <= facts.video_start, \
        f"audio starts at {float(facts.audio_start)}, video at {float(facts.video_start)}"


def has_discarded_video(path):
    """An edit list trims the start: packets before it are marked discarded."""
    flags = [p["flags"] for p in Packets(path, "v:0").list]
    assert any("D" in f for f in flags), "no discarded video packets: no edit list trim"


def has_open_gops(path):
    """A frame shown before a later key frame is decoded after it: the GOPs are open."""
    packets = Packets(path, "v:0").list
    keys = [n for n, p in enumerate(packets) if "K" in p["flags"]]
    assert any(p["pts"] < packets[k]["pts"] for k in keys[1:] for p in packets[k + 1:k + 4]), \
        "no picture after a later key frame is shown before it"


def audio_gap_of(seconds):
    def check(path):
        gaps = uncovered(path)
        assert any(abs(end - start - Fraction(seconds)) < SYNC_TOLERANCE for start, end in gaps), \
            f"no {seconds} s hole in the source's audio, found {floats(gaps)}"
    return check


def video_gap_of(seconds):
    """One step from a picture to the next lasts `seconds` (within half a frame)."""
    def check(path):
        steps = [after - before for before, after in picture_steps(path)]
        half_frame = 1 / (2 * SourceFacts.of(path).frame_rate)
        assert any(abs(step - Fraction(seconds)) < half_frame for step in steps), \
            f"steps between pictures {[float(s) for s in steps]} s, recipe says {seconds}"
    return check


def decoded_formats(path, select, entries):
    """The distinct values of `entries` over the decoded frames of stream `select`."""
    frames = vodtest.ffprobe_json(path, "-select_streams", select, "-show_entries",
                                  f"frame={entries}")["frames"]
    return sorted({tuple(f.get(e) for e in entries.split(",")) for f in frames})


def changes_size(path):
    sizes = decoded_formats(path, "v:0", "width,height")
    assert len(sizes) == 2, f"picture sizes {sizes}"


def changes_audio_format(path):
    formats = decoded_formats(path, "a:0", "sample_rate,channels")
    assert len(formats) == 2, f"audio formats (rate, channels) {formats}"


def pixel_format(name):
    def check(path):
        actual = vodtest.stream_of(path, "video")["pix_fmt"]
        assert actual == name, f"pixel format {actual}, recipe says {name}"
    return check


def picture_steps(path):
    """(time, time of the next) of each step between pictures longer than 1.5 frames, from
    the first picture."""
    packets = Packets(path, "v:0")
    # AVI gives only dts: without B-frames, the same times.
    times = sorted(packets.seconds(p["pts"] if p["pts"] is not None else p["dts"])
                   for p in packets.list if "D" not in p["flags"])
    frame = 1 / SourceFacts.of(path).frame_rate
    return [(a - times[0], b - times[0]) for a, b in zip(times, times[1:])
            if b - a > frame * Fraction(3, 2)]


def picture_changes(playlist):
    """How much each decoded picture differs from the one before: mean absolute difference
    of 64x36 grey pictures (the test picture moves every frame by far more than that)."""
    width, height = 64, 36
    raw = run_checked(["ffmpeg", "-v", "error", "-nostdin", "-i", playlist, "-map", "0:v:0",
                       "-vf", f"scale={width}:{height}", "-pix_fmt", "gray", "-f", "rawvideo",
                       "-"])
    size = width * height
    pictures = [raw[at:at + size] for at in range(0, len(raw) - size + 1, size)]
    return [sum(abs(a - b) for a, b in zip(p, q)) / size for p, q in zip(pictures, pictures[1:])]


def repeats_the_picture_before_each_gap(test, source, output):
    """Where the source has no pictures, the output shows the last one before the gap."""
    fps = SourceFacts.of(source).frame_rate
    changes = picture_changes(video_playlist(output))
    gaps = picture_steps(source)
    test.assertTrue(gaps, "precondition: the source has a gap between pictures")
    for before, after in gaps:
        # Output picture n shows time n / fps; changes[n - 1] compares it with picture n - 1.
        filled = range(round(before * fps) + 1, round(after * fps))
        test.assertEqual([n for n in filled if changes[n - 1] > 0.5], [],
                         f"output pictures in the gap {float(before):.2f}-{float(after):.2f} s "
                         f"that are not the picture before it")
        test.assertGreater(changes[round(after * fps) - 1], 1,
                           "the picture after the gap is the source's next one")


def constant_rate(fps):
    """Frames a source with uneven or missing frames comes out with: its span at `fps`."""
    return lambda facts: round((facts.video_end - facts.video_start) * Fraction(fps))


# ---------------------------------------------------------------------------------------------
# The matrix


@dataclass(frozen=True)
class Kind:
    name: str
    shape: str            # one line for the README table: container, codecs, shape
    group: str            # "containers", "codecs" or "timing": the module that runs it
    steps: tuple          # ffmpeg argument lists and (function, output, inputs...) steps
    codecs: tuple         # (video, audio) codec names ffprobe must find in the source
    ladder: int = 360     # the one rung, at or below the source's height
    expect: str = "valid"  # or "rejected: <words the error line must contain one of, |>"
    frames: object = None  # SourceFacts -> expected frames, where a rule says so
    precondition: object = None  # path -> None, asserting the recipe made the shape
    output_check: object = None  # (test case, source, output) -> None, a rule of this kind

    @property
    def file(self):
        return output_of(self.steps[-1])


def kind(name, shape, group, codecs, *steps, **options):
    return Kind(name, shape, group, tuple(steps), codecs, **options)


C, K, T = "containers", "codecs", "timing"
# Pieces of MPEG-TS joined into one stream must not overlap in time: no B-frames (decoding
# starts before the first picture) and the first piece's audio (a whole number of frames,
# with the encoder's priming) stopped short of the join, by less than a measured silence.
X264_NO_REORDER = x264(params="bframes=0")
FIRST_PIECE_AUDIO = 1.95
# The second piece's timestamps continue the first's. Both start after 0, so that the muxer
# shifts neither by the audio encoder's priming.
FIRST_PIECE, SECOND_PIECE = ["-output_ts_offset", "1"], ["-output_ts_offset", "3"]
# A cut file is found out either by its index (fewer packets than it lists) or by its last
# packet, read part way: both are honest reasons.
CUT = "rejected: cut short|damaged"
# With FFmpeg's MPEG-4 Part 2 encoders (mpeg4, msmpeg4) the AVI muxer leaves the second
# frame's chunk empty, as capture software does for a dropped frame: one picture fewer than
# frame times, the hole filled by a repeat.
AVI_DROPPED_FRAME = {"frames": constant_rate(25), "precondition": video_gap_of(0.08),
                     "output_check": repeats_the_picture_before_each_gap}

KINDS = [
    # Containers --------------------------------------------------------------------------
    kind("mp4_h264_aac", "MP4: H.264 with B-frames, AAC", C, ("h264", "aac"),
         clip("source.mp4", x264(params=BFRAMES), AAC)),
    kind("mov_prores_proxy_pcm24", "QuickTime: ProRes 422 Proxy, 24-bit PCM (reported)", C,
         ("prores", "pcm_s24le"),
         clip("source.mov", vcodec("prores_ks", "-profile:v", "0", "-pix_fmt", "yuv422p10le"),
              acodec("pcm_s24le"))),
    kind("3gp_h263_aac", "3GP: H.263 352x288, AAC", C, ("h263", "aac"),
         clip("source.3gp", vcodec("h263", "-q:v", "5", "-g", "25"), AAC, size="352x288"),
         ladder=240),
    kind("m4a_alac", "M4A: ALAC, audio only", C, (None, "alac"),
         sound("source.m4a", acodec("alac"), seconds=4, extra=["-f", "ipod"])),
    kind("mkv_remux_of_mp4", "Matroska remuxed (-c copy) from a 12 s MP4, H.264 B-frames, "
         "AAC (reported)", C, ("h264", "aac"),
         clip("first.mp4", x264(gop=50, params=BFRAMES), AAC, seconds=12),
         remux("first.mp4", "source.mkv")),
    kind("webm_vp8_vorbis", "WebM: VP8, Vorbis", C, ("vp8", "vorbis"),
         clip("source.webm", vpx("libvpx"), VORBIS)),
    kind("mpegts_h264_aac", "MPEG-TS: H.264, AAC", C, ("h264", "aac"),
         clip("source.ts", x264(), AAC)),
    kind("m2ts_h264_eac3", "M2TS (192-byte packets): H.264, E-AC-3", C, ("h264", "eac3"),
         clip("source.m2ts", x264(), acodec("eac3", "-b:a", "192k"),
              extra=["-f", "mpegts", "-mpegts_m2ts_mode", "1"])),
    kind("vob_mpeg2_ac3", "MPEG-PS (VOB): MPEG-2 video with open GOPs, AC-3", C,
         ("mpeg2video", "ac3"),
         clip("source.vob", vcodec("mpeg2video", "-b:v", "2M", "-g", "12", "-bf", "2"), AC3,
              extra=["-f", "vob"])),
    kind("mpeg_mpeg1_mp2", "MPEG-PS (MPEG-1 system): MPEG-1 video 352x288, MP2", C,
         ("mpeg1video", "mp2"),
         clip("source.mpg", vcodec("mpeg1video", "-b:v", "1500k", "-g", "15"), MP2,
              size="352x288", extra=["-f", "mpeg"]), ladder=240),
    kind("avi_mpeg4_mp3_10s", "AVI: MPEG-4 Part 2 (XviD tag), MP3 44.1 kHz, 10 s, a dropped "
         "frame (reported)", C, ("mpeg4", "mp3"),
         clip("source.avi", vcodec("mpeg4", "-vtag", "XVID", "-q:v", "5", "-g", "50"), MP3,
              seconds=10, sample_rate=44100), **AVI_DROPPED_FRAME),
    kind("avi_mpeg4_mp3_12s", "AVI: MPEG-4 Part 2 with B-frames, MP3 44.1 kHz, 12 s "
         "(reported)", C, ("mpeg4", "mp3"),
         clip("source.avi", vcodec("mpeg4", "-vtag", "XVID", "-q:v", "5", "-g", "50",
                                   "-bf", "2"), MP3, seconds=12, sample_rate=44100)),
    kind("flv_remux_of_mp4", "FLV remuxed (-c copy) from an MP4, H.264, AAC (reported)", C,
         ("h264", "aac"),
         clip("first.mp4", x264(params=BFRAMES), AAC), remux("first.mp4", "source.flv")),
    kind("mxf_dnxhr_lb_pcm16", "MXF OP1a: DNxHR LB, 16-bit PCM", C, ("dnxhd", "pcm_s16le"),
         clip("source.mxf", vcodec("dnxhd", "-profile:v", "dnxhr_lb", "-pix_fmt", "yuv422p"),
              acodec("pcm_s16le"))),
    kind("ogg_theora_vorbis", "Ogg: Theora, Vorbis", C, ("theora", "vorbis"),
         clip("source.ogv", vcodec("libtheora", "-q:v", "5", "-g", "25"), VORBIS,
              extra=["-f", "ogg"])),
    kind("asf_mpeg4_wmav2", "ASF (.wmv): MPEG-4 Part 2, WMA v2", C, ("mpeg4", "wmav2"),
         clip("source.wmv", vcodec("mpeg4", "-q:v", "5", "-g", "25"), WMAV2,
              extra=["-f", "asf"])),
    # A real old Windows Media file (WMV 7 and DivX 3 are with the codecs).
    kind("asf_wmv2_wmav2", "ASF (.wmv): WMV 8 (wmv2), WMA v2", C, ("wmv2", "wmav2"),
         clip("source.wmv", vcodec("wmv2", "-b:v", "800k", "-g", "25"), WMAV2,
              extra=["-f", "asf"])),
    kind("wav_pcm_s16le", "WAV: 16-bit PCM, audio only", C, (None, "pcm_s16le"),
         sound("source.wav", acodec("pcm_s16le"), seconds=4)),
    kind("mkv_cut_at_60_percent", "Matroska H.264 + Opus, cut to 60% of its bytes: broken", C,
         ("h264", "opus"),
         clip("whole.mkv", x264(), OPUS, seconds=4), (cut_at, "source.mkv", "whole.mkv", 0.6),
         expect=CUT),
    kind("flv_cut_at_60_percent", "FLV H.264 + AAC, cut to 60% of its bytes: broken", C,
         ("h264", "aac"),
         clip("whole.flv", x264(), AAC, seconds=4), (cut_at, "source.flv", "whole.flv", 0.6),
         expect=CUT),
    kind("mp4_faststart_cut_mid_mdat", "MP4 with the moov first, cut halfway through the "
         "mdat: broken", C, ("h264", "aac"),
         clip("whole.mp4", x264(), AAC, seconds=4, extra=["-movflags", "+faststart"]),
         (cut_mid_mdat, "source.mp4", "whole.mp4"), expect=CUT),

    # Codecs ------------------------------------------------------------------------------
    kind("mp4_hevc_aac", "MP4: HEVC (x265, hvc1), AAC", K, ("hevc", "aac"),
         clip("source.mp4", x265(), AAC)),
    kind("webm_av1_opus", "WebM: AV1 (SVT-AV1), Opus", K, ("av1", "opus"),
         clip("source.webm", vcodec("libsvtav1", "-preset", "12", "-g", "25", "-crf", "45"),
              OPUS)),
    kind("mkv_vp9_opus", "Matroska: VP9, Opus", K, ("vp9", "opus"),
         clip("source.mkv", vpx("libvpx-vp9"), OPUS)),
    kind("avi_mjpeg_pcm_u8", "AVI: Motion JPEG, 8-bit unsigned PCM 22.05 kHz", K,
         ("mjpeg", "pcm_u8"),
         clip("source.avi", vcodec("mjpeg", "-q:v", "5", "-pix_fmt", "yuvj420p"),
              acodec("pcm_u8"), sample_rate=22050)),
    kind("mov_dv_pal_pcm_s16be", "QuickTime: DV PAL 720x576 (dvvideo), 16-bit big-endian PCM",
         K, ("dvvideo", "pcm_s16be"),
         clip("source.mov", vcodec("dvvideo", "-pix_fmt", "yuv420p"), acodec("pcm_s16be"),
              size="720x576")),
    kind("mkv_ffv1_flac", "Matroska: FFV1, FLAC", K, ("ffv1", "flac"),
         clip("source.mkv", vcodec("ffv1", "-g", "25"), acodec("flac"))),
    kind("mkv_h264_dts", "Matroska: H.264, DTS (FFmpeg's dca encoder)", K, ("h264", "dts"),
         clip("source.mkv", x264(), acodec("dca", "-strict", "-2", "-b:a", "768k"))),
    kind("mkv_h264_pcm_s24be", "Matroska: H.264, 24-bit big-endian PCM", K,
         ("h264", "pcm_s24be"), clip("source.mkv", x264(), acodec("pcm_s24be"))),
    kind("mkv_h264_pcm_f32le", "Matroska: H.264, 32-bit float PCM", K, ("h264", "pcm_f32le"),
         clip("source.mkv", x264(), acodec("pcm_f32le"))),
    kind("mov_h264_pcm_alaw", "QuickTime: H.264, A-law PCM 8 kHz mono", K,
         ("h264", "pcm_alaw"),
         clip("source.mov", x264(), acodec("pcm_alaw"), sample_rate=8000, layout="mono")),
    kind("avi_h264_pcm_mulaw", "AVI: H.264, mu-law PCM 8 kHz mono", K, ("h264", "pcm_mulaw"),
         clip("source.avi", x264(params="bframes=0"), acodec("pcm_mulaw"), sample_rate=8000,
              layout="mono")),
    # The same codecs as kinds above that FFmpeg muxes in a second container: a failure in
    # both is the codec's, in one only the container's.
    kind("mov_dnxhr_lb_pcm16", "QuickTime: DNxHR LB, 16-bit PCM", K, ("dnxhd", "pcm_s16le"),
         clip("source.mov", vcodec("dnxhd", "-profile:v", "dnxhr_lb", "-pix_fmt", "yuv422p"),
              acodec("pcm_s16le"))),
    kind("mov_h264_alac", "QuickTime: H.264, ALAC", K, ("h264", "alac"),
         clip("source.mov", x264(), acodec("alac"))),
    # The codecs of old Windows Media files and of the DivX 3 AVIs of the same years.
    kind("asf_wmv1_wmav2", "ASF (.wmv): WMV 7 (wmv1), WMA v2", K, ("wmv1", "wmav2"),
         clip("source.wmv", vcodec("wmv1", "-b:v", "800k", "-g", "25"), WMAV2,
              extra=["-f", "asf"])),
    kind("avi_msmpeg4v3_mp3", "AVI: MS MPEG-4 v3 (DivX 3), MP3 44.1 kHz", K,
         ("msmpeg4v3", "mp3"),
         clip("source.avi", vcodec("msmpeg4", "-vtag", "DIV3", "-b:v", "800k", "-g", "25"), MP3,
              sample_rate=44100), **AVI_DROPPED_FRAME),
    kind("mkv_h264_wmav2", "Matroska: H.264, WMA v2", K, ("h264", "wmav2"),
         clip("source.mkv", x264(), WMAV2)),
    kind("wav_pcm_s32le", "WAV: 32-bit PCM, audio only", K, (None, "pcm_s32le"),
         sound("source.wav", acodec("pcm_s32le"), seconds=3)),
    kind("mp4_h264_mp3", "MP4: H.264, MP3", K, ("h264", "mp3"),
         clip("source.mp4", x264(), MP3)),
    kind("mkv_h264_422", "Matroska: H.264 4:2:2 (x264 yuv422p), AAC", K, ("h264", "aac"),
         clip("source.mkv", x264(pix_fmt="yuv422p"), AAC),
         precondition=pixel_format("yuv422p")),
    kind("mkv_h264_444", "Matroska: H.264 4:4:4 (x264 yuv444p), AAC", K, ("h264", "aac"),
         clip("source.mkv", x264(pix_fmt="yuv444p"), AAC),
         precondition=pixel_format("yuv444p")),
    kind("mp4_h264_10bit", "MP4: H.264 10-bit (x264 yuv420p10le), AAC", K, ("h264", "aac"),
         clip("source.mp4", x264(pix_fmt="yuv420p10le"), AAC),
         precondition=pixel_format("yuv420p10le")),
    kind("mkv_hevc_12bit", "Matroska: HEVC 12-bit (x265 yuv420p12le), AAC", K,
         ("hevc", "aac"), clip("source.mkv", x265(pix_fmt="yuv420p12le"), AAC),
         precondition=pixel_format("yuv420p12le")),

    # Timing ------------------------------------------------------------------------------
    kind("audio_longer_by_a_frame", "MP4 H.264 + AAC: audio 40 ms (a frame) longer", T,
         ("h264", "aac"), clip("source.mp4", x264(), AAC, audio_seconds=3.04),
         precondition=audio_lasts_longer_by(0.04)),
    kind("audio_longer_by_2s", "Matroska H.264 + Opus: audio 2 s longer", T, ("h264", "opus"),
         clip("source.mkv", x264(), OPUS, audio_seconds=5),
         precondition=audio_lasts_longer_by(2)),
    kind("audio_shorter_by_a_frame", "MP4 H.264 + AAC: audio 40 ms (a frame) shorter", T,
         ("h264", "aac"), clip("source.mp4", x264(), AAC, audio_seconds=2.96),
         precondition=audio_lasts_longer_by(-0.04)),
    kind("audio_shorter_by_2s", "Matroska H.264 + AAC: 4 s video, 2 s audio", T,
         ("h264", "aac"), clip("source.mkv", x264(), AAC, seconds=4, audio_seconds=2),
         precondition=audio_lasts_longer_by(-2)),
    kind("audio_late_by_1s", "MP4 H.264 + AAC: audio starts 1 s late (-itsoffset)", T,
         ("h264", "aac"), clip("source.mp4", x264(), AAC, seconds=4, audio_seconds=3,
                                audio_offset=1),
         precondition=audio_starts_late_by(1)),
    kind("video_late_by_half_a_second", "Matroska H.264 + AAC: video starts 0.5 s late", T,
         ("h264", "aac"), clip("source.mkv", x264(), AAC, seconds=3, audio_seconds=3.5,
                                video_offset=0.5),
         precondition=audio_starts_late_by(-0.5)),
    kind("negative_audio_start", "Matroska H.264 + AAC: audio from -0.5 s (negative "
         "timestamps kept)", T, ("h264", "aac"),
         clip("source.mkv", x264(), AAC, audio_seconds=3.5, audio_offset=-0.5,
              extra=["-copyts", "-avoid_negative_ts", "disabled"]),
         precondition=audio_starts_before_zero),
    kind("mp4_edit_list_trim", "MP4 cut with -ss 0.7 -c copy from a B-frame source: an edit "
         "list trims the start", T, ("h264", "aac"),
         clip("first.mp4", x264(gop=50, params=BFRAMES), AAC, seconds=4),
         ["-ss", "0.7", "-i", "first.mp4", "-c", "copy", "source.mp4"],
         precondition=has_discarded_video),
    kind("exactly_two_segments", "MP4 H.264 + AAC: 4.0 s at 25 fps, two whole segments", T,
         ("h264", "aac"), clip("source.mp4", x264(), AAC, seconds=4)),
    kind("open_gop_x264", "MP4: H.264 with open GOPs (x264 open_gop=1, 3 B-frames), AAC", T,
         ("h264", "aac"),
         clip("source.mp4", x264(gop=50, params="open_gop=1:bframes=3:b-adapt=0:scenecut=0"),
              AAC), precondition=has_open_gops),
    kind("open_gop_mpeg2_ts", "MPEG-TS: MPEG-2 video with open GOPs, MP2", T,
         ("mpeg2video", "mp2"),
         clip("source.ts", vcodec("mpeg2video", "-b:v", "2M", "-g", "15", "-bf", "2"), MP2),
         precondition=has_open_gops),
    kind("rate_23_976", "MP4 H.264 + AAC at 23.976 fps", T, ("h264", "aac"),
         clip("source.mp4", x264(gop=24), AAC, rate="24000/1001")),
    kind("rate_29_97", "QuickTime H.264 + AAC at 29.97 fps", T, ("h264", "aac"),
         clip("source.mov", x264(gop=30), AAC, rate="30000/1001")),
    kind("rate_59_94", "MP4 H.264 + AAC at 59.94 fps", T, ("h264", "aac"),
         clip("source.mp4", x264(gop=60), AAC, rate="60000/1001")),
    kind("variable_frame_rate", "Matroska H.264 + AAC: 30 fps, every third frame dropped "
         "after 1 s", T, ("h264", "aac"),
         clip("source.mkv", x264(gop=30), AAC, seconds=4, rate=30,
              extra=["-vf", "select='lt(n\\,30)+mod(n\\,3)'", "-vsync", "vfr"]),
         frames=constant_rate(30)),
    kind("audio_gap_ts", "MPEG-TS H.264 + AAC: 0.5 s of audio missing at 1 s", T,
         ("h264", "aac"),
         clip("source.ts", x264(), AAC, extra=["-af", "aselect='not(between(t,1,1.5))'"]),
         precondition=audio_gap_of(0.5)),
    kind("video_gap_ts", "MPEG-TS H.264 + AAC: 13 frames (0.52 s) missing at 1 s", T,
         ("h264", "aac"),
         clip("source.ts", x264(), AAC, extra=["-vf", "select='not(between(t,1,1.48))'",
                                                "-vsync", "passthrough"]),
         frames=constant_rate(25), precondition=video_gap_of(0.56),
         output_check=repeats_the_picture_before_each_gap),
    kind("size_change_ts", "MPEG-TS H.264 + AAC: 640x360 for 2 s, then 854x480", T,
         ("h264", "aac"),
         clip("a.ts", X264_NO_REORDER, AAC, seconds=2, audio_seconds=FIRST_PIECE_AUDIO,
              extra=FIRST_PIECE),
         clip("b.ts", X264_NO_REORDER, AAC, seconds=2, size="854x480", extra=SECOND_PIECE),
         (concat_ts, "source.ts", "a.ts", "b.ts"), precondition=changes_size),
    kind("audio_format_change_ts", "MPEG-TS H.264 + AC-3: 5.1 at 48 kHz for 2 s, then stereo "
         "at 44.1 kHz", T, ("h264", "ac3"),
         clip("a.ts", X264_NO_REORDER, AC3, seconds=2, audio_seconds=FIRST_PIECE_AUDIO,
              layout="5.1", extra=FIRST_PIECE),
         clip("b.ts", X264_NO_REORDER, AC3, seconds=2, sample_rate=44100, extra=SECOND_PIECE),
         (concat_ts, "source.ts", "a.ts", "b.ts"), precondition=changes_audio_format),
]

GROUPS = (C, K, T)


def kinds_of(group):
    return [k for k in KINDS if k.group == group]


# ---------------------------------------------------------------------------------------------
# Making a kind's source


def recipe_digest(k):
    key = json.dumps([step_key(s) for s in k.steps])
    return hashlib.sha256(key.encode()).hexdigest()[:10]


def upload(k):
    """Path of the kind's source file, made on first use."""
    ext = os.path.splitext(k.file)[1]
    path = os.path.join(vodtest.MEDIA_DIR, f"{k.name}-{recipe_digest(k)}{ext}")
    if os.path.exists(path):
        return path
    os.makedirs(vodtest.MEDIA_DIR, exist_ok=True)
    # Made in a scratch folder beside the cache and renamed, so tests running in parallel
    # never see a partial file.
    scratch = tempfile.mkdtemp(prefix=f".{k.name}-", dir=vodtest.MEDIA_DIR)
    try:
        for step in k.steps:
            if isinstance(step, list):
                run_checked([*FFMPEG, *step], timeout=300, cwd=scratch)
            else:
                function, *args = step
                function(scratch, *args)
        made = os.path.join(scratch, k.file)
        os.chmod(made, 0o644)
        os.replace(made, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return path


# ---------------------------------------------------------------------------------------------
# Where the output must be silent


def floats(intervals):
    return [(round(float(a), 3), round(float(b), 3)) for a, b in intervals]


def uncovered(path):
    """(start, end) of each part of the video's span that the source's first audio
    stream does not cover, from the first video frame, the ones of SHORTEST_SILENCE or more:
    where the rule puts silence in the output."""
    facts = SourceFacts.of(path)
    packets = Packets(path, "a:0")
    presented = sorted((p for p in packets.list if "D" not in p["flags"] and p["pts"] is not None),
                       key=lambda p: p["pts"])
    # A packet without a duration lasts as long as most steps from one packet to the next.
    steps = sorted(b["pts"] - a["pts"] for a, b in zip(presented, presented[1:]))
    usual = steps[len(steps) // 2] if steps else 0
    holes, covered_to = [], facts.video_start  # holes as (start, end), in source time
    for p in presented:
        start = packets.seconds(p["pts"])
        holes.append((covered_to, min(start, facts.video_end)))
        covered_to = max(covered_to, start + packets.seconds(p["duration"] or usual))
    holes.append((covered_to, facts.video_end))
    return [(start - facts.video_start, end - facts.video_start) for start, end in holes
            if end - start >= SHORTEST_SILENCE]


def silences(playlist):
    """(start, end) of each silence in the decoded audio, from its first sample."""
    proc = subprocess.run(
        ["ffmpeg", "-nostdin", "-nostats", "-i", playlist, "-map", "0:a:0", "-af",
         f"silencedetect=noise=-50dB:d={float(SHORTEST_SILENCE)}", "-f", "null", "-"],
        capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError(f"ffmpeg silencedetect on {playlist}: {proc.stderr[-400:]}")
    starts = [Fraction(s) for s in re.findall(r"silence_start: (-?[\d.]+)", proc.stderr)]
    ends = [Fraction(s) for s in re.findall(r"silence_end: (-?[\d.]+)", proc.stderr)]
    return list(zip(starts, ends))


# ---------------------------------------------------------------------------------------------
# The checks


def record(line):
    """One line of the running results file, for a look while the matrix runs."""
    if not RESULTS:
        return
    with open(RESULTS, "a", encoding="utf-8") as f:
        f.write(f"{time.strftime('%H:%M:%S')} {line}\n")


def first_line(error):
    text = str(error).strip()
    return (text.splitlines() or [type(error).__name__])[0][:400]


class UploadChecks(vodtest.HlsChecks):
    """Mixin for VodTestCase: run_group() puts every kind of a group through vodctl run and
    judges the result, one subTest per kind."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.started = time.monotonic()

    @classmethod
    def tearDownClass(cls):
        record(f"module {cls.__module__}: {time.monotonic() - cls.started:.1f} s wall time")
        super().tearDownClass()

    @contextlib.contextmanager
    def subTest(self, msg=None, **params):
        # Notes each failure, however deep in the checks' own subTests, for the results file.
        with (super().subTest(**params) if msg is None else super().subTest(msg, **params)):
            try:
                yield
            except Exception as error:
                where = ", ".join(f"{k}={v}" for k, v in params.items() if k != "kind")
                self.failures.append(f"{where + ': ' if where else ''}{first_line(error)}")
                raise

    def run_group(self, group):
        # VODCTL_MATRIX_ONLY=name,name runs only those kinds, for a quick look at a few.
        only = set(filter(None, os.environ.get("VODCTL_MATRIX_ONLY", "").split(",")))
        for k in kinds_of(group):
            if only and k.name not in only:
                continue
            self.failures = []
            started = time.monotonic()
            with self.subTest(kind=k.name):
                self.fresh_workspace()
                self.check_kind(k)
            self.ws.cleanup()
            seconds = time.monotonic() - started
            verdict = "pass" if not self.failures else "FAIL: " + " | ".join(self.failures)
            record(f"{group} {k.name} ({k.expect}): {verdict} [{seconds:.1f} s]")

    def check_kind(self, k):
        source = upload(k)
        video, audio = k.codecs
        self.assertEqual(codec_name(source, "video"), video, "the source's video codec")
        self.assertEqual(codec_name(source, "audio"), audio, "the source's audio codec")
        if k.expect == "valid":
            self.assert_decodes_cleanly(source)
            if k.precondition:
                k.precondition(source)
            self.assert_valid_upload(k, source)
        else:
            words = k.expect.split(":", 1)[1].strip().split("|")
            self.assert_rejected_upload(k, source, words)

    def run_options(self, k):
        return [*OPTIONS, "--ladder", f"{k.ladder}p"]

    def assert_decodes_cleanly(self, path):
        proc = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0",
                               "-f", "null", "-"], capture_output=True, text=True, timeout=300)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""),
                         "precondition: FFmpeg decodes the source cleanly")

    def assert_valid_upload(self, k, source):
        output = self.ws.path("out")
        rc, out, err = self.vodctl("run", source, output, *self.run_options(k))
        errors = [line for line in err.splitlines() if "%" not in line]
        self.assertEqual(rc, 0, f"vodctl run: {errors[-1] if errors else err.strip()}")
        rc, report, err = self.vodctl("verify", output)
        self.assertEqual(rc, 0, f"vodctl verify: {report.strip()} {err.strip()}")
        if k.codecs[0] is None:
            self.assert_valid_audio_only(source, output)
            return
        facts = SourceFacts.of(source)
        self.assert_valid_hls(source, output, segment_duration=SEG, heights=[k.ladder],
                              frames=k.frames(facts) if k.frames else None)
        self.assert_silent_where_the_source_has_no_audio(source, output)
        if k.output_check:
            k.output_check(self, source, output)

    def assert_silent_where_the_source_has_no_audio(self, source, output):
        """A late start, a hole or an early end of the source's audio is silence of the same
        length at the same place; everywhere else the tone plays."""
        expected = uncovered(source)
        audio = os.path.join(output, "audio", "index.m3u8")
        # silencedetect counts from the audio's first packet (the encoder's priming, up to an
        # AAC frame before the video): moved to count from the first video frame.
        shift = first_pts(audio, "a:0") - first_pts(video_playlist(output), "v:0")
        found = [(max(start + shift, 0), end + shift) for start, end in silences(audio)]
        message = f"silences (start, end) in the output audio {floats(found)}, where the " \
                  f"source has no audio {floats(expected)}"
        self.assertEqual(len(found), len(expected), message)
        for (start, end), (want_start, want_end) in zip(found, expected):
            self.assertLessEqual(abs(start - want_start), SYNC_TOLERANCE, message)
            self.assertLessEqual(abs(end - want_end), SYNC_TOLERANCE, message)

    def assert_valid_audio_only(self, source, output):
        """An audio-only source keeps its own span, in SEG-second segments."""
        master = vodtest.parse_master(os.path.join(output, "master.m3u8"))
        self.assertEqual([v["uri"] for v in master["variants"]], ["audio/index.m3u8"])
        self.assertEqual(master["variants"][0]["attrs"].get("CODECS"), "mp4a.40.2")
        playlist_path = os.path.join(output, "audio", "index.m3u8")
        playlist = vodtest.parse_media_playlist(playlist_path)
        packets = Packets(source, "a:0")
        presented = [p for p in packets.list if "D" not in p["flags"]]
        start = min(packets.seconds(p["pts"]) for p in presented)
        end = max(packets.seconds(p["pts"] + (p["duration"] or 0)) for p in presented)
        out = Packets(playlist_path, "a:0")
        out_start = min(out.seconds(p["pts"]) for p in out.list)
        # 1024 ticks: one AAC frame in the output's 1/48000 time base.
        out_end = max(out.seconds(p["pts"] + (p["duration"] or 1024)) for p in out.list)
        # Read through the HLS demuxer, which ignores the init segment's edit list, the
        # output holds the encoder's priming frame too: each end may be an AAC frame off.
        self.assertLessEqual(abs((out_end - out_start) - (end - start)), 2 * AAC_FRAME,
                             f"audio lasts {float(out_end - out_start)} s, source "
                             f"{float(end - start)} s")
        self.assertEqual(len(playlist["segments"]), math.ceil((end - start - AAC_FRAME) / SEG),
                         "segments")
        self.assertEqual(silences(playlist_path), [], "silences in the output audio")

    def assert_rejected_upload(self, k, source, words):
        """exit 65, one stderr line naming the source and the problem, nothing published."""
        output = self.ws.path("out")
        rc, out, err = self.vodctl("run", source, output, "--job", "upload",
                                   *self.run_options(k), quiet=True)
        self.assertEqual(rc, EX_DATAERR, f"exit code; stderr: {err.strip()!r}")
        self.assertEqual(out, "")
        line = self.assert_one_error_line(err)
        self.assertIn(os.path.basename(source), line, "the message names the source")
        self.assertTrue(any(word in line for word in words),
                        f"the message names the problem ({' or '.join(words)}): {line!r}")
        published = [name for _, _, names in os.walk(output) for name in names]
        self.assertEqual(published, [], "nothing in the output")
        jobs = self.ws.status("upload")
        self.assertEqual([job["state"] for job in jobs], ["failed"])
        self.assertTrue(jobs[0]["error"])
        self.assertIn(jobs[0]["error"], line, "status tells the same reason as stderr")


def video_playlist(output):
    master = vodtest.parse_master(os.path.join(output, "master.m3u8"))
    return os.path.join(output, master["variants"][0]["uri"])


def first_pts(path, select):
    packets = Packets(path, select)
    return min(packets.seconds(p["pts"]) for p in packets.list)


def codec_name(path, codec_type):
    stream = vodtest.stream_of(path, codec_type)
    return stream["codec_name"] if stream else None


def markdown_table():
    """The README's table: what each kind is and what vodctl makes of it."""
    def result(k):
        if k.expect == "valid":
            return "HLS" if k.codecs[0] else "HLS, audio only"
        words = k.expect.split(":", 1)[1].strip().replace("|", " or ")
        return f"refused, exit 65: {words}"
    rows = ["| kind | container, codecs, shape | result |", "|---|---|---|"]
    rows += [f"| `{k.name}` | {k.shape} | {result(k)} |" for k in KINDS]
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
