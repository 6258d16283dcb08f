#!/usr/bin/env bash
# A PostgreSQL cluster under Patroni on loopback, for tests and demos (issue 15): one etcd and
# 2-3 PostgreSQL 15 nodes with a synchronous standby. Processes run as the postgres user
# (PostgreSQL refuses root); everything lives under DIR.
#
#   cluster.sh start DIR [--nodes 2|3] [--base-port P]   returns once a primary and a
#                                                        synchronous standby are streaming
#   cluster.sh stop DIR                                  nothing of the cluster left running
#   cluster.sh status DIR                                members, roles, states (patronictl)
#   cluster.sh primary DIR                               the primary's PostgreSQL port
#   cluster.sh primary-pid DIR                           the primary's postmaster pid
#
# Ports from P (default 25400): etcd client P, peer P+1; node i's PostgreSQL P+10+i, REST P+20+i.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# From /, a directory the postgres user may enter: Patroni starts PostgreSQL in its working
# directory, and the caller's (a clone in /root, mode 0700) would leave it unable to start.
as_pg() { if ((EUID == 0)); then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

members_json() { as_pg patronictl -c "$1/node1/patroni.yml" list -f json 2>/dev/null; }

# Prints the port of the member whose role is $2 (Leader or "Sync Standby"), if any.
member_port() {
  members_json "$1" | python3 -c '
import json, sys
role = sys.argv[1]
for m in json.load(sys.stdin):
    if m.get("Role") == role and m.get("State") in ("running", "streaming"):
        print(m["Host"].rsplit(":", 1)[-1] if ":" in m["Host"] else m.get("Port", "")); break
' "$2"
}

start() {
  local dir=$1 nodes=2 base=25400
  shift
  while (($#)); do
    case $1 in
      --nodes) nodes=$2; shift 2 ;;
      --base-port) base=$2; shift 2 ;;
      *) echo "cluster.sh: unknown option $1" >&2; exit 2 ;;
    esac
  done
  [[ $nodes == 2 || $nodes == 3 ]] || { echo "cluster.sh: --nodes is 2 or 3" >&2; exit 2; }
  mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
  ((EUID == 0)) && chown postgres: "$dir"
  as_pg mkdir -p "$dir/etcd"
  # Each daemon records its own pid (runuser's would not forward signals) and leads a session.
  as_pg sh -c 'echo $$ >"$0"; exec setsid "$@"' "$dir/etcd/pid" etcd --name etcd1 --data-dir "$dir/etcd/data" \
    --listen-client-urls "http://127.0.0.1:$base" --advertise-client-urls "http://127.0.0.1:$base" \
    --listen-peer-urls "http://127.0.0.1:$((base + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((base + 1))" \
    --initial-cluster "etcd1=http://127.0.0.1:$((base + 1))" >"$dir/etcd/etcd.log" 2>&1 &
  echo "$base" >"$dir/base-port"
  for i in $(seq 1 "$nodes"); do
    local node=$dir/node$i
    as_pg mkdir -p "$node" && chmod 0700 "$node"
    sed -e "s|@NAME@|node$i|; s|@HOST@|127.0.0.1|g; s|@REST_PORT@|$((base + 20 + i))|g" \
      -e "s|@PG_PORT@|$((base + 10 + i))|g; s|@ETCD_HOSTS@|127.0.0.1:$base|" \
      -e "s|@HBA_NET@|127.0.0.1/32|g; s|@DATA_DIR@|$node/data|; s|@NODE_DIR@|$node|g" \
      "$here/patroni.yml.in" >"$node/patroni.yml"
    ((EUID == 0)) && chown postgres: "$node/patroni.yml"
    as_pg sh -c 'echo $$ >"$0"; exec setsid "$@"' "$node/pid" patroni "$node/patroni.yml" \
      >"$node/patroni.log" 2>&1 &
  done
  for _ in $(seq 1 120); do
    if [[ -n $(member_port "$dir" Leader) && -n $(member_port "$dir" "Sync Standby") ]]; then
      status "$dir"
      return 0
    fi
    # A daemon that exited (a port already taken, a bad config) will not come back: say which.
    for pidfile in "$dir"/etcd/pid "$dir"/node*/pid; do
      if [[ -f $pidfile ]] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "cluster.sh: $(dirname "$pidfile") exited during start; its log ends:" >&2
        tail -n 5 "$(dirname "$pidfile")"/*.log >&2
        exit 1
      fi
    done
    sleep 1
  done
  echo "cluster.sh: no primary with a synchronous standby after 120 s (logs in $dir)" >&2
  exit 1
}

stop() {
  local dir=$1 pid
  # Patroni stops its PostgreSQL on SIGTERM; a postmaster left behind (Patroni killed) is stopped
  # by pg_ctl.
  for pidfile in "$dir"/node*/pid; do
    [[ -f $pidfile ]] && kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
  done
  for pidfile in "$dir"/node*/pid; do
    [[ -f $pidfile ]] || continue
    pid=$(cat "$pidfile")
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  for data in "$dir"/node*/data; do
    [[ -f $data/postmaster.pid ]] &&
      as_pg /usr/lib/postgresql/15/bin/pg_ctl -D "$data" -m immediate stop >/dev/null 2>&1 || true
  done
  if [[ -f $dir/etcd/pid ]]; then
    pid=$(cat "$dir/etcd/pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/etcd/pid"
  fi
}

status() { as_pg patronictl -c "$1/node1/patroni.yml" list; }

primary_pid() {
  local port
  port=$(member_port "$1" Leader)
  [[ -n $port ]] || { echo "cluster.sh: no primary" >&2; exit 1; }
  head -n 1 "$1/node$((port - $(cat "$1/base-port") - 10))/data/postmaster.pid"
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) stop "$2" ;;
  status) status "$2" ;;
  primary) member_port "$2" Leader ;;
  primary-pid) primary_pid "$2" ;;
  *) echo "usage: cluster.sh start DIR [--nodes 2|3] [--base-port P] | stop DIR | status DIR |" \
       "primary DIR | primary-pid DIR" >&2; exit 2 ;;
esac
