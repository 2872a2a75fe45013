#!/usr/bin/env bash
# Installs those of the given Debian packages that are not installed yet (root only), quietly:
# what the test servers (s3-server.sh, slurm-cluster.sh) run before they start.
#
# usage: install-missing.sh PACKAGE...
set -euo pipefail

missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-missing.sh: missing Debian packages ${missing[*]}; install them as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
