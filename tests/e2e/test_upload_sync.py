"""Uploads whose timing is awkward: audio with holes in its timestamps, audio whose format
changes halfway, and a last packet that claims to last for hours. Each source is made here
with the ffmpeg CLI (small, 320x180), in the test's own folder; the output is judged by
decoding it with ffmpeg through its playlists, as a player would.
"""

import array
import os
import struct
import subprocess
import unittest
from fractions import Fraction

import vodtest
from vodtest import EX_DATAERR, VodTestCase, run_checked

FFMPEG = ["ffmpeg", "-v", "error", "-nostdin", "-y"]
RUN_OPTS = ["--preset", "ultrafast", "--segment-duration", "2", "--chunk-duration", "4",
            "--ladder", "180p"]
FPS = 25
PCM_RATE = 48000
SYNC_TOLERANCE = 0.050  # seconds between a beep and its flash; also the longest silence allowed


def ffmpeg(*args, cwd=None):
    run_checked([*FFMPEG, *args], timeout=300, cwd=cwd)


def read_pcm(path):
    with open(path, "rb") as f:
        samples = array.array("h")
        samples.frombytes(f.read())
    return samples


# ---------------------------------------------------------------------------------------------
# The flash-and-beep referee

CLIP_SECONDS = 12
FLASH_EVERY = 2   # seconds; flash k is the frame at k * FLASH_EVERY, its beep starts there too
BEEP_SECONDS = Fraction(1, FPS)  # one frame's length
# Audio removed from the source, (start, end) in seconds of the source: a 0.5 s hole between
# two beeps, then a 2 s one that swallows the beep at 8 s. The beeps at 0 and 2 s (start),
# 4 and 6 s (middle, after the first hole) and 10 s (end, after both) are still heard.
AUDIO_HOLES = [(3.2, 3.7), (6.5, 8.5)]
FLASHES = range(0, CLIP_SECONDS, FLASH_EVERY)
# Indexes into FLASHES of the flashes whose beep was not removed, in order.
HEARD = [i for i, t in enumerate(FLASHES)
         if not any(start <= t <= end for start, end in AUDIO_HOLES)]


def make_flash_and_beep(folder):
    """(MPEG-TS, MP4) of a black clip with a white frame and a 1 kHz beep every FLASH_EVERY s,
    its audio packets in AUDIO_HOLES removed and the others' timestamps kept."""
    white_frame = f"eq(mod(n\\,{FLASH_EVERY * FPS})\\,0)"
    beep = f"if(lt(mod(t\\,{FLASH_EVERY})\\,{float(BEEP_SECONDS)})\\,sin(2*PI*1000*t)\\,0)"
    # aselect without asetpts: the frames left keep their timestamps, so holes remain.
    holes = "+".join(f"between(t\\,{start}\\,{end})" for start, end in AUDIO_HOLES)
    args = ["-f", "lavfi", "-i",
            f"color=black:size=320x180:rate={FPS},"
            f"drawbox=color=white:t=fill:enable='{white_frame}'",
            "-f", "lavfi", "-i", f"aevalsrc='{beep}':s=48000",
            "-t", str(CLIP_SECONDS), "-af", f"aselect='not({holes})'",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast", "-g", "50",
            "-c:a", "aac", "-b:a", "96k", "-ac", "2"]
    ts, mp4 = os.path.join(folder, "flash-beep.ts"), os.path.join(folder, "flash-beep.mp4")
    ffmpeg(*args, "-f", "mpegts", ts)
    ffmpeg(*args, mp4)
    return ts, mp4


def audio_holes(path):
    """[(pts, hole, claimed)] in seconds of the stream's own time for each audio packet whose
    pts is more than a packet and a half after the one before: where the hole starts, how
    long it is beyond one packet, and the duration the packet before it claims."""
    packets = vodtest.Packets(path, "a:0")
    ordered = sorted(packets.list, key=lambda p: p["pts"])
    packet = Fraction(1024, int(packets.stream["sample_rate"]))
    holes = []
    for before, after in zip(ordered, ordered[1:]):
        step = packets.seconds(after["pts"] - before["pts"])
        if step > packet * Fraction(3, 2):
            holes.append((float(packets.seconds(before["pts"])), float(step - packet),
                          float(packets.seconds(before["duration"] or 0))))
    return holes


def decode_like_a_player(path, folder):
    """Decodes path's first video and audio stream in one ffmpeg run, so both share one clock
    (the input's start time is 0). Returns ([(pts_time, mean luma)] of every picture, mono PCM
    at PCM_RATE in which sample n plays at n / PCM_RATE): a hole in the audio timestamps is
    played as silence (aresample fills every hole over 10 ms), not closed up."""
    ffmpeg("-i", path,
           "-map", "0:v:0", "-vf",
           "signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file=luma.txt",
           "-f", "null", "-",
           "-map", "0:a:0", "-af", "aresample=async=1:min_hard_comp=0.01:first_pts=0",
           "-ac", "1", "-ar", str(PCM_RATE), "-f", "s16le", "audio.pcm", cwd=folder)
    pictures, pts_time = [], None
    with open(os.path.join(folder, "luma.txt")) as f:
        for line in f:
            if line.startswith("frame:"):
                pts_time = float(line.split("pts_time:")[1])
            elif line.startswith("lavfi.signalstats.YAVG="):
                pictures.append((pts_time, float(line.split("=", 1)[1])))
    return pictures, read_pcm(os.path.join(folder, "audio.pcm"))


def flash_times(pictures):
    """Times of the white pictures (mean luma over mid grey; the others are black)."""
    return [t for t, luma in pictures if luma > 128]


def beep_onsets(pcm, quiet_before=0.5):
    """Times where the sound rises above a third of its loudest after quiet_before s of
    silence: the first sample of each beep (the AAC pre-echo before it stays far lower)."""
    threshold = max(abs(s) for s in pcm) // 3
    quiet = int(quiet_before * PCM_RATE)
    onsets, last_loud = [], -quiet
    for n, s in enumerate(pcm):
        if abs(s) > threshold:
            if n - last_loud >= quiet:
                onsets.append(n / PCM_RATE)
            last_loud = n
    return onsets


# ---------------------------------------------------------------------------------------------
# Audio that changes format halfway

PIECE_SECONDS = Fraction(32, 5)  # 160 frames; 200 AC-3 frames of 1536 samples at 48 kHz
AC3_PRIMING = 256                # samples FFmpeg's AC-3 encoder puts before the sound
SILENCE_LEVEL = 100              # peak of a 5 ms window below which it is silent (-50 dBFS)


def make_format_change(folder):
    """An MPEG-TS of two pieces, PIECE_SECONDS each, byte after byte: the same 320x180 video
    and a 440 Hz tone, in AC-3 5.1 at 48 kHz, then in AC-3 stereo at 44.1 kHz. The second
    piece's timestamps carry on from the first's (-output_ts_offset; the first is offset too,
    so that neither muxer shifts its priming to zero, which would shift the pieces apart)."""
    pieces = []
    for n, (rate, audio) in enumerate([
            # The first piece's sound is cut so that its last AC-3 packet ends with the video:
            # the second piece's first packet then follows it with no overlap.
            (48000, ["-af", "aformat=channel_layouts=5.1,"
                            f"atrim=end_sample={PIECE_SECONDS * 48000 - AC3_PRIMING}"]),
            (44100, ["-ac", "2"])]):
        piece = os.path.join(folder, f"piece{n}.ts")
        ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=320x180:rate={FPS}",
               "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate={rate}",
               "-t", str(float(PIECE_SECONDS)), "-c:v", "libx264", "-pix_fmt", "yuv420p",
               "-preset", "veryfast", "-g", "50", "-bf", "0", "-c:a", "ac3", "-b:a", "192k",
               *audio, "-output_ts_offset", str(float(1 + n * PIECE_SECONDS)),
               "-f", "mpegts", piece)
        pieces.append(piece)
    joined = vodtest.concat_files(pieces, os.path.join(folder, "format-change.ts"))
    renumber_continuity_counters(joined)
    return joined


def renumber_continuity_counters(path):
    """Rewrites the 4-bit continuity counter of every MPEG-TS packet so that each PID's count
    carries on across a join of files, as one muxer would have written it. Left as the join
    makes them (each piece counting from 0), FFmpeg flags the PES cut by the jump as corrupt
    and vodctl rejects the source as damaged, which is not what this source is about."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    assert len(data) % 188 == 0 and data[::188] == b"\x47" * (len(data) // 188), "not plain TS"
    next_count = {}
    for at in range(0, len(data), 188):
        pid = ((data[at + 1] & 0x1F) << 8) | data[at + 2]
        has_payload = data[at + 3] & 0x10
        if pid == 0x1FFF:
            continue
        count = next_count.get(pid, 0)
        if not has_payload:  # a packet without payload repeats the count before it
            count = (count - 1) % 16
        data[at + 3] = (data[at + 3] & 0xF0) | count
        if has_payload:
            next_count[pid] = (count + 1) % 16
    with open(path, "wb") as f:
        f.write(data)


def audio_formats(path):
    """[(channel layout, sample rate, pts_time)] where each run of decoded audio frames in one
    format starts. (ashowinfo, since ffprobe 5.1's -show_frames leaves out the sample rate.)"""
    proc = subprocess.run(["ffmpeg", "-nostdin", "-i", path, "-map", "0:a:0", "-af", "ashowinfo",
                           "-f", "null", "-"], capture_output=True, text=True, timeout=300)
    runs = []
    for line in proc.stderr.splitlines():
        if "chlayout:" in line:
            fields = dict(f.split(":", 1) for f in line.split("] ", 1)[1].split() if ":" in f)
            layout, rate = fields["chlayout"], int(fields["rate"])
            if not runs or runs[-1][:2] != (layout, rate):
                runs.append((layout, rate, float(fields["pts_time"])))
    return runs


def silences(pcm, window=PCM_RATE // 200):
    """[(start, length)] in seconds of each run of silent 5 ms windows in pcm."""
    found, start = [], None
    for n in range(0, len(pcm), window):
        silent = max(abs(s) for s in pcm[n:n + window]) < SILENCE_LEVEL
        if silent and start is None:
            start = n
        elif not silent and start is not None:
            found.append((start / PCM_RATE, (n - start) / PCM_RATE))
            start = None
    if start is not None:
        found.append((start / PCM_RATE, (len(pcm) - start) / PCM_RATE))
    return found


# ---------------------------------------------------------------------------------------------
# MP4 boxes

def boxes(data, start, end):
    """[(type, offset, size)] of the boxes in data[start:end] (32-bit sizes, as FFmpeg writes
    small files)."""
    found, i = [], start
    while i < end:
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        found.append((kind, i, size))
        i += size
    return found


def box_path(data, path, start=0, end=None, accept=lambda data, offset, size: True):
    """[(offset, size)] of each box along `path` (e.g. [b"moov", b"trak", ...]), taking at
    each level the first box of that type that `accept` takes (accept sees every box)."""
    end = len(data) if end is None else end
    for kind, offset, size in boxes(data, start, end):
        if kind == path[0] and accept(data, offset, size):
            if len(path) == 1:
                return [(offset, size)]
            inner = box_path(data, path[1:], offset + 8, offset + size, accept)
            if inner:
                return [(offset, size)] + inner
    return None


def is_video_trak_or_other(data, offset, size):
    """Takes a trak box only if its handler (mdia/hdlr) is 'vide'; every other box."""
    if data[offset + 4:offset + 8] != b"trak":
        return True
    hdlr = box_path(data, [b"mdia", b"hdlr"], offset + 8, offset + size)
    return hdlr is not None and data[hdlr[-1][0] + 16:hdlr[-1][0] + 20] == b"vide"


def video_box(data, *path):
    """(offset, size) of the box at moov/trak/<path> in the video track."""
    return box_path(data, [b"moov", b"trak", *path], accept=is_video_trak_or_other)[-1]


def mdhd_fields(data):
    """(offset of the duration field, its struct format, timescale) of the video mdhd."""
    offset, _ = video_box(data, b"mdia", b"mdhd")
    if data[offset + 8] == 1:  # version 1: 64-bit times
        return offset + 32, ">Q", struct.unpack(">I", data[offset + 28:offset + 32])[0]
    return offset + 24, ">I", struct.unpack(">I", data[offset + 20:offset + 24])[0]


def make_last_sample_last(data, seconds):
    """data (an MP4 with its moov after the media and no edit list) with the last video
    sample lasting `seconds`: the last stts entry is split so that sample has its own entry,
    and every box on the way grows by the 8 bytes of the new entry; nothing before moov moves,
    so the chunk offsets stay right. The mdhd duration is set to the new stts total as well,
    since FFmpeg's mov demuxer gives the last packet the track duration less its dts."""
    path = box_path(data, [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stts"],
                    accept=is_video_trak_or_other)
    assert path[0][0] > box_path(data, [b"mdat"])[0][0], "moov must follow mdat"
    _, _, timescale = mdhd_fields(data)
    stts_offset, stts_size = path[-1]
    entries_at = stts_offset + 16
    (count,) = struct.unpack(">I", data[stts_offset + 12:entries_at])
    entries = [struct.unpack(">II", data[entries_at + 8 * k:entries_at + 8 * k + 8])
               for k in range(count)]
    last_count, last_delta = entries[-1]
    entries[-1:] = ([(last_count - 1, last_delta)] if last_count > 1 else []) + [
        (1, round(seconds * timescale))]
    grown = 8 * (len(entries) - count)
    stts = (struct.pack(">I4s", stts_size + grown, b"stts")
            + data[stts_offset + 8:stts_offset + 12]  # version and flags
            + struct.pack(">I", len(entries))
            + b"".join(struct.pack(">II", *entry) for entry in entries))
    patched = bytearray(data[:stts_offset] + stts + data[stts_offset + stts_size:])
    for offset, size in path[:-1]:
        struct.pack_into(">I", patched, offset, size + grown)
    duration_at, duration_format, _ = mdhd_fields(patched)
    struct.pack_into(duration_format, patched, duration_at,
                     sum(count * delta for count, delta in entries))
    return bytes(patched)


# ---------------------------------------------------------------------------------------------


class UploadSyncTest(VodTestCase):

    def run_job(self, source, *options, out="out"):
        output = self.ws.path(out)
        rc, _, err = self.vodctl("run", source, output, *RUN_OPTS, *options)
        self.assertEqual(rc, 0, f"vodctl run {os.path.basename(source)} failed:\n{err}")
        return output

    def decode(self, path, label):
        folder = self.ws.path("decoded-" + label.replace(" ", "-"))
        os.makedirs(folder)
        return decode_like_a_player(path, folder)

    # A/V sync across holes in the audio -----------------------------------------------------

    def assert_in_sync(self, path, label):
        """Every heard beep in path within SYNC_TOLERANCE of its own flash, which is found by
        order, not by nearness: a 2 s hole closed up would put a beep on the flash before."""
        pictures, pcm = self.decode(path, label)
        flashes, beeps = flash_times(pictures), beep_onsets(pcm)
        self.assertEqual(len(flashes), len(FLASHES), f"{label}: flashes at {flashes}")
        self.assertEqual(len(beeps), len(HEARD), f"{label}: beeps at {beeps}, flashes at "
                                                 f"{flashes}, heard flashes {HEARD}")
        offsets = [(flashes[i], beep - flashes[i]) for i, beep in zip(HEARD, beeps)]
        print(f"\n  {label}: beep - flash: " +
              ", ".join(f"{1000 * off:+.1f} ms at {t:.2f} s" for t, off in offsets))
        off_sync = [(round(t, 3), round(1000 * off, 1)) for t, off in offsets
                    if abs(off) > SYNC_TOLERANCE]
        self.assertEqual(off_sync, [], f"{label}: beeps more than 50 ms off their flash "
                                       f"(flash at s, beep - flash in ms)")

    def test_audio_with_timestamp_holes_stays_in_sync(self):
        for source in make_flash_and_beep(self.ws.dir):
            name = os.path.basename(source)
            with self.subTest(source=name):
                # The holes are in the pts of both. MP4 has no other way to store one than
                # the stts delta of the packet before it, which so claims to last across the
                # hole (a stream copy of the TS into MP4 writes the same); the TS packets keep
                # their 1024 samples' duration.
                holes = audio_holes(source)
                print(f"\n  {name}: audio holes: " + ", ".join(
                    f"{hole:.3f} s at {at:.3f} s (packet before claims {claimed:.3f} s)"
                    for at, hole, claimed in holes))
                self.assertEqual(len(holes), len(AUDIO_HOLES), "precondition: audio holes")
                for (_, hole, _), (start, end) in zip(holes, AUDIO_HOLES):
                    # aselect drops whole 1024-sample frames: a frame either way.
                    self.assertAlmostEqual(hole, end - start, delta=0.03,
                                           msg="precondition: audio hole length")
                self.assert_in_sync(source, f"source {name}")
                output = self.run_job(source, out=f"out-{name}")
                self.assert_in_sync(os.path.join(output, "master.m3u8"), f"output of {name}")

    # Audio format change ----------------------------------------------------------------------

    def test_audio_format_change_midstream(self):
        # "No crash" is covered too: the sanitizer suite runs this same module against an
        # ASan+UBSan build (ctest runs every e2e module again under scripts/test-sanitize.sh).
        source = make_format_change(self.ws.dir)
        formats = audio_formats(source)
        print(f"\n  source audio formats (layout, rate, from s): {formats}")
        self.assertEqual([f[:2] for f in formats], [("5.1(side)", 48000), ("stereo", 44100)],
                         "precondition: the decoded audio changes layout and rate")
        output = self.run_job(source)
        rc, report, err = self.vodctl("verify", output)
        self.assertEqual(rc, 0, f"vodctl verify:\n{report}{err}")

        pictures, pcm = self.decode(os.path.join(output, "master.m3u8"), "output")
        video_start, video_end = pictures[0][0], pictures[-1][0] + 1 / FPS
        change = video_start + float(PIECE_SECONDS)
        # The tone never stops in the source, so the whole track is judged, the change too.
        # PCM sample 0 is the earlier of the first picture and the first sound, so a late
        # start counts as silence as well.
        quiet = silences(pcm)
        near_change = [q for q in quiet if abs(q[0] - change) < 0.5]
        sound_start = next(n for n, s in enumerate(pcm) if abs(s) >= SILENCE_LEVEL) / PCM_RATE
        audio_seconds = len(pcm) / PCM_RATE - sound_start
        print(f"\n  output: silences (at s, ms) {[(round(a, 3), 1000 * l) for a, l in quiet]}, "
              f"near the change at {change:.3f} s: {len(near_change)}; "
              f"audio {sound_start:.3f}-{len(pcm) / PCM_RATE:.3f} s ({audio_seconds:.3f} s), "
              f"video {video_start:.3f}-{video_end:.3f} s ({video_end - video_start:.3f} s)")
        long_silences = [(round(at, 3), round(1000 * length, 1)) for at, length in quiet
                         if length > SYNC_TOLERANCE]
        self.assertEqual(long_silences, [], "silences or holes over 50 ms in the output audio "
                                            f"(at s, ms); the format changes at {change:.3f} s")
        self.assertLessEqual(abs(audio_seconds - (video_end - video_start)), SYNC_TOLERANCE,
                             "audio and video durations differ")

    # A last packet claiming hours -------------------------------------------------------------

    def run_for_cpu(self, source, *options, out):
        """vodctl run --quiet on source; returns (exit code, stderr, CPU seconds, user and
        system, of vodctl and of the children it waited for)."""
        err_path = self.ws.path(f"{out}.stderr")
        with open(err_path, "w") as err:
            proc = subprocess.Popen(
                vodtest.vodctl_argv(["run", source, self.ws.path(out), *RUN_OPTS, *options],
                                    self.ws.state, quiet=True),
                cwd=self.ws.dir, env=vodtest.vodctl_env(), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=err)
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            except BaseException:
                proc.kill()
                proc.wait()
                raise
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, not by proc
        with open(err_path) as err:
            return proc.returncode, err.read(), usage.ru_utime + usage.ru_stime

    def assert_clamped_or_refused(self, rc, err, output):
        """Either the output lasts what the pictures do, 3 s (the claim clamped), or the job
        fails with one line naming the duration."""
        if rc == 0:
            variant = vodtest.SourceFacts(os.path.join(output, "180p", "index.m3u8"))
            seconds = variant.video_end - variant.video_start
            print(f"  output video lasts {float(seconds):.3f} s, {variant.frames} frames")
            self.assertLessEqual(abs(seconds - 3), Fraction(2, FPS), "output video duration")
        else:
            self.assertEqual(rc, EX_DATAERR, err)
            self.assertIn("duration", self.assert_one_error_line(err),
                          "the message names the duration")

    def test_last_packet_claiming_hours(self):
        # No edit list: FFmpeg would end the last packet where the edit ends and never see
        # the claim. No B-frames, so the last sample in decode order is the last one shown.
        honest = self.ws.path("three-seconds.mp4")
        ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=320x180:rate={FPS}", "-t", "3",
               "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast", "-bf", "0",
               "-g", "25", "-use_editlist", "0", honest)
        with open(honest, "rb") as f:
            data = f.read()
        claimed = 10 * 3600
        lying = self.ws.path("last-frame-10h.mp4")
        with open(lying, "wb") as f:
            f.write(make_last_sample_last(data, claimed))
        packets = vodtest.Packets(lying, "v:0")
        last = max(packets.list, key=lambda p: p["pts"])
        last_duration = float(packets.seconds(last["duration"]))
        print(f"\n  source: {len(packets.list)} frames, the last lasting {last_duration:.0f} s; "
              f"stream duration {vodtest.stream_of(lying, 'video')['duration']} s")
        self.assertAlmostEqual(last_duration, claimed, delta=1,
                               msg="precondition: FFmpeg sees the last packet last 10 h")

        rc, err, honest_cpu = self.run_for_cpu(honest, out="out-honest")
        self.assertEqual(rc, 0, f"vodctl run on the unpatched file: {err}")
        rc, err, cpu = self.run_for_cpu(lying, out="out")
        print(f"  vodctl run: exit {rc}, CPU {cpu:.2f} s (unpatched {honest_cpu:.2f} s), "
              f"stderr {err.strip()!r}")
        self.assertLess(cpu, 30, "CPU seconds of vodctl run")
        self.assertLessEqual(cpu, 3 * honest_cpu + 2,
                             f"CPU seconds, against {honest_cpu:.2f} s for the unpatched file")
        self.assert_clamped_or_refused(rc, err, self.ws.path("out"))

        # A job limit far under the claim (what happens is reported): the same two answers.
        self.fresh_workspace()
        rc, err, cpu = self.run_for_cpu(lying, "--max-duration", "60", out="out")
        print(f"  with --max-duration 60: exit {rc}, CPU {cpu:.2f} s, stderr {err.strip()!r}")
        self.assertLess(cpu, 30, "CPU seconds of vodctl run --max-duration 60")
        self.assert_clamped_or_refused(rc, err, self.ws.path("out"))


if __name__ == "__main__":
    unittest.main()
