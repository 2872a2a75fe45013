#!/usr/bin/env bash
# One video over plain SSH hosts with GNU parallel: split here, the chunks handed out to the
# hosts (as many at once on each as it has cores), then concat and segment here. Every host
# needs vodctl and the S3 settings (AWS_* are passed along); each keeps its own state database
# (the default one, or VODCTL_STATE there) and takes the job over from the plan in tmp.
#
# usage: parallel-ssh.sh HOSTS SOURCE OUTPUT TMP [job options...]
#        HOSTS as parallel's --sshlogin takes it, e.g. "8/render1,8/render2,:" (":" is here)
set -euo pipefail

[ $# -ge 4 ] || { echo "usage: parallel-ssh.sh HOSTS SOURCE OUTPUT TMP [job options...]" >&2; exit 64; }
hosts=$1 source=$2 output=$3 tmp=$4
shift 4

plan=$(vodctl split "$source" --output "$output" --tmp "$tmp" --json "$@")
read -r job chunks < <(python3 -c \
  'import json, sys; p = json.loads(sys.argv[1]); print(p["job"], p["chunks"])' "$plan")

# --retries: a chunk that failed on one host (or whose host vanished) is tried on another.
seq 0 $((chunks - 1)) |
  parallel --will-cite --sshlogin "$hosts" --retries 3 --halt soon,fail=1 \
    --env AWS_ACCESS_KEY_ID --env AWS_SECRET_ACCESS_KEY --env AWS_SESSION_TOKEN \
    --env AWS_REGION --env AWS_ENDPOINT_URL \
    vodctl --quiet transcode-chunk --job "$job" --tmp "$tmp" --chunk {}

vodctl concat --job "$job"
vodctl segment --job "$job"
