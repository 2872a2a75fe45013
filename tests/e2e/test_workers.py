"""Three workers as if on three hosts sharing one S3 server: each has its own state folder, its
own hostname and its own network namespace (reaching S3 through a veth link of its own), and
GNU parallel hands the chunks out. The output must be byte-identical to a single-host run.
Also: concat and segment name the chunks whose results are missing.

Needs root (network namespaces), iproute2 and GNU parallel (scripts/install-deps.sh).
"""

import json
import os
import random
import shutil
import subprocess
from contextlib import contextmanager

import scale_out
from fault_proxy import FaultProxy
from scale_out import ScaleOutCase
from vodtest import EX_USAGE, VODCTL_BIN, media, run_checked

WORKERS = 3


def setUpModule():
    for tool in ("parallel", "ip", "unshare"):
        if shutil.which(tool) is None:
            raise AssertionError(f"{tool} is missing: run scripts/install-deps.sh")
    scale_out.start_s3()


def tearDownModule():
    scale_out.stop_s3()


@contextmanager
def network_namespace(index):
    """A network namespace linked to this one by a veth pair, and the S3 endpoint it reaches
    S3 by: a forwarding proxy on this side of its link (S3 listens on 127.0.0.1 only)."""
    tag = f"{os.getpid() % 10000}{index}"
    name, outside, inside = f"vodctl-w{tag}", f"vw{tag}", f"vn{tag}"
    subnet = f"10.{random.randint(100, 250)}.{random.randint(0, 255)}"
    run_checked(["ip", "netns", "add", name])
    try:
        run_checked(["ip", "link", "add", outside, "type", "veth", "peer", "name", inside])
        run_checked(["ip", "link", "set", inside, "netns", name])
        run_checked(["ip", "addr", "add", f"{subnet}.1/24", "dev", outside])
        run_checked(["ip", "link", "set", outside, "up"])
        for command in (["ip", "addr", "add", f"{subnet}.2/24", "dev", inside],
                        ["ip", "link", "set", inside, "up"], ["ip", "link", "set", "lo", "up"]):
            run_checked(["ip", "netns", "exec", name, *command])
        proxy = FaultProxy(os.environ["AWS_ENDPOINT_URL"], fault_rate=0, host=f"{subnet}.1")
        try:
            yield name, proxy
        finally:
            proxy.close()
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


class WorkersTest(ScaleOutCase):

    def worker_script(self, job, namespaces):
        """worker.sh SLOT VODCTL-ARGS...: vodctl as worker SLOT (1-3), in its namespace, with its
        hostname and state folder."""
        path = self.ws.path("worker.sh")
        cases = "".join(f"  {slot}) ns={name} endpoint={proxy.endpoint} ;;\n"
                        for slot, (name, proxy) in enumerate(namespaces, 1))
        with open(path, "w") as f:
            f.write(f"""#!/bin/bash
set -eu
slot=$1
shift
case $slot in
{cases}esac
state={self.ws.dir}/worker$slot/vodctl.db
exec ip netns exec "$ns" unshare --uts sh -c 'hostname "$0" && exec "$@"' "worker$slot" \\
  env AWS_ENDPOINT_URL="$endpoint" {VODCTL_BIN} --quiet --state "$state" "$@"
""")
        return path

    def test_three_workers_through_parallel(self):
        plan = self.split(self.ws.path("submitter", "vodctl.db"))
        job = plan["job"]
        namespaces = [self.enterContext(network_namespace(i)) for i in range(1, WORKERS + 1)]
        worker = self.worker_script(job, namespaces)
        # {%} is the job slot: each of the three runs its chunks as one worker.
        proc = subprocess.run(
            ["parallel", "--jobs", str(WORKERS), "--halt", "now,fail=1", "bash", worker, "{%}",
             "transcode-chunk", "--job", job, "--tmp", self.tmp, "--chunk", "{}", ":::",
             *map(str, range(plan["chunks"]))],
            capture_output=True, text=True, timeout=600)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for slot in range(1, WORKERS + 1):
            self.assertTrue(os.path.exists(self.ws.path(f"worker{slot}", "vodctl.db")),
                            f"worker {slot} ran no chunk")
        # Worker 2 finishes: it knows the job, and the other workers' chunks from tmp only.
        for step in (["concat", "--job", job, "--tmp", self.tmp], ["segment", "--job", job]):
            run_checked(["bash", worker, "2", *step], timeout=600)
        for slot, (_, proxy) in enumerate(namespaces, 1):
            self.assertTrue(proxy.requests, f"worker {slot} never reached S3 through its link")
        self.assert_same_as_single_host()

    def test_concat_names_the_missing_chunk(self):
        plan = self.split(self.ws.path("submitter", "vodctl.db"))
        job, missing = plan["job"], 1
        for chunk in range(plan["chunks"]):
            if chunk != missing:
                self.run_ok("transcode-chunk", "--job", job, "--tmp", self.tmp, "--chunk", chunk,
                            state=self.ws.path(f"worker{chunk}", "vodctl.db"))
        finisher = self.ws.path("finisher", "vodctl.db")
        for step in ("concat", "segment"):
            rc, out, err = self.vodctl(step, "--job", job, "--tmp", self.tmp, state=finisher,
                                       quiet=True)
            self.assertEqual(rc, EX_USAGE, err)
            line = self.assert_one_error_line(err)
            self.assertIn(f"{step} needs every chunk transcoded; missing chunk {missing} ", line)
            self.assertIn(f"{self.tmp}/{job}/results/0000{missing}.json", line)
            self.assertNotRegex(line, r"chunk [02-9]")
            self.assertEqual(out, "")
        self.assertEqual(self.s3.list(self.bucket, "out/"), {}, "nothing may be published")
        self.run_ok("transcode-chunk", "--job", job, "--tmp", self.tmp, "--chunk", missing,
                    state=self.ws.path("late-worker", "vodctl.db"))
        self.run_ok("concat", "--job", job, state=finisher)
        self.run_ok("segment", "--job", job, state=finisher)
        self.assert_same_as_single_host()

    def test_many_missing_chunks_make_one_readable_line(self):
        rc, out, err = self.vodctl("split", media("long"), "--output", self.ws.path("out"),
                                   "--json", "--preset", "ultrafast", "--chunk-duration", "2",
                                   "--segment-duration", "2", quiet=True)
        self.assertEqual(rc, 0, err)
        chunks = json.loads(out)["chunks"]
        self.assertGreater(chunks, 12)
        rc, _, err = self.vodctl("concat", "--job", json.loads(out)["job"], quiet=True)
        self.assertEqual(rc, EX_USAGE, err)
        line = self.assert_one_error_line(err)
        self.assertIn("missing chunk 0 (", line)
        self.assertIn(", chunk 9 (", line)
        self.assertNotIn("chunk 10 (", line)
        self.assertTrue(line.endswith(f" and {chunks - 10} more"), line)
