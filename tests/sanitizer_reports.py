#!/usr/bin/env python3
"""Runs a test command of a sanitizer build and fails it on any sanitizer report.

Usage: sanitizer_reports.py REPORT_DIR -- COMMAND...

The end-to-end tests run vodctl as a child and judge its exit code and stderr themselves; a
test that expects vodctl to fail would take an ASan abort for the expected failure. So every
vodctl it starts writes its reports to files under REPORT_DIR instead (log_path, which the
runtimes create only when there is something to report), and any such file fails the test,
whatever the test itself concluded.

One line is not a finding: LeakSanitizer's "Unable to get registers from thread N" comes from
its exit-time leak check when the process dies under it, which the crash tests do on purpose
with SIGKILL at random moments. Those lines are dropped; anything else in a report fails.
"""
import glob
import os
import re
import shutil
import subprocess
import sys


PROCESS_KILLED_DURING_LEAK_CHECK = re.compile(r"^==\d+==Unable to get registers from thread \d+\.\n?", re.M)


def findings(report):
    """The report's text without the lines that are not findings; empty if none is left."""
    with open(report, errors="replace") as text:
        return PROCESS_KILLED_DURING_LEAK_CHECK.sub("", text.read()).strip()


def with_option(env, variable, option):
    env[variable] = ":".join(filter(None, [env.get(variable, ""), option]))


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    report_dir, command = sys.argv[1], sys.argv[3:]
    shutil.rmtree(report_dir, ignore_errors=True)
    os.makedirs(report_dir)
    env = dict(os.environ)
    for variable in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        with_option(env, variable, "log_path=" + os.path.join(report_dir, "report"))
    status = subprocess.run(command, env=env).returncode
    reports = []
    for report in sorted(glob.glob(os.path.join(report_dir, "*"))):
        text = findings(report)
        if text:
            reports.append(report)
            print(f"==== sanitizer report {report}\n{text}", file=sys.stderr)
        else:
            print(f"ignored {report}: a process killed during its leak check", file=sys.stderr)
    if reports:
        print(f"FAILED: {len(reports)} sanitizer report(s) in {report_dir}", file=sys.stderr)
        sys.exit(1)
    sys.exit(status)


if __name__ == "__main__":
    main()
