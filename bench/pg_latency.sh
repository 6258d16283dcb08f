#!/usr/bin/env bash
# Ingest and receipt latency of chipledgerd on its three stores, one after the other on the same
# load (issue 15 item 5): RocksDB in the data directory, PostgreSQL 15 alone (one local server),
# and PostgreSQL with a synchronous standby (the loopback Patroni cluster of deploy/ha/cluster.sh,
# where a commit is acknowledged once both nodes hold it). Every store fsyncs each commit.
#
#   bench/pg_latency.sh BUILD_DIR [chipledger-bench options]
#
# The options (default --agents 16 --events 5000 --connections 16) go to every run. Needs root or
# the postgres user (PostgreSQL runs as postgres); leaves nothing running.
set -euo pipefail
build=$(cd "$1" && pwd)
shift
load=("$@")
((${#load[@]})) || load=(--agents 16 --events 5000 --connections 16)
root=$(cd "$(dirname "$0")/.." && pwd)
bench=$build/api/chipledger-bench
bin=/usr/lib/postgresql/15/bin
as_pg() { if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

work=$(mktemp -d /tmp/chipledger-pg-latency-XXXXXX)
((EUID == 0)) && chown postgres: "$work"
cleanup() {
  as_pg "$bin/pg_ctl" -D "$work/single" -m immediate stop >/dev/null 2>&1 || true
  "$root/deploy/ha/cluster.sh" stop "$work/ha" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== RocksDB (data directory)"
"$bench" "${load[@]}"

echo "== PostgreSQL alone"
port=$(free_port)
as_pg "$bin/initdb" -D "$work/single" -A trust -U postgres >"$work/initdb.log"
as_pg "$bin/pg_ctl" -D "$work/single" -l "$work/single.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1" start >/dev/null
"$bench" "${load[@]}" --store "host=127.0.0.1 port=$port user=postgres dbname=postgres"
as_pg "$bin/pg_ctl" -D "$work/single" -m fast stop >/dev/null

echo "== PostgreSQL with a synchronous standby (Patroni, 2 nodes)"
base=$(( ($(free_port) % 20000) + 30000 ))
"$root/deploy/ha/cluster.sh" start "$work/ha" --nodes 2 --base-port "$base" >"$work/cluster.log" 2>&1
"$bench" "${load[@]}" --store "host=127.0.0.1,127.0.0.1 port=$((base + 11)),$((base + 12)) \
user=postgres dbname=postgres target_session_attrs=read-write"
