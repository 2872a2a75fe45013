"""A job spread over a real Slurm cluster: split, an array task per chunk, then concat and
segment in a dependent job; tmp and output on the real S3 server (scripts/s3-server.sh).

scripts/slurm-cluster.sh installs Debian's slurmctld, slurmd and munge when they are missing
and starts a single-node cluster on 127.0.0.1; a missing prerequisite fails the tests. Each
task runs with a throwaway state database (scripts/examples/slurm.sh, the example the README
shows), so it knows the job only from the plan split mirrored into tmp, as on another host.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time

import scale_out
from scale_out import SCRIPTS, ScaleOutCase
from test_s3 import environment
from vodtest import KEEP_WORKDIRS, VODCTL_BIN

CLUSTER_SCRIPT = os.path.join(SCRIPTS, "slurm-cluster.sh")
EXAMPLE = os.path.join(SCRIPTS, "examples", "slurm.sh")

_cluster_dir = None


def setUpModule():
    global _cluster_dir
    _cluster_dir = tempfile.mkdtemp(prefix="vodctl-slurm-")
    proc = subprocess.run(["bash", CLUSTER_SCRIPT, "start", _cluster_dir], capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0:
        raise AssertionError(f"{CLUSTER_SCRIPT} start failed ({proc.returncode}):\n{proc.stderr}")
    os.environ["SLURM_CONF"] = proc.stdout.strip().removeprefix("export SLURM_CONF=")
    scale_out.start_s3()


def tearDownModule():
    scale_out.stop_s3()
    if _cluster_dir is not None:
        subprocess.run(["bash", CLUSTER_SCRIPT, "stop", _cluster_dir], capture_output=True,
                       timeout=120)
        if KEEP_WORKDIRS:
            print(f"kept {_cluster_dir}")
        else:
            shutil.rmtree(_cluster_dir, ignore_errors=True)


def slurm(*argv, timeout=120):
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr}")
    return proc.stdout.strip()


def job_fields(job_id):
    """scontrol's record of a job (kept for MinJobAge after it ends) as a dict."""
    return dict(re.findall(r"(\w+)=(\S*)", slurm("scontrol", "show", "job", "-o", job_id)))


def wait_until(what, predicate, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class SlurmTest(ScaleOutCase):

    def setUp(self):
        super().setUp()
        self.enterContext(environment(VODCTL=VODCTL_BIN, VODCTL_STATE=None))  # sbatch passes it on
        self.logs = self.ws.path("slurm-logs")
        os.makedirs(self.logs)

    def sbatch(self, *argv):
        """Submits (and with --wait, waits); the Slurm job ID. Task output goes to self.logs."""
        return slurm("sbatch", "--parsable", f"--output={self.logs}/%x-%A_%a.out", *argv,
                     timeout=600)

    def log_text(self):
        text = ""
        for name in sorted(os.listdir(self.logs)):
            with open(os.path.join(self.logs, name)) as f:
                text += f.read()
        return text

    def test_example_script_runs_the_whole_job(self):
        # split here, `sbatch --array` of transcode-chunk, a dependent concat+segment job.
        env = dict(os.environ, VODCTL_STATE=self.ws.state,
                   SBATCH_OPTIONS=f"--output={self.logs}/%x-%A_%a.out")
        proc = subprocess.run(["bash", EXAMPLE, self.source, self.output, self.tmp,
                               *scale_out.OPTIONS], capture_output=True, text=True, env=env,
                              timeout=600, cwd=self.ws.dir)
        self.assertEqual(proc.returncode, 0, f"{proc.stderr}\n{self.log_text()}")
        self.assertRegex(proc.stderr, r"job '\S+': 3 chunks in Slurm array \d+")
        self.assert_same_as_single_host()

    def test_cancelled_chunk_task_requeued_finishes_the_job(self):
        plan = self.split(self.ws.state)
        job, chunks = plan["job"], plan["chunks"]
        victim = 1
        frozen = self.ws.path("frozen")
        # The first attempt of the victim's task freezes vodctl once it has taken the job over
        # (its log line says so, in the task's own Slurm output), so that the test cancels it
        # mid-chunk. A fixed sleep lost that race when a chunk took under a second. Every other
        # attempt is the example's own task.
        task = self.ws.path("task.sh")
        with open(task, "w") as f:
            f.write(f"""#!/bin/bash
if [ "$SLURM_ARRAY_TASK_ID" = {victim} ] && [ "${{SLURM_RESTART_COUNT:-0}}" = 0 ]; then
  "$VODCTL" --state "$(mktemp -d)/vodctl.db" transcode-chunk --job {job} --tmp {self.tmp} \\
    --chunk {victim} &
  vodctl=$!
  # scancel's SIGTERM reaches this shell too: it waits for vodctl to say it stopped rather
  # than ending the task first, which would have Slurm kill vodctl before it could.
  trap 'kill -CONT $vodctl 2>/dev/null; wait $vodctl; exit 143' TERM
  log={self.logs}/chunks-${{SLURM_ARRAY_JOB_ID}}_${{SLURM_ARRAY_TASK_ID}}.out
  until grep -q "taken over from" "$log" || ! kill -0 $vodctl 2>/dev/null; do sleep 0.005; done
  kill -STOP $vodctl
  touch {frozen}
  wait $vodctl
fi
exec bash {EXAMPLE} chunk {job} {self.tmp}
""")
        array = self.sbatch("--job-name=chunks", f"--array=0-{chunks - 1}", task)
        finish = self.sbatch("--job-name=finish", f"--dependency=afterok:{array}",
                             "--kill-on-invalid-dep=yes", EXAMPLE, "finish", job, self.tmp)
        wait_until("the victim task to freeze", lambda: os.path.exists(frozen))
        element = f"{array}_{victim}"
        slurm("scancel", element)
        # CANCELLED, or FAILED when vodctl's own exit (75, stopped by SIGTERM) is seen first.
        wait_until("the cancelled task to end",
                   lambda: job_fields(element)["JobState"] in ("CANCELLED", "FAILED"))
        # vodctl was at work, and says so as it stops.
        wait_until("vodctl to say it stopped", lambda: "stopped (SIGTERM)" in self.log_text(),
                   timeout=30)
        # An afterok on an array with a cancelled element can never be met: Slurm kills the
        # dependent job. The requeued element is then what the resubmitted finish waits for.
        wait_until("the finish job to be killed",
                   lambda: job_fields(finish)["JobState"] == "CANCELLED")
        slurm("scontrol", "requeue", element)
        # A requeued job waits out the credential expiry (BeginTime); start it at once.
        def started_again():
            fields = job_fields(element)
            if fields["JobState"] == "PENDING" and fields["Reason"] == "BeginTime":
                slurm("scontrol", "update", f"JobId={element}", "StartTime=now")
            return fields["JobState"] not in ("PENDING", "CANCELLED")
        wait_until("the requeued task to start", started_again)
        others = ":".join(f"{array}_{i}" for i in range(chunks))
        finish = self.sbatch("--job-name=finish", f"--dependency=afterok:{others}",
                             "--kill-on-invalid-dep=yes", "--wait", EXAMPLE, "finish", job,
                             self.tmp)
        fields = job_fields(finish)
        self.assertEqual((fields["JobState"], fields["ExitCode"]), ("COMPLETED", "0:0"),
                         self.log_text())
        self.assertEqual(job_fields(element)["Restarts"], "1")
        self.assert_same_as_single_host()
