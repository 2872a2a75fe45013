#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang, ASan+UBSan) in build-fuzz and runs each for
# SECONDS (default 600), VODCTL_FUZZ_JOBS (default: the number of cores) at a time, each from
# its checked-in seeds (tests/fuzz/seeds/TARGET) plus the corpus earlier runs grew
# (build-fuzz/corpus/TARGET). Prints per target its run time, executions and coverage (the
# cov: and ft: figures libFuzzer ends with); exits non-zero when any target found a crash,
# which is kept under build-fuzz/crashes/TARGET with the run's log in build-fuzz/logs.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 30 ladder playlist
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=($(ls tests/fuzz/seeds))
fi
jobs=${VODCTL_FUZZ_JOBS:-$(nproc)}
build=build-fuzz
# clang 14, Debian's default, cannot compile libstdc++ 12's std::views::split, which vodctl uses.
cxx=${VODCTL_FUZZ_CXX:-clang++-16}

command -v "$cxx" >/dev/null || { echo "fuzz.sh: $cxx is missing (scripts/install-deps.sh)" >&2; exit 1; }
CXX=$cxx cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVODCTL_FUZZ=ON \
  -DVODCTL_TESTS=OFF >/dev/null
ninja -C "$build" -j "$jobs" "${targets[@]/%/_fuzzer}"

source scripts/sanitizer-env.sh

fuzz_one() {
  local target=$1 corpus=$build/corpus/$1 crashes=$build/crashes/$1 log=$build/logs/$1.log
  mkdir -p "$corpus" "$crashes" "$build/logs"
  local start=$SECONDS status=0
  "$build/tests/fuzz/${target}_fuzzer" "$corpus" "tests/fuzz/seeds/$target" -max_total_time="$seconds" \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$crashes/" >"$log" 2>&1 || status=$?
  echo "$((SECONDS - start)) $status" >"$build/logs/$target.result"
}

rm -f "$build"/logs/*.result
running=0
for target in "${targets[@]}"; do
  if ((running >= jobs)); then
    wait -n
    running=$((running - 1))
  fi
  echo "fuzzing $target for ${seconds} s"
  fuzz_one "$target" &
  running=$((running + 1))
done
wait

failed=0
printf '%-12s %8s %12s %8s %8s %8s  %s\n' target seconds execs exec/s cov ft result
for target in "${targets[@]}"; do
  log=$build/logs/$target.log
  read -r took status <"$build/logs/$target.result"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  # The last status line ("#N DONE cov: C ft: F corp: ...") holds the final coverage.
  last=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  result=clean
  if [ "$status" != 0 ]; then
    result="FAILED (exit $status): see $log and $build/crashes/$target/"
    failed=1
  fi
  printf '%-12s %8s %12s %8s %8s %8s  %s\n' "$target" "$took" "${execs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" "$result"
done
exit "$failed"
