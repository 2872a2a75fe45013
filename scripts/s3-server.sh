#!/usr/bin/env bash
# A throwaway S3-compatible server for tests: OpenStack Swift with its s3api middleware, on
# 127.0.0.1, keeping everything (config, data, logs, pids) in one folder. Unlike fakes such as
# s3rver it validates SigV4 signatures and payload checksums, as AWS does.
#
# usage: s3-server.sh start DIR PORT   starts it (restarting one already in DIR) and prints
#                                      the environment to use, for eval
#        s3-server.sh stop DIR         stops it; DIR stays for a look at DIR/log
#
# The proxy (the S3 endpoint) listens on PORT, its account, container and object servers on
# PORT+1..PORT+3. Credentials: access key "test:tester", secret "testing", region us-east-1.
# Installs the Debian packages it needs when they are missing (root only).
set -euo pipefail

die() { echo "s3-server.sh: $*" >&2; exit 1; }
usage() { die "usage: s3-server.sh start DIR PORT | s3-server.sh stop DIR"; }

stop() {
  local dir=$1 pid_file pid
  for pid_file in "$dir"/run/*.pid; do
    [ -f "$pid_file" ] || continue
    pid=$(cat "$pid_file")
    kill "$pid" 2>/dev/null || true
    # Wait so that a restart finds the ports free.
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pid_file"
  done
}

install_packages() {
  bash "$(dirname "${BASH_SOURCE[0]}")/install-missing.sh" swift-proxy swift-account \
    swift-container swift-object
}

write_config() {
  local dir=$1 port=$2 i=1 server server_port
  cat > "$dir/etc/swift.conf" <<CONF
[swift-hash]
swift_hash_path_suffix = vodctl-test
swift_hash_path_prefix = vodctl-test
[storage-policy:0]
name = Policy-0
default = yes
CONF
  local common="user = $(id -un)
bind_ip = 127.0.0.1
workers = 0
swift_dir = $dir/etc
devices = $dir/srv/node
mount_check = false
disable_fallocate = true
log_level = WARNING"
  for server in account container object; do
    server_port=$((port + i)); i=$((i + 1))
    cat > "$dir/etc/$server-server.conf" <<CONF
[DEFAULT]
$common
bind_port = $server_port
[pipeline:main]
pipeline = $server-server
[app:$server-server]
use = egg:swift#$server
CONF
    # Rings record the ports, so they are rebuilt when the port changes.
    if [ "$(cat "$dir/etc/ring-port" 2>/dev/null)" != "$port" ]; then
      rm -f "$dir/etc/$server.builder" "$dir/etc/$server.ring.gz"
      ( cd "$dir/etc" &&
        swift-ring-builder "$server.builder" create 10 1 1 &&
        swift-ring-builder "$server.builder" add "r1z1-127.0.0.1:$server_port/d1" 1 &&
        swift-ring-builder "$server.builder" rebalance ) > /dev/null || true
      [ -f "$dir/etc/$server.ring.gz" ] || die "could not build the $server ring in $dir/etc"
    fi
  done
  echo "$port" > "$dir/etc/ring-port"
  cat > "$dir/etc/proxy-server.conf" <<CONF
[DEFAULT]
$common
bind_port = $port
[pipeline:main]
pipeline = catch_errors gatekeeper proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
max_upload_part_num = 10000
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:11211
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
CONF
}

# Any HTTP answer, even an error, shows the server is listening.
answers() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/"; }

start() {
  local dir=$1 port=$2 server
  [[ "$port" =~ ^[0-9]+$ ]] || usage
  install_packages
  stop "$dir"
  mkdir -p "$dir/etc" "$dir/srv/node/d1" "$dir/run" "$dir/log"
  write_config "$dir" "$port"
  for server in account container object proxy; do
    # Its own session, and no inherited descriptors, so it outlives and never holds up the
    # caller (a test reading this script's output).
    setsid "/usr/bin/swift-$server-server" "$dir/etc/$server-server.conf" \
      < /dev/null > "$dir/log/$server.log" 2>&1 &
    echo $! > "$dir/run/$server.pid"
  done
  for _ in $(seq 1 150); do
    if curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$port/info" &&
       answers $((port + 1)) && answers $((port + 2)) && answers $((port + 3)); then
      cat <<ENV
export AWS_ACCESS_KEY_ID=test:tester
export AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=us-east-1
export AWS_ENDPOINT_URL=http://127.0.0.1:$port
ENV
      return 0
    fi
    sleep 0.2
  done
  tail -n 20 "$dir"/log/*.log >&2
  stop "$dir"
  die "swift did not start on port $port (logs in $dir/log)"
}

case "${1:-}" in
  start) [ $# = 3 ] || usage; start "$(realpath -m "$2")" "$3" ;;
  stop) [ $# = 2 ] || usage; stop "$(realpath -m "$2")" ;;
  *) usage ;;
esac
