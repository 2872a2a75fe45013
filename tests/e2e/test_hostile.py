"""Hostile sources: every upload is untrusted. Each one made here must fail the job with the
documented exit code and one clear stderr line, leave the job failed with that reason, and
publish nothing; a playlist posing as a video must not get the files it names into tmp or
the output."""

import os
import random
import shutil
import subprocess
import tempfile
import unittest

import h264_sps
import vodtest
from vodtest import EX_DATAERR, EX_USAGE, FAST, VodTestCase, run_checked

FFMPEG = ["ffmpeg", "-v", "error", "-nostdin", "-y"]
# A marker no real file holds: put in the video bitstream (a user-data SEI) of the local
# files playlists point at, and looked for in every file vodctl could have written.
MARKER = b"VODCTL-HOSTILE-MARKER-4f1d9c2e"
SEI_UUID = "086f3693-b7b3-4f2c-9653-21492feee5b8"


def ffmpeg(*args):
    run_checked([*FFMPEG, *args], timeout=120)


class Corpus:
    """Hostile sources, made once for the whole file from one tiny clip."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="vodctl-hostile-corpus-")

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def make(self):
        # Baseline profile, so h264_sps can rewrite its SPS; the moov box first, so a cut
        # through the file cuts the media, not the index.
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x96:rate=10", "-f", "lavfi", "-i",
               "sine=frequency=440:sample_rate=48000", "-t", "2", "-c:v", "libx264",
               "-profile:v", "baseline", "-preset", "ultrafast", "-g", "10", "-pix_fmt",
               "yuv420p", "-c:a", "aac", "-b:a", "32k", "-movflags", "+faststart",
               self.path("clip.mp4"))
        with open(self.path("clip.mp4"), "rb") as f:
            self.clip = f.read()
        ffmpeg("-i", self.path("clip.mp4"), "-c", "copy", "-bsf:v", "h264_mp4toannexb",
               "-f", "h264", self.path("clip.h264"))
        with open(self.path("clip.h264"), "rb") as f:
            annexb = f.read()
        # Local files a playlist points at, the marker inside their video.
        sei = f"h264_metadata=sei_user_data={SEI_UUID}+{MARKER.decode()}"
        for name, muxer in (("secret.ts", "mpegts"), ("secret.mp4", "mp4")):
            ffmpeg("-i", self.path("clip.mp4"), "-c", "copy", "-bsf:v", sei, "-f", muxer,
                   self.path(name))
            with open(self.path(name), "rb") as f:
                assert MARKER in f.read(), f"precondition: the marker is in {name}"
        # Headers that lie about the picture: FFmpeg refuses 100000x100000 outright (the
        # stream has no size), 16000x16000 it takes, and vodctl's limit must not.
        self.write("huge.h264", h264_sps.patch_annexb(annexb, 100000, 100000))
        ffmpeg("-r", "10", "-i", self.path("huge.h264"), "-c", "copy", "-f", "mpegts",
               self.path("huge.ts"))
        self.write("big.h264", h264_sps.patch_annexb(annexb, 16000, 16000))
        ffmpeg("-r", "10", "-i", self.path("big.h264"), "-c", "copy", self.path("big.mp4"))
        # Timestamps 3 years apart from the sixth frame on.
        ffmpeg("-i", self.path("clip.mp4"), "-c", "copy", "-an", "-bsf:v",
               "setts=ts=if(gte(N\\,5)\\,TS+1e11\\,TS)", "-f", "matroska",
               self.path("absurd.mkv"))
        # No video and no audio: a subtitle track only.
        self.write("only.srt", b"1\n00:00:00,000 --> 00:00:01,000\nhello\n")
        ffmpeg("-i", self.path("only.srt"), "-c:s", "srt", "-f", "matroska",
               self.path("subtitles.mkv"))
        # A real video codec, decodable by FFmpeg, that no upload site needs.
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10", "-t", "1", "-c:v", "cinepak",
               "-f", "avi", self.path("cinepak.avi"))

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class HostileSourceTest(VodTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.corpus = Corpus()
        try:
            cls.corpus.make()
        except BaseException:
            cls.corpus.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.corpus.cleanup()
        super().tearDownClass()

    @property
    def output(self):
        return self.ws.path("out")

    def source(self, name, data):
        """A source file of this test's own, named `name`, holding `data`."""
        path = self.ws.path(name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def files_under(self, root):
        found = []
        for folder, _, names in os.walk(root):
            found += [os.path.join(folder, n) for n in names]
        return found

    def assert_rejected(self, source, *options, code=EX_DATAERR, mentions=()):
        """Runs the job on `source`; checks rc, one stderr line, the failed job, no output."""
        rc, out, err = self.vodctl("run", source, self.output, "--job", "hostile", *FAST,
                                   *options, quiet=True)
        self.assertEqual(rc, code, f"exit code; stderr: {err!r}")
        self.assertEqual(out, "")
        line = self.assert_one_error_line(err)
        for word in mentions:
            self.assertIn(word, line, "the message names the problem")
        self.assertEqual(self.files_under(self.output), [], "nothing in the output")
        if code == EX_DATAERR:
            jobs = self.ws.status("hostile")
            self.assertEqual(len(jobs), 1)
            self.assertEqual(jobs[0]["state"], "failed")
            self.assertTrue(jobs[0]["error"])
            self.assertIn(jobs[0]["error"], line, "status tells the same reason as stderr")
        return line

    # Not media at all --------------------------------------------------------------------

    def test_zero_bytes(self):
        self.assert_rejected(self.source("zero.mp4", b""), mentions=["zero.mp4", "empty"])

    def test_text(self):
        text = b"vodctl turns a source video into HLS.\n" * 100
        self.assert_rejected(self.source("notes.mp4", text), mentions=["notes.mp4"])

    # Damaged media -----------------------------------------------------------------------

    def test_truncated_at_several_points(self):
        clip = self.corpus.clip
        mdat = clip.find(b"mdat")
        self.assertGreater(mdat, clip.find(b"moov"), "precondition: the index comes first")
        for cut in (16, mdat // 2, mdat + 64, (mdat + len(clip)) // 2, len(clip) - 200):
            with self.subTest(cut=cut):
                self.fresh_workspace()
                self.assert_rejected(self.source("cut.mp4", clip[:cut]), mentions=["cut.mp4"])

    def test_corrupted_bytes_mid_stream(self):
        # A VOD site should ask for the upload again rather than publish concealed damage:
        # both what the decoder refuses and what it would conceal fail the job.
        mdat = self.corpus.clip.find(b"mdat")
        middle = (mdat + len(self.corpus.clip)) // 2
        for seed, at, size, refused in ((8, middle, 2000, True), (1, middle + 997, 500, False)):
            with self.subTest(seed=seed, at=at, size=size):
                self.fresh_workspace()
                clip = bytearray(self.corpus.clip)
                clip[at:at + size] = random.Random(seed).randbytes(size)
                line = self.assert_rejected(self.source("damaged.mp4", bytes(clip)),
                                            mentions=["chunk", "the source is damaged"])
                self.assertEqual("Invalid data" in line, refused, "which check caught it")

    # Sources that would read other files -------------------------------------------------

    def assert_marker_nowhere(self):
        for path in self.files_under(self.ws.dir):
            with open(path, "rb") as f:
                self.assertNotIn(MARKER, f.read(), f"{path} holds bytes of a file the source named")

    def test_hls_playlist_cannot_read_local_files(self):
        secret = self.corpus.path("secret.ts")
        playlist = (f"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
                    f"#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:2.0,\n{secret}\n#EXTINF:2.0,\n"
                    f"file://{secret}\n#EXT-X-ENDLIST\n").encode()
        for name in ("upload.m3u8", "upload.mp4"):  # the extension must not matter
            with self.subTest(name=name):
                self.fresh_workspace()
                line = self.assert_rejected(self.source(name, playlist), mentions=[name, "hls"])
                self.assertIn("not allowed", line)
                self.assert_marker_nowhere()

    def test_ffconcat_cannot_read_local_files(self):
        listing = (f"ffconcat version 1.0\nfile '{self.corpus.path('secret.mp4')}'\n"
                   f"file '{self.corpus.path('secret.ts')}'\n").encode()
        self.assert_rejected(self.source("upload.mp4", listing), mentions=["upload.mp4"])
        self.assert_marker_nowhere()

    def test_playlists_cannot_be_allowed(self):
        for formats in ("hls", "mp4,concat", "image2"):
            with self.subTest(formats=formats):
                self.fresh_workspace()
                self.assert_rejected(self.corpus.path("clip.mp4"), "--allow-formats", formats,
                                     code=EX_USAGE, mentions=["--allow-formats", "never allowed"])

    # Headers that lie, streams that are not what they claim ------------------------------

    def test_picture_of_100000x100000(self):
        self.assert_rejected(self.corpus.path("huge.ts"), mentions=["huge.ts", "picture size"])

    def test_picture_over_the_pixel_limit(self):
        self.assert_rejected(self.corpus.path("big.mp4"),
                             mentions=["big.mp4", "16000x16000", "--max-pixels"])

    def test_probing_a_huge_picture_does_not_allocate_it(self):
        # One 16000x16000 4:2:0 picture is 384 MB; FFmpeg's probe decoded one (757 MB peak)
        # before the probing decoders were held to --max-pixels.
        proc = subprocess.Popen(
            vodtest.vodctl_argv(["run", self.corpus.path("big.mp4"), self.output, "--job",
                                 "hostile", *FAST], self.ws.state, quiet=True),
            env=vodtest.vodctl_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        self.assertEqual(proc.returncode, EX_DATAERR)
        self.assertLess(usage.ru_maxrss * 1024, 300 << 20, "peak memory of vodctl, bytes")

    def test_no_video_or_audio(self):
        self.assert_rejected(self.corpus.path("subtitles.mkv"),
                             mentions=["subtitles.mkv", "no video or audio"])

    def test_unsupported_codec(self):
        self.assert_rejected(self.corpus.path("cinepak.avi"), mentions=["cinepak.avi", "cinepak"])

    def test_absurd_timestamps(self):
        self.assert_rejected(self.corpus.path("absurd.mkv"),
                             mentions=["absurd.mkv", "--max-duration"])

    # Limits, each with its flag ----------------------------------------------------------

    def test_each_limit_names_its_flag(self):
        clip = self.corpus.path("clip.mp4")
        for flag, value in (("--max-size", "10K"), ("--max-duration", "1"),
                            ("--max-pixels", "10000"), ("--max-frame-rate", "5"),
                            ("--max-streams", "1"), ("--max-decoded-memory", "100K"),
                            ("--allow-formats", "matroska,mpegts")):
            with self.subTest(flag=flag):
                self.fresh_workspace()
                self.assert_rejected(clip, flag, value, mentions=["clip.mp4", flag])


if __name__ == "__main__":
    unittest.main()
