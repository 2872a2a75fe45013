#!/usr/bin/env bash
# Builds vodctl, its unit tests and its CLI with AddressSanitizer and UndefinedBehaviorSanitizer
# (-DVODCTL_SANITIZE=address,undefined) in build-asan and runs the whole ctest suite there: any
# sanitizer report, leaks included, fails the test that caused it (see
# tests/sanitizer_reports.py and src/util/sanitizer_options.cc). Extra arguments go to ctest.
#   scripts/test-sanitize.sh [CTEST_ARGS...]     e.g. scripts/test-sanitize.sh -R e2e.test_s3
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sanitizer-env.sh
started=$SECONDS
# -O1 and line tables only, as the sanitizers' documentation advises: reports still name file
# and line, and the build takes half the time of -O2 -g (about 6 minutes against 11.5 on 2 cores).
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DVODCTL_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j "$(nproc)"
echo "test-sanitize: built in $((SECONDS - started)) s"
status=0
bash scripts/ctest-suite.sh build-asan 1800 "$@" || status=$?
echo "test-sanitize: done in $((SECONDS - started)) s"
exit "$status"
