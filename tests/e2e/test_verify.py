"""vodctl verify: passes on what vodctl run makes, and names each defect planted in a copy."""

import os
import re
import shutil
import unittest

import vodtest
from vodtest import EX_DATAERR, EX_IOERR, FAST, Workspace, media


class VerifyTest(vodtest.VodTestCase):
    @classmethod
    def setUpClass(cls):
        cls.source = media("small")  # 854x480, 10 s: variants 480p and 360p
        cls.outputs_ws = Workspace(prefix="vodctl-verify-")
        cls.outputs = {}
        try:
            for fmt in ("fmp4", "ts"):
                output = cls.outputs_ws.path(fmt)
                rc, _, err = cls.outputs_ws.vodctl("run", cls.source, output, *FAST,
                                                   "--format", fmt, quiet=True)
                if rc != 0:
                    raise AssertionError(f"vodctl run --format {fmt} failed ({rc}):\n{err}")
                cls.outputs[fmt] = output
        except BaseException:
            cls.outputs_ws.cleanup()  # tearDownClass does not run when setUpClass fails
            raise

    @classmethod
    def tearDownClass(cls):
        cls.outputs_ws.cleanup()

    def copy_of(self, fmt, name="copy"):
        dest = self.ws.path(f"{name}-{fmt}")
        shutil.copytree(self.outputs[fmt], dest)
        return dest

    def verify(self, output):
        return self.vodctl("verify", output)

    def assert_violation(self, output, pattern):
        """verify exits 65 with a report line matching `pattern` and one line on stderr."""
        rc, out, err = self.verify(output)
        self.assertEqual(rc, EX_DATAERR, f"verify should fail:\n{out}{err}")
        line = self.assert_one_error_line(err)
        self.assertIn("violation", line)
        lines = out.splitlines()
        self.assertTrue(any(re.search(pattern, l) for l in lines[:-1]),
                        f"no report line matches {pattern!r}:\n{out}")
        self.assertRegex(lines[-1], r": \d+ playlists, \d+ segments, [1-9]\d* violation\(s\)$")
        return out

    def test_outputs_of_run_pass(self):
        for fmt, output in self.outputs.items():
            with self.subTest(fmt=fmt):
                rc, out, err = self.verify(output)
                self.assertEqual(rc, 0, f"{out}{err}")
                self.assertEqual(err, "")
                # master + 480p + 360p + audio; 10 s in 2 s segments, 5 per media playlist.
                self.assertEqual(out, f"{output}: 4 playlists, 15 segments, 0 violation(s)\n")

    def test_missing_segment(self):
        output = self.copy_of("fmp4")
        segment = vodtest.segment_path(output, "360p", 2)
        os.remove(segment)
        self.assert_violation(output, rf"^360p/{re.escape(os.path.basename(segment))}: missing "
                                      r"\(listed in 360p/index\.m3u8\)$")

    def test_missing_init_section(self):
        output = self.copy_of("fmp4")
        init = vodtest.init_path(output, "audio")
        os.remove(init)
        self.assert_violation(output, rf"^audio/{re.escape(os.path.basename(init))}: missing "
                                      r"\(listed in audio/index\.m3u8\)$")

    def test_swapped_segments_misalign(self):
        # With two variants the first listed (480p) is the reference, so swap in the other.
        output = self.copy_of("fmp4")
        one, two = (vodtest.segment_path(output, "360p", i) for i in (1, 2))
        os.rename(one, one + ".tmp")
        os.rename(two, one)
        os.rename(one + ".tmp", two)
        name = re.escape(os.path.basename(one))
        reference = re.escape(os.path.basename(vodtest.segment_path(output, "480p", 1)))
        out = self.assert_violation(output, rf"^360p/{name}: starts at [\d.]+ s but "
                                            rf"480p/{reference} starts at [\d.]+ s: segment "
                                            r"boundaries differ across variants$")
        self.assertRegex(out, rf"(?m)^360p/{name}: EXTINF says 2\.000000 s but the "
                              r"segment lasts -2\.000000 s")

    def test_segment_starting_without_key_frame(self):
        output = self.copy_of("ts")
        segment = vodtest.segment_path(output, "360p", 3)
        # The same packets and times without the IDR that opens the segment.
        vodtest.run_checked(["ffmpeg", "-v", "error", "-nostdin", "-copyts", "-i", segment,
                             "-map", "0", "-c", "copy", "-bsf:v", r"noise=drop=eq(n\,0)",
                             "-muxdelay", "0", "-f", "mpegts", segment + ".new"])
        os.replace(segment + ".new", segment)
        self.assert_violation(output, rf"^360p/{re.escape(os.path.basename(segment))}: does not "
                                      r"start with a key frame$")

    def test_bandwidth_below_peak(self):
        output = self.copy_of("fmp4")
        master = os.path.join(output, "master.m3u8")
        with open(master, encoding="utf-8") as f:
            text = f.read()
        declared = int(re.search(r":BANDWIDTH=(\d+)", text).group(1))
        with open(master, "w", encoding="utf-8") as f:
            f.write(text.replace(f":BANDWIDTH={declared},", f":BANDWIDTH={declared // 2},", 1))
        self.assert_violation(output, rf"^master\.m3u8: BANDWIDTH={declared // 2} of "
                                      rf"\w+/index\.m3u8 is below the measured peak \d+ bit/s")

    def test_audio_rendition_with_a_taken_name_and_a_language_that_is_not_bcp47(self):
        output = self.copy_of("fmp4")
        master = os.path.join(output, "master.m3u8")
        with open(master, encoding="utf-8") as f:
            text = f.read()
        media = re.search(r"^#EXT-X-MEDIA:.*$", text, re.M).group(0)
        self.assertIn('NAME="Audio",', media)
        twin = media.replace('NAME="Audio",', 'NAME="Audio",LANGUAGE="en_US",').replace(
            "DEFAULT=YES", "DEFAULT=NO")
        with open(master, "w", encoding="utf-8") as f:
            f.write(text.replace(media, f"{media}\n{twin}", 1))
        out = self.assert_violation(
            output, r'^master\.m3u8: two EXT-X-MEDIA of GROUP-ID "audio" have NAME "Audio"$')
        self.assertRegex(out, r'(?m)^master\.m3u8: EXT-X-MEDIA NAME "Audio" has LANGUAGE '
                              r'"en_US", which is not a well-formed BCP 47 tag$')

    def test_bandwidth_one_below_rounding_passes(self):
        # The declared peak is the measured one rounded up: 1 bit/s less is rounding, not a lie.
        output = self.copy_of("fmp4")
        master = os.path.join(output, "master.m3u8")
        with open(master, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r":BANDWIDTH=(\d+),", lambda m: f":BANDWIDTH={int(m.group(1)) - 1},", text)
        with open(master, "w", encoding="utf-8") as f:
            f.write(text)
        rc, out, err = self.verify(output)
        self.assertEqual(rc, 0, f"{out}{err}")

    def test_extinf_that_does_not_match(self):
        output = self.copy_of("fmp4")
        playlist = os.path.join(output, "480p", "index.m3u8")
        with open(playlist, encoding="utf-8") as f:
            text = f.read()
        # Segment 1 lasts 2 s; 2.4 s still rounds to the target duration of 2.
        name = os.path.basename(vodtest.segment_path(output, "480p", 1))
        edited = text.replace(f"#EXTINF:2.000000,\n{name}", f"#EXTINF:2.400000,\n{name}")
        self.assertNotEqual(edited, text, "expected segment 1 to last 2.000000 s")
        with open(playlist, "w", encoding="utf-8") as f:
            f.write(edited)
        out = self.assert_violation(output, rf"^480p/{re.escape(name)}: EXTINF says 2\.400000 s but "
                                            r"the segment lasts 2\.000000 s")
        self.assertRegex(out, r"(?m)^480p/index\.m3u8: the EXTINF durations add up to "
                              r"10\.400000 s but the media lasts 10\.000000 s$")

    def test_playlist_that_does_not_parse(self):
        output = self.copy_of("ts")
        with open(os.path.join(output, "audio", "index.m3u8"), "w", encoding="utf-8") as f:
            f.write("#EXTM3U\n#EXTINF:2.000000,\nseg_00000.ts\n")
        self.assert_violation(output, r"^audio/index\.m3u8: no EXT-X-TARGETDURATION$")

    def test_truncated_playlist(self):
        # What an interrupted upload or a full disk leaves: the playlist cut short, no ENDLIST,
        # the last segments unlisted; cut in the middle of an entry or between two.
        third = os.path.basename(vodtest.segment_path(self.outputs["fmp4"], "360p", 2))
        cuts = [(third, r"line \d+: EXTINF without a URI"), ("#EXTINF", r"ENDLIST")]
        for number, (cut, expected) in enumerate(cuts):
            with self.subTest(cut=cut):
                output = self.copy_of("fmp4", name=f"cut-{number}")
                playlist = os.path.join(output, "360p", "index.m3u8")
                with open(playlist, encoding="utf-8") as f:
                    text = f.read()
                # Before segment 2's URI, or before the EXTINF of segment 3.
                position = (text.index(cut) if cut != "#EXTINF"
                            else [i for i in range(len(text)) if text.startswith(cut, i)][3])
                with open(playlist, "w", encoding="utf-8") as f:
                    f.write(text[:position])
                self.assert_violation(output, r"^360p/index\.m3u8: .*" + expected)

    def test_missing_folder(self):
        missing = self.ws.path("no-such-output")
        rc, out, err = self.verify(missing)
        self.assertEqual(rc, EX_IOERR, f"{out}{err}")
        line = self.assert_one_error_line(err)
        self.assertIn(missing, line)
        self.assertEqual(out, "")
        self.assertFalse(os.path.exists(missing), "verify must not create the folder")

    def test_folder_without_master(self):
        empty = self.ws.path("empty")
        os.makedirs(empty)
        self.assert_violation(empty, r"^master\.m3u8: missing in ")


if __name__ == "__main__":
    unittest.main()
