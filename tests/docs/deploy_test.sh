#!/bin/sh
# The deploy/ files as docs/deploy.md installs them: both systemd units pass `systemd-analyze
# verify` without a warning, and nginx with deploy/nginx/chipledger.conf terminates TLS in front of
# a real chipledgerd. A tool that is not installed is skipped with a message (exit 77 if all are).
set -u
root=$1 chipledgerd=$2
work=$(mktemp -d)
trap 'kill $server_pid $nginx_pid 2>/dev/null; rm -rf "$work"' EXIT
server_pid= nginx_pid= checked=0 failed=0
fail() { echo "FAIL: $*"; failed=1; }

if command -v systemd-analyze >/dev/null; then
  for unit in chipledgerd chipledger-witness; do
    # verify wants the ExecStart binary installed; it warns (exit 0) about unknown keys.
    sed 's|^ExecStart=/usr/local/bin/[^ ]*|ExecStart=/bin/true|' "$root/deploy/$unit.service" \
      >"$work/$unit.service"
    out=$(systemd-analyze verify "$work/$unit.service" 2>&1) || fail "$unit.service: $out"
    [ -z "$out" ] || fail "systemd-analyze verify $unit.service: $out"
  done
  checked=1
else
  echo "skipped: systemd-analyze is not installed; the units were not verified"
fi

if command -v nginx >/dev/null && command -v curl >/dev/null && command -v openssl >/dev/null; then
  mkdir -p "$work/tls" "$work/tmp"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -keyout "$work/tls/server.key" -out "$work/tls/server.crt" 2>/dev/null
  "$chipledgerd" init --data "$work/ledger" --origin deploy.test/log \
    --authority "a=$(openssl rand -base64 32)" >/dev/null || fail "chipledgerd init"
  "$chipledgerd" serve --data "$work/ledger" --listen 127.0.0.1:0 >"$work/serve.out" 2>/dev/null &
  server_pid=$!
  for _ in $(seq 100); do grep -q listening "$work/serve.out" && break; sleep 0.1; done
  upstream=$(sed -n 's|^chipledgerd listening on http://||p' "$work/serve.out")
  # A unix socket rather than a port: no other test or program can hold it.
  socket=$work/nginx.sock
  sed -e "s|/etc/nginx/tls/|$work/tls/|" -e "s|http://chipledgerd:8080|http://$upstream|" \
    -e "s|listen 443|listen unix:$socket|" "$root/deploy/nginx/chipledger.conf" >"$work/site.conf"
  cat >"$work/nginx.conf" <<CONF
daemon off;
pid $work/nginx.pid;
error_log $work/error.log;
events {}
http {
  access_log off;
  client_body_temp_path $work/tmp;
  proxy_temp_path $work/tmp;
  include $work/site.conf;
}
CONF
  if out=$(nginx -t -p "$work" -c "$work/nginx.conf" 2>&1); then
    nginx -p "$work" -c "$work/nginx.conf" &
    nginx_pid=$!
    answer=
    for _ in $(seq 50); do
      answer=$(curl -sS --unix-socket "$socket" --cacert "$work/tls/server.crt" \
        https://localhost/healthz 2>&1) && break
      sleep 0.1
    done
    case $answer in
      *'"status":"ok"'*) ;;
      *) fail "GET https://localhost/healthz through nginx: $answer $(cat "$work/error.log")" ;;
    esac
  else
    fail "nginx -t: $out"
  fi
  checked=1
else
  echo "skipped: nginx, curl or openssl is not installed; deploy/nginx/chipledger.conf not tried"
fi
[ "$checked" = 1 ] || exit 77
[ "$failed" = 0 ] && echo "deploy/ units verified; nginx served chipledgerd over TLS"
exit "$failed"
