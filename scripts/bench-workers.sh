#!/usr/bin/env bash
# Throughput of one job spread over 1, 2 and 3 workers sharing one S3 server for tmp (the
# loopback set-up of tests/e2e/test_workers.py, without the network namespaces; the output is
# a local folder, to compare): split once per run,
# the chunks handed out by GNU parallel to W workers with a state database each, then concat
# and segment by one of them. Prints, per W, the wall time of the whole job and of the chunk
# phase, and the job's throughput in source seconds per wall second; checks every run's
# output is byte-identical to the 1-worker run.
#
# Usage: scripts/bench-workers.sh [--seconds N] [--workers "1 2 3"]
#   Needs a built vodctl (build/vodctl, or VODCTL=path), GNU parallel and the S3 server's
#   packages (scripts/s3-server.sh installs them as root).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=30
workers_list="1 2 3"
while (($#)); do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --workers) workers_list=$2; shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--workers \"1 2 3\"]" >&2; exit 64 ;;
  esac
done

vodctl=${VODCTL:-$(pwd)/build/vodctl}
[ -x "$vodctl" ] || { echo "bench-workers: build vodctl first (scripts/build.sh)" >&2; exit 69; }
command -v parallel >/dev/null || { echo "bench-workers: GNU parallel is missing" >&2; exit 69; }

work=$(mktemp -d /tmp/vodctl-bench-workers.XXXXXX)
cleanup() { bash scripts/s3-server.sh stop "$work/s3" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/s3"
eval "$(bash scripts/s3-server.sh start "$work/s3" "$port")"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_ENDPOINT_URL
# Debian's boto3 makes the bucket (vodctl never creates buckets).
/usr/bin/python3 -c "import boto3, os; from botocore.config import Config
boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1',
             config=Config(s3={'addressing_style': 'path'})).create_bucket(Bucket='bench')"

# Test media only: vodctl itself never runs the ffmpeg program.
ffmpeg -v error -f lavfi -i "testsrc2=size=1280x720:rate=30" -f lavfi -i "sine=frequency=440" \
  -t "$seconds" -c:v libx264 -preset ultrafast -g 60 -c:a aac -shortest "$work/source.mp4"
job_options=(--chunk-duration 4 --segment-duration 4 --preset veryfast --ladder 720p,360p
             --job bench)

now() { date +%s.%N; }

echo "bench-workers: ${seconds}s 720p30 source, chunks of 4 s, ladder 720p,360p, veryfast;" \
  "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
reference=
for w in $workers_list; do
  run=$work/run-$w
  mkdir -p "$run"
  tmp=s3://bench/tmp-$w  # what the workers share; each worker's state stays its own
  "$vodctl" -q --state "$run/submitter.db" split "$work/source.mp4" --output "$run/out" \
    --tmp "$tmp" "${job_options[@]}" --json > "$run/plan.json"
  start=$(now)
  chunks=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["chunks"])' < "$run/plan.json")
  # Each slot ({%}) is one worker with its own state, taking the job over from tmp.
  seq 0 $((chunks - 1)) | parallel --will-cite --jobs "$w" --halt now,fail=1 \
    "$vodctl" -q --state "$run/worker{%}.db" transcode-chunk --job bench --tmp "$tmp" --chunk {} \
    >/dev/null
  chunks_done=$(now)
  "$vodctl" -q --state "$run/worker1.db" concat --job bench --tmp "$tmp"
  "$vodctl" -q --state "$run/worker1.db" segment --job bench
  end=$(now)
  digest=$(cd "$run/out" && find . -type f | sort | xargs sha256sum | sha256sum)
  : "${reference:=$digest}"
  [ "$digest" = "$reference" ] || { echo "bench-workers: $w workers' output differs" >&2; exit 1; }
  printf '%d worker(s): %d chunks in %.1f s, whole job %.1f s after split: %.2f x realtime (load %s)\n' \
    "$w" "$chunks" "$(echo "$chunks_done - $start" | bc)" "$(echo "$end - $start" | bc)" \
    "$(echo "$seconds / ($end - $start)" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"
  rm -rf "$run"
done
