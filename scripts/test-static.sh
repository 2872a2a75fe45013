#!/usr/bin/env bash
# Builds the static vodctl (scripts/build-static.sh, cached in .cache/static) and the dynamic
# one (scripts/build.sh), then runs against the static binary:
#   tests/e2e/test_static.py  linkage, size, and runs alone in an empty root (chroot) with
#                             local and S3 storage, byte-identical to the dynamic build
#   the end-to-end tests listed below with VODCTL_BIN pointing at the static binary: the
#   media pipeline and the step commands. The rest run on the dynamic build only, to keep CI
#   short: they test vodctl's own logic, compiled from the same sources, and what is static-
#   only (FFmpeg and libcurl built from source, the resolver, TLS) test_static covers by
#   writing the same bytes as the dynamic build, locally and through S3
# A missing binary or prerequisite fails; nothing is skipped. Run as root.
#
# usage: scripts/test-static.sh [TEST_MODULE...]   (default: the list above)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

started=$SECONDS
bash scripts/install-deps.sh
bash scripts/build.sh
static=$(bash scripts/build-static.sh)
echo "test-static: binaries ready in $((SECONDS - started)) s: $static"

modules=("$@")
((${#modules[@]})) || modules=(test_static test_pipeline test_bad_input test_steps)

export VODCTL_TEST_MEDIA=$repo/build/test-media
export VODCTL_STATIC_BIN=$static
export VODCTL_DYNAMIC_BIN=$repo/build/vodctl
cd tests/e2e
passed=0 failed=0
for module in "${modules[@]}"; do
  echo "=== $module against $static"
  if VODCTL_BIN=$static timeout 1800 python3 -m unittest -v "$module"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "test-static: $module FAILED"
  fi
done
echo "static: $passed passed, $failed failed"
((failed == 0))
