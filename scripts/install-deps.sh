#!/usr/bin/env bash
# Installs every Debian 12 package vodctl's build, tests and demo need. Idempotent and
# non-interactive; run as root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libcli11-dev libfmt-dev nlohmann-json3-dev libpugixml-dev libssl-dev
  libavformat-dev libavcodec-dev libavfilter-dev libswscale-dev libswresample-dev libavutil-dev
  libx264-dev libcurl4-openssl-dev libsqlite3-dev
  catch2
  ffmpeg python3 python3-boto3 sqlite3 bc
  chromium nodejs  # the player test (tests/e2e/test_player.py)
  python3-jsonschema  # vodctl.json against schemas/ (tests/e2e/test_notify.py)
  parallel iproute2  # the multi-worker test (tests/e2e/test_workers.py)
  clang-16 libclang-rt-16-dev llvm  # libFuzzer, llvm-symbolizer (scripts/fuzz.sh, test-sanitize.sh)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian's nodejs comes without npm, which is a package of its own; a nodejs built elsewhere
# (NodeSource) brings npm and conflicts with that package, so it is asked for only if absent.
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
