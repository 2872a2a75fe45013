#!/usr/bin/env bash
# Benchmarks, each reported as a ratio against a reference measured in the same run.
#
#   single, ladder, steps, s3: speed against the ffmpeg command line and curl on the same
#   job and machine (scripts/bench_speed.py: medians of interleaved pairs, every command
#   printed with its figures).
#   kill-loss: the work lost to a kill -9. CPU time of (interrupted run + resume) divided by
#   the CPU time of an uninterrupted run, averaged over kill points spread across the job.
#   1.00 would mean a kill loses nothing; the chunk in flight is what is lost.
#
# Usage: scripts/bench.sh [CASE...] [--pairs N] [--seconds N] [--kills K] [--content A,B]
#   CASE: single ladder steps s3 kill-loss (default: all). --content A,B,... picks the content
#   classes of single and ladder (default: all five; see bench_speed.py). Needs a built build/vodctl
#   (scripts/build.sh); VODCTL=path overrides it.
set -euo pipefail
cd "$(dirname "$0")/.."

cases=()
pairs=3
seconds=
kills=4
content=
while (($#)); do
  case "$1" in
    --pairs) pairs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --kills) kills=$2; shift 2 ;;
    --content) content=$2; shift 2 ;;
    single|ladder|steps|s3|kill-loss) cases+=("$1"); shift ;;
    *) echo "usage: $0 [single|ladder|steps|s3|kill-loss]... [--pairs N] [--seconds N] [--kills K] [--content A,B]" >&2
       exit 64 ;;
  esac
done
((${#cases[@]})) || cases=(single ladder steps s3 kill-loss)

vodctl=${VODCTL:-$(pwd)/build/vodctl}
[ -x "$vodctl" ] || { echo "bench: build vodctl first (scripts/build.sh)" >&2; exit 69; }

speed_cases=()
for c in "${cases[@]}"; do [ "$c" = kill-loss ] || speed_cases+=("$c"); done
if ((${#speed_cases[@]})); then
  python3 scripts/bench_speed.py "${speed_cases[@]}" --pairs "$pairs" --vodctl "$vodctl" \
    --storage-bench "$(dirname "$vodctl")/tests/vodctl_storage_bench" ${seconds:+--seconds "$seconds"} \
    ${content:+--content "$content"}
fi
[[ " ${cases[*]} " == *" kill-loss "* ]] || exit 0
seconds=${seconds:-40}

echo
work=$(mktemp -d /tmp/vodctl-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
job_options=(--chunk-duration 8 --segment-duration 4 --preset veryfast --job bench)

# Test media only: vodctl itself never runs the ffmpeg program.
ffmpeg -v error -f lavfi -i "testsrc2=size=1280x720:rate=30" -f lavfi -i "sine=frequency=440" \
  -t "$seconds" -c:v libx264 -preset ultrafast -g 60 -c:a aac -shortest "$work/source.mp4"

tree_digest() { (cd "$1" && find . -type f | sort | xargs sha256sum | sha256sum); }

# CPU seconds (user + system, all threads) a process has used so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }

# Runs vodctl to the end; prints its CPU seconds and wall seconds.
run_measured() {
  local start end
  start=$(date +%s.%N)
  "$vodctl" -q "$@" >/dev/null & local pid=$!
  local cpu=0
  while kill -0 "$pid" 2>/dev/null; do cpu=$(cpu_of "$pid" 2>/dev/null || echo "$cpu"); sleep 0.05; done
  wait "$pid"
  end=$(date +%s.%N)
  echo "$cpu $(echo "$end - $start" | bc)"
}

echo "kill-loss: ${seconds}s 720p30 source, ${kills} kill points"
read -r reference_cpu reference_wall < <(run_measured --state "$work/ref.db" run "$work/source.mp4" "$work/ref-out" "${job_options[@]}")
printf 'reference (uninterrupted): %.1f s CPU, %.1f s wall\n' "$reference_cpu" "$reference_wall"

total_ratio=0
for ((k = 1; k <= kills; k++)); do
  at=$(echo "$reference_wall * $k / ($kills + 1)" | bc -l)
  trial=$work/trial-$k
  mkdir -p "$trial"
  "$vodctl" -q --state "$trial/state.db" run "$work/source.mp4" "$trial/out" "${job_options[@]}" >/dev/null &
  pid=$!
  sleep "$at"
  killed_cpu=$(cpu_of "$pid")
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  read -r resume_cpu _ < <(run_measured --state "$trial/state.db" resume --job bench)
  [ "$(tree_digest "$work/ref-out")" = "$(tree_digest "$trial/out")" ] ||
    { echo "bench: resumed output differs from the uninterrupted run" >&2; exit 1; }
  rm -rf "$trial"
  ratio=$(echo "($killed_cpu + $resume_cpu) / $reference_cpu" | bc -l)
  total_ratio=$(echo "$total_ratio + $ratio" | bc -l)
  printf 'kill at %4.1f s: %.1f s CPU before the kill + %.1f s to resume = %.3f x reference\n' \
    "$at" "$killed_cpu" "$resume_cpu" "$ratio"
done
printf 'kill-loss ratio (mean over %d kills): %.3f\n' "$kills" "$(echo "$total_ratio / $kills" | bc -l)"
