#!/usr/bin/env bash
# Installs what is needed, builds, and runs the whole test suite (unit and end-to-end), then
# the static binary's tests (scripts/test-static.sh; VODCTL_STATIC_TESTS=0 leaves them out),
# the whole suite again under ASan+UBSan (scripts/test-sanitize.sh; VODCTL_SANITIZE_TESTS=0
# leaves it out) and a short run of every fuzz target (scripts/fuzz.sh;
# VODCTL_FUZZ_SECONDS per target, default 20; VODCTL_FUZZ_TESTS=0 leaves it out).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
status=0
# Two tests at a time keep both cores of a CI machine busy: most of a test is waiting on one
# vodctl or a server.
bash scripts/ctest-suite.sh build 900 "$@" || status=$?
echo "test: main suite done at $SECONDS s"
if [ "${VODCTL_STATIC_TESTS:-1}" != 0 ]; then
  bash scripts/test-static.sh || status=$?
  echo "test: static tests done at $SECONDS s"
fi
if [ "${VODCTL_SANITIZE_TESTS:-1}" != 0 ]; then
  bash scripts/test-sanitize.sh || status=$?
  echo "test: sanitizer suite done at $SECONDS s"
fi
if [ "${VODCTL_FUZZ_TESTS:-1}" != 0 ]; then
  bash scripts/fuzz.sh "${VODCTL_FUZZ_SECONDS:-20}" || status=$?
fi
exit "$status"
