#!/usr/bin/env bash
# Installs what is needed, builds, makes a 30 s sample video and turns it into HLS with the
# embedded defaults (local folders, SQLite state in ~/.local/state/vodctl).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --demo
bash scripts/build.sh
mkdir -p demo
if [ ! -s demo/sample.mp4 ]; then
  # Test media only: vodctl itself never runs the ffmpeg program.
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 30 \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest demo/sample.mp4
fi
./build/vodctl run demo/sample.mp4 demo/hls
echo "HLS written to $(pwd)/demo/hls/master.m3u8"
