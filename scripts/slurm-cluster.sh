#!/usr/bin/env bash
# A throwaway single-node Slurm cluster on 127.0.0.1 for tests and trials: munge, slurmctld and
# slurmd from Debian, started without systemd, with config, state, logs and pids in one folder.
#
# usage: slurm-cluster.sh start DIR   installs what is missing (root only), starts the cluster
#                                     and prints the environment to use, for eval
#        slurm-cluster.sh stop DIR    cancels its jobs and stops it; DIR stays for DIR/log
#
# The daemons run as root (SlurmUser=root) so that no account has to be made; the node has
# this machine's CPUs. munged is shared with the machine: one that already runs is kept.
set -euo pipefail

die() { echo "slurm-cluster.sh: $*" >&2; exit 1; }
usage() { die "usage: slurm-cluster.sh start DIR | slurm-cluster.sh stop DIR"; }

install_packages() {
  bash "$(dirname "${BASH_SOURCE[0]}")/install-missing.sh" slurmctld slurmd slurm-client munge
}

# Without systemd nothing makes /run/munge; the package made the key (mungekey otherwise).
start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  if [ ! -f /etc/munge/munge.key ]; then
    mungekey -c -k /etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  install -d -o munge -g munge -m 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 1 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "munged does not answer (munge -n | unmunge fails)"
}

write_config() {
  local dir=$1 host
  host=$(hostname -s)
  # Each setting below was needed on Debian 12's Slurm 22.05 without systemd or cgroups:
  # dependencies that can never be met kill the job instead of leaving it pending forever
  # (it is ignored under SchedulerParameters), and credentials expire fast so that a
  # requeued task may start again soon.
  cat > "$dir/etc/slurm.conf" <<CONF
ClusterName=vodctl-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=cred_expire=10
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=bf_interval=1
DependencyParameters=kill_invalid_depend
ReturnToService=2
MinJobAge=600
KillWait=5
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=$SLURMCTLD_PORT
SlurmdPort=$SLURMD_PORT
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=vodctl Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

stop_daemon() {
  local pid_file=$1 pid
  [ -f "$pid_file" ] || return 0
  pid=$(cat "$pid_file")  # read first: the daemon deletes the file as it exits
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pid_file"
}

stop() {
  local dir=$1
  export SLURM_CONF=$dir/etc/slurm.conf
  # Job steps outlive slurmd: cancel them while it still runs.
  if [ -f "$dir/run/slurmctld.pid" ]; then
    scancel --partition=vodctl 2>/dev/null || true
    for _ in $(seq 1 50); do [ -z "$(squeue -h -p vodctl 2>/dev/null)" ] && break; sleep 0.1; done
  fi
  stop_daemon "$dir/run/slurmd.pid"
  stop_daemon "$dir/run/slurmctld.pid"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir=$1
  [ "$(id -u)" = 0 ] || die "run as root: the daemons run as root here"
  install_packages
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  stop "$dir"
  rm -rf "$dir/state" "$dir/spool"
  mkdir -p "$dir/etc" "$dir/state" "$dir/spool" "$dir/run" "$dir/log"
  start_munge
  SLURMCTLD_PORT=$(free_port) SLURMD_PORT=$(free_port) write_config "$dir"
  export SLURM_CONF=$dir/etc/slurm.conf
  slurmctld -c || die "slurmctld did not start; see $dir/log/slurmctld.log"
  slurmd || die "slurmd did not start; see $dir/log/slurmd.log"
  for _ in $(seq 1 100); do
    [ "$(sinfo -h -o %t 2>/dev/null)" = idle ] && { echo "export SLURM_CONF=$SLURM_CONF"; return 0; }
    sleep 0.2
  done
  die "the node is not idle after 20 s (sinfo: $(sinfo -h -o %t 2>&1)); see $dir/log"
}

case "${1:-}" in
  start) [ $# = 2 ] || usage; start "$2" ;;
  stop) [ $# = 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
