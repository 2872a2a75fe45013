"""What the scale-out tests (test_slurm.py, test_workers.py) share: one S3 server for the
module, a bucket per test with the source in it, and the single-host `vodctl run` whose output
every spread-out job must match byte for byte."""

import json
import os
import uuid
from contextlib import ExitStack

from test_s3 import FOREIGN_S3_VARIABLES, S3Server, environment
from vodtest import FAST, VodTestCase, Workspace, media, tree_hashes

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.normpath(os.path.join(HERE, "..", "..", "scripts"))

# Short, yet three chunks (4 s each of 10 s) and two renditions.
SOURCE = "bframes"
OPTIONS = [*FAST, "--ladder", "360p,240p"]

_server = None
_reference = None  # Workspace holding the single-host run
_teardown = ExitStack()


def start_s3():
    """Starts the module's S3 server and points vodctl (through os.environ) at it."""
    global _server, _reference
    _server = S3Server()
    _teardown.callback(_server.stop)
    _teardown.enter_context(environment(**dict.fromkeys(FOREIGN_S3_VARIABLES), **_server.env))
    _reference = Workspace(prefix="vodctl-scale-out-reference-")
    _teardown.callback(_reference.cleanup)


def stop_s3():
    _teardown.close()


def reference_hashes():
    """{path: sha256} of the output of one `vodctl run` on this host, made once."""
    output = _reference.path("out")
    if not os.path.isdir(output):
        rc, _, err = _reference.vodctl("run", media(SOURCE), output, "--tmp",
                                       _reference.path("tmp"), *OPTIONS)
        if rc != 0:
            raise AssertionError(f"the single-host vodctl run failed:\n{err}")
    return tree_hashes(output)


class ScaleOutCase(VodTestCase):
    """A bucket of its own holding the source; tmp and output go under it too."""

    def setUp(self):
        super().setUp()
        self.s3 = _server.client
        self.bucket = f"vodctl-{uuid.uuid4().hex[:12]}"
        self.s3.create_bucket(self.bucket)
        with open(media(SOURCE), "rb") as f:
            self.s3.put(self.bucket, "source.mp4", f.read())
        self.source, self.output, self.tmp = (self.url(key) for key in ("source.mp4", "out", "tmp"))

    def url(self, key):
        return f"s3://{self.bucket}/{key}"

    def assert_same_as_single_host(self):
        expected = reference_hashes()
        self.assertIn("master.m3u8", expected)
        self.assertEqual(self.s3.hashes(self.bucket, "out/"), expected,
                         "the spread-out job's output differs from the single-host run's")

    def split(self, state):
        """Splits the job on the 'submitting host' (state folder STATE): the plan as JSON."""
        rc, out, err = self.vodctl("split", self.source, "--output", self.output, "--tmp",
                                   self.tmp, "--json", *OPTIONS, state=state)
        self.assertEqual(rc, 0, err)
        plan = json.loads(out)
        self.assertGreaterEqual(plan["chunks"], 3, plan)
        self.assertEqual(plan["tmp"], f"{self.tmp}/{plan['job']}")
        self.assertEqual(plan["output"], self.output)
        return plan
