"""Publishing for a CDN, on local output: re-publishing a job into the same output with other
options never changes the bytes under a media name a cached playlist may still list, and names
exactly the fixed-name files whose cached copies must be purged; --compress-playlists leaves a
gzip twin (RFC 1952, read by Python's gzip module) of every playlist for a web server's
gzip_static.

The judge here is the file system before and after, not vodctl's own records: which files
changed is computed by the test from SHA-256 digests of every file."""

import gzip
import hashlib
import os
import re
import unittest

import vodtest
from vodtest import FAST, VodTestCase, media

# A name that carries the publish tag: media, immutable once written (README).
TAGGED = re.compile(r"(^|/)(seg_[0-9a-f]{10}_\d{5}\.(m4s|ts)|init_[0-9a-f]{10}\.mp4|"
                    r"sprite_[0-9a-f]{10}_\d{5}\.jpg)$")


def snapshot(folder):
    """{relative path: sha256 of its bytes} of every file under FOLDER."""
    files = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                files[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return files


def named_media(output, playlist_text, playlist_path):
    """Output-relative paths of the media a playlist's text names (URIs and EXT-X-MAP)."""
    folder = os.path.dirname(playlist_path)
    uris = [line for line in playlist_text.splitlines() if line and not line.startswith("#")]
    uris += re.findall(r'URI="([^"]+)"', playlist_text)
    return {os.path.normpath(os.path.join(folder, uri)) for uri in uris
            if not uri.endswith(".m3u8")}


class PublishTest(VodTestCase):

    def test_republishing_with_another_ladder_never_changes_bytes_under_a_name(self):
        source = media("small")  # 854x480: 480p and 360p by default
        output = self.ws.path("out")
        self.run_ok("run", source, output, *FAST, "--job", "first", "--compress-playlists")
        before = snapshot(output)
        cached = {}  # what a CDN may still serve: the first publish's playlists
        for path in before:
            if path.endswith(".m3u8"):
                with open(os.path.join(output, path), encoding="utf-8") as f:
                    cached[path] = f.read()
        self.assertTrue(any(TAGGED.search(p) for p in before), "media names carry a tag")

        # Another ladder into the same output: 360p at another rate changes its bytes.
        rc, _, err = self.vodctl("run", source, output, *FAST, "--job", "second",
                                 "--ladder", "360p@300k")
        self.assertEqual(rc, 0, err)
        after = snapshot(output)

        changed_names = [p for p in before if p in after and before[p] != after[p]]
        media_changed = [p for p in changed_names if TAGGED.search(p)]
        self.assertEqual(media_changed, [], "media bytes changed under an unchanged name")
        # Every playlist, the old (cached) ones and the new, names only files that are there
        # with the bytes they had when it was written.
        for path, text in cached.items():
            for named in named_media(output, text, path):
                self.assertIn(named, after, f"the cached {path} names {named}, now gone")
                self.assertEqual(after[named], before[named], f"{named} changed under {path}")
        new_media = set()
        for path in after:
            if path.endswith(".m3u8"):
                with open(os.path.join(output, path), encoding="utf-8") as f:
                    named = named_media(output, f.read(), path)
                self.assertTrue(named <= set(after), f"{path} names missing files")
                if path.startswith("360p/"):
                    new_media |= named
        self.assertTrue(new_media and not new_media & set(before),
                        "the re-encoded 360p rendition is published under new names")

        # The purge list: exactly the fixed-name files that were there and changed.
        expected = sorted(p for p in changed_names if not TAGGED.search(p) and
                          not p.endswith(".gz"))
        self.assertIn("master.m3u8", expected)
        self.assertIn("360p/index.m3u8", expected)
        [job] = self.ws.status("second")
        self.assertEqual(job["result"]["purge"], expected)
        purge_lines = [line for line in err.splitlines() if "purge the cached copies" in line]
        self.assertEqual(len(purge_lines), 1, err)
        for path in expected:
            self.assertIn(path, purge_lines[0])
        [first] = self.ws.status("first")
        self.assertEqual(first["result"]["purge"], [], "a first publish has nothing to purge")

        # The second run did not compress: the playlists it rewrote lost their gzip twin;
        # those it left (480p, gone from the ladder) keep a twin of their own bytes.
        for path in after:
            if path.endswith((".m3u8", ".mpd")):
                twin = os.path.join(output, path + ".gz")
                rewritten = path in expected or path not in before
                self.assertEqual(os.path.exists(twin), not rewritten, twin)
                if not rewritten:
                    with gzip.open(twin, "rb") as z, open(os.path.join(output, path), "rb") as f:
                        self.assertEqual(z.read(), f.read(), twin)
        self.run_ok("verify", output)

    def test_an_identical_republish_keeps_every_name_and_purges_nothing(self):
        source = media("small")
        output = self.ws.path("out")
        options = [*FAST, "--ladder", "360p", "--no-thumbnails"]
        self.run_ok("run", source, output, *options, "--job", "first")
        before = snapshot(output)
        # Another job, another tmp and other headers: the same media, the same names.
        rc, _, err = self.vodctl("run", source, output, *options, "--job", "again",
                                 "--tmp", self.ws.path("elsewhere"),
                                 "--cache-control-playlists", "no-cache")
        self.assertEqual(rc, 0, err)
        after = snapshot(output)
        self.assertEqual(sorted(after), sorted(before), "no new names")
        changed = sorted(p for p in before if before[p] != after[p])
        [job] = self.ws.status("again")
        self.assertEqual(job["result"]["purge"], changed)
        self.assertEqual([p for p in changed if TAGGED.search(p)], [])
        if not changed:
            self.assertNotIn("purge the cached copies", err)

    def test_a_header_value_that_could_end_its_line_is_refused(self):
        rc, _, err = self.vodctl("run", media("small"), self.ws.path("out"), *FAST,
                                 "--cache-control-media", "max-age=60\r\nX-Evil: 1")
        self.assertEqual(rc, vodtest.EX_USAGE, err)
        self.assertIn("--cache-control-media", self.assert_one_error_line(err))
        self.assertFalse(os.path.exists(self.ws.path("out", "master.m3u8")))


if __name__ == "__main__":
    unittest.main()
