"""The static vodctl (scripts/build-static.sh): one file that runs alone.

* `file` says it is statically linked, `ldd` that it is not a dynamic executable, and it is
  under 40 MB stripped.
* Copied alone into an empty root (only /tmp and /dev/null) and run there with chroot and an
  empty environment, it turns local sources of several kinds into HLS, and its output is
  byte-identical to the dynamic build's for the same jobs.
* In that root it talks to the S3 server on 127.0.0.1, reached as `127.0.0.1` and as
  `localhost` (no /etc/hosts there: c-ares, not glibc's NSS, resolves it).

VODCTL_STATIC_BIN names the static binary (default: build-static/vodctl), VODCTL_DYNAMIC_BIN
the dynamic one it is compared with (default: VODCTL_BIN, else build/vodctl). Needs root for
chroot. A missing binary or prerequisite fails the tests, it never skips them.
"""

import os
import shutil
import stat
import subprocess
import tempfile
import unittest
import uuid

from test_s3 import S3Server
from vodtest import (FAST, HERE, KEEP_WORKDIRS, VodTestCase, media, run_checked, tree_hashes)

REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
STATIC_BIN = os.environ.get("VODCTL_STATIC_BIN") or os.path.join(REPO, "build-static", "vodctl")
DYNAMIC_BIN = (os.environ.get("VODCTL_DYNAMIC_BIN") or os.environ.get("VODCTL_BIN") or
               os.path.join(REPO, "build", "vodctl"))

OPTIONS = [*FAST, "--ladder", "360p,240p"]

# Sources of other kinds than the x264/AAC MP4 the other tests use, so that the static build's
# demuxers and decoders are exercised and compared too (test media only, made by the ffmpeg CLI).
EXTRA_SOURCES = {
    "vp9-opus.webm": ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                      "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000",
                      "-t", "4", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
                      "-g", "25", "-b:v", "300k", "-c:a", "libopus", "-b:a", "64k"],
    "mpeg2-mp2.ts": ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                     "-f", "lavfi", "-i", "sine=frequency=550:sample_rate=48000",
                     "-t", "4", "-c:v", "mpeg2video", "-g", "25", "-q:v", "5",
                     "-c:a", "mp2", "-b:a", "128k"],
    "mpeg4-pcm.mov": ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                      "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100",
                      "-t", "4", "-c:v", "mpeg4", "-g", "25", "-q:v", "5",
                      "-c:a", "pcm_s16le"],
}


def require_binary(path, what):
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise AssertionError(f"{what} {path} is not an executable file: run "
                             f"scripts/build-static.sh (static) or scripts/build.sh (dynamic)")


class EmptyRoot:
    """A folder holding only vodctl, tmp/ and dev/null, where the static binary runs under
    chroot with only the environment it is given."""

    def __init__(self, binary):
        if os.geteuid() != 0:
            raise AssertionError("the empty-root tests need root (chroot)")
        self.dir = tempfile.mkdtemp(prefix="vodctl-static-root-")
        os.chmod(self.dir, 0o755)
        os.makedirs(self.path("tmp"))
        os.chmod(self.path("tmp"), 0o1777)
        os.makedirs(self.path("dev"))
        shutil.copy2(binary, self.path("vodctl"))
        # /dev/null as a device node where that is allowed, else bound to the host's in a
        # mount namespace of vodctl's own.
        try:
            os.mknod(self.path("dev", "null"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            os.chmod(self.path("dev", "null"), 0o666)
            self.bind_null = False
        except OSError:
            open(self.path("dev", "null"), "w").close()
            self.bind_null = True

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def contents(self):
        """Every top-level entry of the root."""
        return sorted(os.listdir(self.dir))

    def vodctl(self, *args, env=None, timeout=600):
        """(rc, stdout, stderr) of /vodctl ARGS in the root, with exactly ENV."""
        argv = ["/vodctl", *map(str, args)]
        # Found on this host's PATH: vodctl's environment has none.
        chroot = shutil.which("chroot") or "/usr/sbin/chroot"
        if self.bind_null:
            command = [shutil.which("unshare") or "/usr/bin/unshare", "--mount",
                       "--propagation", "private", "/bin/sh", "-c",
                       '/bin/mount --bind /dev/null "$1/dev/null" && exec "$0" "$@"',
                       chroot, self.dir, *argv]
        else:
            command = [chroot, self.dir, *argv]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env=dict(env or {}), stdin=subprocess.DEVNULL)
        return proc.returncode, proc.stdout, proc.stderr

    def cleanup(self):
        if KEEP_WORKDIRS:
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


class StaticBinaryTest(VodTestCase):

    def setUp(self):
        super().setUp()
        require_binary(STATIC_BIN, "VODCTL_STATIC_BIN")

    def test_statically_linked_and_small(self):
        description = run_checked(["file", "-L", STATIC_BIN]).decode()
        self.assertIn("statically linked", description)
        proc = subprocess.run(["ldd", STATIC_BIN], capture_output=True, text=True)
        self.assertIn("not a dynamic executable", proc.stdout + proc.stderr)
        stripped = self.ws.path("vodctl.stripped")
        run_checked(["strip", "-o", stripped, STATIC_BIN])
        size = os.path.getsize(stripped)
        print(f"static vodctl: {size} bytes stripped ({size / 1e6:.1f} MB)")
        self.assertLess(size, 40 * 1000 * 1000, "the stripped static binary must be under 40 MB")


class EmptyRootTest(VodTestCase):
    """The static binary alone in an empty root, against the dynamic build."""

    def setUp(self):
        super().setUp()
        require_binary(STATIC_BIN, "VODCTL_STATIC_BIN")
        require_binary(DYNAMIC_BIN, "VODCTL_DYNAMIC_BIN")
        self.root = EmptyRoot(STATIC_BIN)
        self.addCleanup(self.root.cleanup)

    def dynamic_run(self, source, job, *options):
        """The output tree of the dynamic build's run of JOB."""
        output = self.ws.path("dynamic", job)
        proc = subprocess.run(
            [DYNAMIC_BIN, "--quiet", "--state", self.ws.path("dynamic.db"), "run", source,
             output, "--job", job, "--tmp", self.ws.path("dynamic-tmp"), *options],
            capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
        self.assertEqual(proc.returncode, 0, f"dynamic vodctl failed:\n{proc.stderr}")
        return tree_hashes(output)

    def static_run(self, source, job, *options, output=None, env=None):
        """Runs JOB with the static binary in the root; returns its output tree if local."""
        name = os.path.basename(source)
        if not os.path.exists(self.root.path("tmp", name)):
            shutil.copyfile(source, self.root.path("tmp", name))
        local = output is None
        output = output or f"/tmp/out/{job}"
        rc, out, err = self.root.vodctl("--quiet", "--state", "/tmp/state.db", "run",
                                        f"/tmp/{name}", output, "--job", job, *options,
                                        env=env)
        self.assertEqual(rc, 0, f"static vodctl in the empty root failed:\n{err}")
        self.assertEqual(err, "")
        self.assertEqual(out.strip(), f"{output}/master.m3u8")
        self.assertEqual(self.root.contents(), ["dev", "tmp", "vodctl"],
                         "the root holds only vodctl, /tmp and /dev")
        return tree_hashes(self.root.path(output.lstrip("/"))) if local else None

    def extra_source(self, name):
        path = self.ws.path(name)
        run_checked(["ffmpeg", "-v", "error", "-nostdin", "-y", *EXTRA_SOURCES[name], path])
        return path

    def test_version_runs_in_an_empty_root(self):
        rc, out, err = self.root.vodctl("--version")
        self.assertEqual(rc, 0, err)
        self.assertIn("vodctl", out + err)

    def test_local_jobs_are_byte_identical_to_the_dynamic_build(self):
        jobs = [
            ("small-fmp4", media("small"), OPTIONS),
            ("small-ts", media("small"), [*OPTIONS, "--format", "ts"]),
            # The default preset and ladder (up to the source's 720p), B-frames.
            ("main720-default", media("main720"), ["--segment-duration", "4"]),
            ("anamorphic", media("anamorphic"), [*FAST, "--ladder", "576p,288p"]),
            ("noaudio", media("noaudio"), OPTIONS),
        ]
        jobs += [(name.replace(".", "-"), self.extra_source(name), [*FAST, "--ladder", "240p"])
                 for name in EXTRA_SOURCES]
        for job, source, options in jobs:
            with self.subTest(job=job):
                static = self.static_run(source, job, *options)
                self.assertIn("master.m3u8", static)
                self.assertEqual(static, self.dynamic_run(source, job, *options),
                                 f"{job}: the static build's output differs from the dynamic "
                                 f"build's")

    def test_s3_by_address_and_by_localhost(self):
        server = S3Server()
        self.addCleanup(server.stop)
        port = server.endpoint.rsplit(":", 1)[1]
        source = media("small")
        expected = self.dynamic_run(source, "s3-reference", *OPTIONS)
        for host in ("127.0.0.1", "localhost"):
            with self.subTest(host=host):
                bucket = f"vodctl-static-{uuid.uuid4().hex[:8]}"
                server.client.create_bucket(bucket)
                with open(source, "rb") as f:
                    server.client.put(bucket, "src/small.mp4", f.read())
                env = {**server.env, "AWS_ENDPOINT_URL": f"http://{host}:{port}"}
                # Source, output and intermediate files all on S3; then a local source.
                self.static_run(source, f"s3-{host}", *OPTIONS, "--tmp", f"s3://{bucket}/tmp",
                                output=f"s3://{bucket}/out", env=env)
                self.assertEqual(server.client.hashes(bucket, "out/"), expected)
                rc, out, err = self.root.vodctl(
                    "--quiet", "--state", "/tmp/state.db", "run", f"s3://{bucket}/src/small.mp4",
                    f"s3://{bucket}/out2", "--tmp", f"s3://{bucket}/tmp2", "--job",
                    f"s3-source-{host}", *OPTIONS, env=env)
                self.assertEqual(rc, 0, f"static vodctl with an S3 source failed:\n{err}")
                self.assertEqual(server.client.hashes(bucket, "out2/"), expected)
                self.assertEqual(server.client.list(bucket, "tmp/"), {})


if __name__ == "__main__":
    unittest.main()
