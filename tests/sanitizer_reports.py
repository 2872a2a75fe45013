#!/usr/bin/env python3
"""Runs a test command of a sanitizer build and fails it on any sanitizer report.

Usage: sanitizer_reports.py REPORT_DIR -- COMMAND...

The end-to-end tests run vodctl as a child and judge its exit code and stderr themselves; a
test that expects vodctl to fail would take an ASan abort for the expected failure. So every
vodctl it starts writes its reports to files under REPORT_DIR instead (log_path, which the
runtimes create only when there is something to report), and any such file fails the test,
whatever the test itself concluded.
"""
import glob
import os
import shutil
import subprocess
import sys


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
    reports = sorted(glob.glob(os.path.join(report_dir, "*")))
    for report in reports:
        with open(report, errors="replace") as text:
            print(f"==== sanitizer report {report}\n{text.read()}", file=sys.stderr)
    if reports:
        print(f"FAILED: {len(reports)} sanitizer report(s) in {report_dir}", file=sys.stderr)
        sys.exit(1)
    sys.exit(status)


if __name__ == "__main__":
    main()
