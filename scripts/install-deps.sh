#!/usr/bin/env bash
# Installs the Debian 12 packages vodctl needs. Idempotent and non-interactive; run as root.
#   install-deps.sh          everything: the build, the demo and the whole test suite
#   install-deps.sh --demo   only the build and the demo (scripts/demo.sh): a new user sees
#                            HLS without first installing a browser and a second compiler
set -euo pipefail

# The build and the demo: a compiler, the libraries, and the ffmpeg program that makes the
# demo's sample video (vodctl itself never runs it).
packages=(
  build-essential cmake ninja-build pkg-config
  libcli11-dev libfmt-dev nlohmann-json3-dev libpugixml-dev libssl-dev
  libavformat-dev libavcodec-dev libavfilter-dev libswscale-dev libswresample-dev libavutil-dev
  libx264-dev libcurl4-openssl-dev libsqlite3-dev zlib1g-dev  # zlib: gzip-compressed playlists
  catch2 python3  # the build makes the unit tests and registers the end-to-end ones
  ffmpeg
)
if [ "${1:-}" != --demo ]; then
  packages+=(
    python3-boto3 sqlite3 bc  # the end-to-end tests' S3 client and tools
    chromium nodejs  # the player test (tests/e2e/test_player.py)
    python3-jsonschema  # vodctl.json against schemas/ (tests/e2e/test_notify.py)
    parallel iproute2  # the multi-worker test (tests/e2e/test_workers.py)
    clang-16 libclang-rt-16-dev llvm  # libFuzzer, llvm-symbolizer (scripts/fuzz.sh, test-sanitize.sh)
  )
  # Debian's nodejs comes without npm, which is a package of its own; a nodejs built
  # elsewhere (NodeSource) brings npm and conflicts with that package, so it is asked for
  # only if absent.
  command -v npm >/dev/null || packages+=(npm)
fi
exec bash "$(dirname "$0")/install-missing.sh" "${packages[@]}"
