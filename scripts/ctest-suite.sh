#!/usr/bin/env bash
# Runs the ctest suite of BUILD_DIR: every test but the player's two at a time, then the
# player's alone with one second try. It watches real-time playback in Chromium, and once in
# several clean runs a seek planned from what was buffered found it buffered a moment later
# (a check that passed on the same build right after); a broken player fails both tries, and
# ctest prints each try it made.
#   scripts/ctest-suite.sh BUILD_DIR TIMEOUT_SECONDS [CTEST_ARGS...]   (with CTEST_ARGS, one
#   plain ctest run of what they select)
set -euo pipefail
build=$1 timeout=$2
shift 2
status=0
if (($#)); then  # the caller picks the tests
  (cd "$build" && ctest --output-on-failure --timeout "$timeout" -j "$(nproc)" "$@") || status=$?
  exit "$status"
fi
player='^e2e\.test_player$'
(cd "$build" && ctest --output-on-failure --timeout "$timeout" -j "$(nproc)" -E "$player") ||
  status=$?
(cd "$build" && ctest --output-on-failure --timeout "$timeout" -R "$player" \
  --repeat until-pass:2) || status=$?
exit "$status"
