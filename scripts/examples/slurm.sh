#!/usr/bin/env bash
# One video through Slurm: split on this host, one array task per chunk on any node, then
# concat and segment in a job that starts when every chunk task has succeeded. All nodes must
# reach the job's tmp (an s3:// prefix, or a shared folder); each task keeps its state in a
# throwaway database and takes the job over from the plan that split mirrored into tmp.
#
# usage: slurm.sh SOURCE OUTPUT TMP [job options...]   submits, waits, exits as the job did
#        (slurm.sh chunk JOB TMP and slurm.sh finish JOB TMP are the tasks it submits)
# env:   VODCTL (default: vodctl on PATH), SBATCH_OPTIONS (e.g. "--partition=video"),
#        VODCTL_STATE for split's state; S3 settings (AWS_*) reach the tasks, as sbatch
#        passes the environment on.
set -euo pipefail

vodctl=${VODCTL:-vodctl}

# A task's own state database: nothing survives the task but what it stored in tmp.
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT

case "${1:-}" in
  chunk)  # an array task: chunk number SLURM_ARRAY_TASK_ID
    "$vodctl" --state "$state/vodctl.db" transcode-chunk --job "$2" --tmp "$3" \
      --chunk "$SLURM_ARRAY_TASK_ID"
    ;;
  finish)  # after every chunk: concat (and the audio) and segment, on one node
    "$vodctl" --state "$state/vodctl.db" concat --job "$2" --tmp "$3"
    "$vodctl" --state "$state/vodctl.db" segment --job "$2"
    ;;
  "" | -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    ;;
  *)
    [ $# -ge 3 ] || { echo "usage: slurm.sh SOURCE OUTPUT TMP [job options...]" >&2; exit 64; }
    source=$1 output=$2 tmp=$3
    shift 3
    plan=$("$vodctl" split "$source" --output "$output" --tmp "$tmp" --json "$@")
    read -r job chunks < <(python3 -c \
      'import json, sys; p = json.loads(sys.argv[1]); print(p["job"], p["chunks"])' "$plan")
    # shellcheck disable=SC2086 # SBATCH_OPTIONS holds several options
    array=$(sbatch --parsable ${SBATCH_OPTIONS:-} --job-name="vodctl-$job" \
      --array="0-$((chunks - 1))" "$0" chunk "$job" "$tmp")
    echo "job '$job': $chunks chunks in Slurm array $array" >&2
    # shellcheck disable=SC2086
    sbatch --wait --parsable ${SBATCH_OPTIONS:-} --job-name="vodctl-$job-finish" \
      --dependency="afterok:$array" --kill-on-invalid-dep=yes "$0" finish "$job" "$tmp"
    ;;
esac
