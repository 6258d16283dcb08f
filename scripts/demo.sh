#!/usr/bin/env bash
# The live pilot demo: builds everything, creates a ledger on this machine, plays a controlled
# export of 96 chips to two end users through the real chipledger-agent (dispatch, receipt,
# installation, heartbeats, inspections by two governments' inspectors), then two diversion
# stories, audits the log with chipledger-audit, prints the findings and the signed white list,
# and leaves chipledgerd running. Two chipledger-witness processes, one per government, cosign
# every checkpoint (quorum 2); at the end the operator tries a split view — a forked copy of the
# ledger, signed with the same log key, that hides the diversions — and the witnesses and the
# audit catch it. Safe to run again: it stops the previous demo and starts over.
#
# Environment: CHIPLEDGER_DEMO_DIR (default ./demo-data), CHIPLEDGER_DEMO_PORT (default 8080; the
# witnesses use the next two ports and the forked copy the one after).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

demo=${CHIPLEDGER_DEMO_DIR:-$root/demo-data}
port=${CHIPLEDGER_DEMO_PORT:-8080}
url=http://127.0.0.1:$port
fork_url=http://127.0.0.1:$((port + 3))

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
ago() { date -u -d "-$1" +%Y-%m-%dT%H:%M:%SZ; }

# A previous run's servers hold the ports and the ledger lock: stop them first.
for pidfile in "$demo"/*.pid; do
  [[ -f $pidfile ]] || continue
  kill "$(cat "$pidfile")" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
done
# Another program on one of the demo's ports would get the demo's requests, and the demo's data
# directory is deleted next: refuse before deleting anything, naming the port and its process.
for p in "$port" $((port + 1)) $((port + 2)) $((port + 3)); do
  holder=$(ss -Hltnp "sport = :$p" 2>/dev/null | head -n 1)
  [[ -z $holder ]] && continue
  process=$(sed -nE 's/.*users:\(\("([^"]+)",pid=([0-9]+).*/\1 (pid \2)/p' <<<"$holder")
  echo "demo.sh: port $p is in use by ${process:-a process of another user}; the demo needs ports" \
    "$port-$((port + 3))." >&2
  echo "  Stop that program, or choose other ports: CHIPLEDGER_DEMO_PORT=9080 scripts/demo.sh" >&2
  echo "  Nothing was deleted ($demo is as it was)." >&2
  exit 1
done
rm -rf "$demo"
mkdir -p "$demo/agents" "$demo/files"
files=$demo/files

scripts/setup.sh
build=$root/$(scripts/build.sh | tail -n 1)

export CHIPLEDGER_PASSPHRASE=demo-passphrase-not-for-production
agent() { local who=$1; shift; "$build/agent/chipledger-agent" --home "$demo/agents/$who" "$@"; }

say "Keys for the authority and the field agents (encrypted at rest)"
agents=(regulator exporter op-helix op-sand inspector-us inspector-ae monitor-helix)
declare -A pubkey
for who in "${agents[@]}"; do
  pubkey[$who]=$(agent "$who" keygen --agent "$who" --ledger "$url" --fast-kdf --json |
                 json_field public_key)
  echo "  $who  ${pubkey[$who]}"
done

say "Create the ledger with the genesis authority"
log_key=$("$build/api/chipledgerd" init --data "$demo/ledger" --origin chipledger.demo/pilot \
          --authority "regulator=${pubkey[regulator]}")
echo "  log verifier key: $log_key"

# serve NAME COMMAND...: starts a server in the background, its pid in NAME.pid, and waits for it.
serve() {
  local name=$1; shift
  setsid "$@" >"$demo/$name.out" 2>"$demo/$name.log" </dev/null &
  echo $! >"$demo/$name.pid"
  for _ in $(seq 100); do grep -q listening "$demo/$name.out" 2>/dev/null && break; sleep 0.1; done
  grep listening "$demo/$name.out" | sed 's/^/  /' || { cat "$demo/$name.log"; exit 1; }
}

say "One witness per government: each remembers what it cosigned and only cosigns a log that grew"
declare -A witness_key witness_port=([us]=$((port + 1)) [ae]=$((port + 2)))
for gov in us ae; do
  witness_key[$gov]=$("$build/witness/chipledger-witness" init --data "$demo/witness-$gov" \
                      --name "witness.$gov-gov.example/w1")
  serve "witness-$gov" "$build/witness/chipledger-witness" serve --data "$demo/witness-$gov" \
    --listen "127.0.0.1:${witness_port[$gov]}" --log "$log_key"
  echo "  ${witness_key[$gov]}"
done
witness_flags=(--witness "${witness_key[us]}" --witness "${witness_key[ae]}" --witness-quorum 2)
for who in "${agents[@]}"; do
  agent "$who" configure --log-key "$log_key" "${witness_flags[@]}" >/dev/null
done
cat >"$demo/chipledgerd.json" <<EOT
{"witnesses": [{"url": "http://127.0.0.1:${witness_port[us]}", "vkey": "${witness_key[us]}"},
               {"url": "http://127.0.0.1:${witness_port[ae]}", "vkey": "${witness_key[ae]}"}],
 "witness_quorum": 2}
EOT

say "Start chipledgerd on $url (witnesses: both, quorum 2)"
serve chipledgerd "$build/api/chipledgerd" serve --data "$demo/ledger" --listen "127.0.0.1:$port" \
  --config "$demo/chipledgerd.json"
regulator_token=$("$build/api/chipledgerd" token create --data "$demo/ledger" --role regulator --name demo-regulator)
auditor_token=$("$build/api/chipledgerd" token create --data "$demo/ledger" --role auditor --name demo-auditor)
admin_token=$("$build/api/chipledgerd" token create --data "$demo/ledger" --role admin --name demo-admin)

# compose AGENT TYPE TIME JSON: sign and queue one event from its type-specific fields.
compose() {
  local who=$1 type=$2 time=$3 file
  file=$(mktemp "$files/fields-XXXXXX.json")
  printf '%s' "$4" >"$file"
  agent "$who" compose "$type" --fields "$file" --time "$time" >/dev/null
}
submit() { agent "$1" submit --json >/dev/null && echo "  $1: outbox submitted, receipts verified"; }

say "The regulator registers parties, sites, agents, a license and white-list approvals"
t=$(ago "6 days 2 hours")  # within A1's 7-day backdating window
compose regulator party.registered "$t" '{"party":{"id":"nvx","name":"NVX Accelerators Inc.","country":"US","kind":"exporter"}}'
compose regulator party.registered "$t" '{"party":{"id":"helix","name":"Helix Life Sciences","country":"AE","kind":"end_user"}}'
compose regulator party.registered "$t" '{"party":{"id":"sandgrain","name":"Sandgrain Genomics","country":"AE","kind":"end_user"}}'
compose regulator party.registered "$t" '{"party":{"id":"bis-team","name":"Exporting government inspectors","country":"US","kind":"inspection_body"}}'
compose regulator party.registered "$t" '{"party":{"id":"ae-team","name":"Host government inspectors","country":"AE","kind":"inspection_body"}}'
compose regulator site.registered "$t" '{"site":{"id":"helix-auh1","party":"helix","name":"Helix Abu Dhabi 1","country":"AE","lat":24.4539,"lon":54.3773,"radius_m":800,"power_kw":60}}'
compose regulator site.registered "$t" '{"site":{"id":"helix-dxb1","party":"helix","name":"Helix Dubai 1","country":"AE","lat":25.2048,"lon":55.2708,"radius_m":800,"power_kw":30}}'
compose regulator site.registered "$t" '{"site":{"id":"sand-auh2","party":"sandgrain","name":"Sandgrain Abu Dhabi 2","country":"AE","lat":24.4672,"lon":54.6031,"radius_m":800,"power_kw":40}}'
enroll() {  # enroll AGENT ROLE ORG SITES_JSON
  compose regulator agent.enrolled "$t" \
    "{\"enroll\":{\"agent\":\"$1\",\"public_key\":\"${pubkey[$1]}\",\"role\":\"$2\",\"org\":\"$3\",\"sites\":$4}}"
}
enroll exporter exporter nvx '[]'
enroll op-helix site_operator helix '["helix-auh1","helix-dxb1"]'
enroll op-sand site_operator sandgrain '["sand-auh2"]'
enroll inspector-us inspector bis-team '[]'
enroll inspector-ae inspector ae-team '[]'
enroll monitor-helix monitor helix '["helix-auh1"]'
compose regulator license.issued "$t" "{\"license\":{\"id\":\"lic-helix-1\",\"exporter\":\"nvx\",\"end_user\":\"helix\",\"sites\":[\"helix-auh1\",\"helix-dxb1\"],\"models\":[\"H200\"],\"max_quantity\":120,\"purposes\":[\"life_sciences\"],\"valid_from\":\"$(ago '30 days')\",\"valid_until\":\"$(date -u -d '+335 days' +%Y-%m-%dT%H:%M:%SZ)\",\"route\":[\"US\",\"DE\",\"AE\"]}}"
compose regulator whitelist.decision "$t" '{"party":"helix","status":"approved","reason":"pre-license check passed"}'
compose regulator whitelist.decision "$t" '{"party":"sandgrain","status":"approved","reason":"pre-license check passed"}'
submit regulator

# 96 serials: 64 for Abu Dhabi, 32 for Dubai.
serials() { for i in $(seq "$1" "$2"); do printf 'HX-%04d\n' "$i"; done; }
chips_json() { serials "$1" "$2" | python3 -c 'import json,sys; print(json.dumps([{"serial":s.strip(),"model":"H200"} for s in sys.stdin]))'; }
serials 1 64 >"$files/auh.txt"
serials 65 96 >"$files/dxb.txt"

say "The exporter ships 96 chips in two sealed shipments"
compose exporter shipment.dispatched "$(ago '6 days')" "{\"shipment\":\"sh-001\",\"license\":\"lic-helix-1\",\"consignee\":\"helix\",\"destination_site\":\"helix-auh1\",\"chips\":$(chips_json 1 64),\"carrier\":\"air-cargo\",\"seals\":[\"SEAL-1001\"],\"route\":[\"US\",\"DE\",\"AE\"]}"
compose exporter shipment.dispatched "$(ago '6 days')" "{\"shipment\":\"sh-002\",\"license\":\"lic-helix-1\",\"consignee\":\"helix\",\"destination_site\":\"helix-dxb1\",\"chips\":$(chips_json 65 96),\"carrier\":\"air-cargo\",\"seals\":[\"SEAL-1002\"],\"route\":[\"US\",\"DE\",\"AE\"]}"
submit exporter

say "Helix receives and installs them"
agent op-helix receive --shipment sh-001 --site helix-auh1 --chips "$files/auh.txt" --seal SEAL-1001=intact --time "$(ago '5 days')" --location 24.4541,54.3770,15 >/dev/null
agent op-helix receive --shipment sh-002 --site helix-dxb1 --chips "$files/dxb.txt" --seal SEAL-1002=intact --time "$(ago '5 days')" >/dev/null
awk '{printf "%s,auh1-node%02d\n", $1, (NR-1)/8}' "$files/auh.txt" >"$files/auh-hosts.txt"
awk '{printf "%s,dxb1-node%02d\n", $1, (NR-1)/8}' "$files/dxb.txt" >"$files/dxb-hosts.txt"
agent op-helix install --site helix-auh1 --chips "$files/auh-hosts.txt" --time "$(ago '4 days')" >/dev/null
agent op-helix install --site helix-dxb1 --chips "$files/dxb-hosts.txt" --time "$(ago '4 days')" >/dev/null
submit op-helix

say "The monitoring device at Helix Abu Dhabi reports heartbeats"
for h in 72 48 24 3; do
  agent monitor-helix heartbeat --site helix-auh1 --window-start "$(ago "$h hours")" \
    --window-end "$(ago "$((h - 1)) hours")" --online "$files/auh.txt" --time "$(ago "$((h - 1)) hours")" >/dev/null
done
submit monitor-helix

say "Routine inspections: every chip at Helix Abu Dhabi is where the books say"
printf 'microscopy images, lab notebook page 17\n' >"$files/evidence-auh.txt"
# --observed is serial[,attested_id[,host]]: the inspector saw each chip in its host and read no
# hardware identity, so the attested_id column stays empty (the install file, serial,host, would
# sign the host names as hardware identities).
{ echo serial,attested_id,host; sed 's/,/,,/' "$files/auh-hosts.txt"; } >"$files/auh-observed.csv"
agent inspector-us inspect --inspection insp-auh-01 --site helix-auh1 --kind routine \
  --observed "$files/auh-observed.csv" --seal SEAL-1001=intact --purpose life_sciences \
  --evidence "$files/evidence-auh.txt=workload sample" --result pass \
  --time "$(ago '2 days')" --location 24.4538,54.3775,10 >/dev/null
submit inspector-us

# The operator quietly copies the ledger now, before the inspections that find the diversion.
fork_data=$(curl -sf -X POST --data '' -H "Authorization: Bearer $admin_token" "$url/v1/admin/backup" |
            json_field path)
cp -a "$demo/agents/monitor-helix" "$demo/fork-monitor"

say "Diversion story 1: four chips are missing at the Helix Dubai inspection"
head -n 28 "$files/dxb.txt" >"$files/dxb-observed.txt"
agent inspector-ae inspect --inspection insp-dxb-01 --site helix-dxb1 --kind routine \
  --observed "$files/dxb-observed.txt" --seal SEAL-1002=intact --purpose life_sciences \
  --result fail --note "4 accelerators not found in racks dxb1-node03" \
  --time "$(ago '20 hours')" --location 25.2050,55.2710,12 >/dev/null
submit inspector-ae

say "Diversion story 2: one of the missing serials turns up at another end user's site"
printf 'HX-0093\n' >"$files/sand-observed.txt"
agent inspector-us inspect --inspection insp-sand-01 --site sand-auh2 --kind challenge \
  --observed "$files/sand-observed.txt" --purpose life_sciences --result fail \
  --note "serial HX-0093, licensed to Helix Dubai, found in Sandgrain rack 4" \
  --time "$(ago '6 hours')" --location 24.4670,54.6030,20 >/dev/null
submit inspector-us

# await_witnessed URL: waits until URL's /checkpoint carries both cosignatures at the log's size.
await_witnessed() {
  for _ in $(seq 100); do
    local size note
    size=$(curl -sf "$1/healthz" | json_field tree_size)
    note=$(curl -sf "$1/checkpoint")
    [[ $(sed -n 2p <<<"$note") == "$size" && $(grep -c '^— witness' <<<"$note") -eq 2 ]] && return 0
    sleep 0.1
  done
  return 1
}
await_witnessed "$url"

say "The witnessed checkpoint (GET /checkpoint): the log's signature, then both governments' witnesses"
curl -sf "$url/checkpoint" | sed 's/^/  /'

say "Independent audit of the whole log through its tiles, requiring both witnesses"
set +e
"$build/auditor/chipledger-audit" --url "$url" --token "$auditor_token" --log-key "$log_key" \
  "${witness_flags[@]}" --out "$demo/audit" --state "$demo/audit/state.json"
audit_exit=$?
set -e
echo "  chipledger-audit exit code: $audit_exit (0 clean, 1 findings at or above high, 2 integrity failure)"
[[ $audit_exit -le 1 ]] || exit 1

say "Live findings from the server (GET /v1/findings)"
curl -sf -H "Authorization: Bearer $regulator_token" "$url/v1/findings?status=open" |
  python3 -c 'import json,sys
for f in json.load(sys.stdin)["findings"]:
    print("  %-8s %-4s %s:%s  %s" % (f["severity"], f["rule"], f["subject"]["kind"], f["subject"]["id"], f["message"]))'

say "The signed white list (GET /v1/whitelist), payload decoded"
curl -sf -H "Authorization: Bearer $regulator_token" "$url/v1/whitelist" |
  python3 -c 'import json,sys,base64
env = json.load(sys.stdin)
payload = json.loads(base64.b64decode(env["payload"]))
for e in payload["end_users"]:
    print("  %-10s %s" % (e["party"], e["status"]))
print("  signed by key id", env["signatures"][0]["keyid"])'

say "Split view: the operator shows government B a forked copy that hides both diversions"
# The copy taken before the inspections, signed with the same log key, grows its own history:
# heartbeats from a copy of the monitoring device's home, so it even looks busier than the real log.
fork_token=$("$build/api/chipledgerd" token create --data "$fork_data" --role auditor --name gov-b)
serve fork "$build/api/chipledgerd" serve --data "$fork_data" --listen "127.0.0.1:$((port + 3))" \
  --config "$demo/chipledgerd.json"
"$build/agent/chipledger-agent" --home "$demo/fork-monitor" configure --ledger "$fork_url" >/dev/null
for h in 4 3 2 1; do
  "$build/agent/chipledger-agent" --home "$demo/fork-monitor" heartbeat --site helix-auh1 \
    --window-start "$(ago "$h hours")" --window-end "$(ago "$((h - 1)) hours")" \
    --online "$files/auh.txt" --time "$(ago "$((h - 1)) hours")" >/dev/null
done
"$build/agent/chipledger-agent" --home "$demo/fork-monitor" submit --json >/dev/null
echo "  the forked copy at $fork_url: $(curl -sf "$fork_url/healthz" | json_field tree_size) entries, signed with the same log key"
for _ in $(seq 50); do grep -q '"HTTP 422' "$demo/fork.log" && break; sleep 0.1; done
echo "  the witnesses refuse to cosign it (the fork's chipledgerd log):"
grep '"witness_failed"' "$demo/fork.log" | python3 -c 'import json,sys
seen = set()
for line in sys.stdin:
    e = json.loads(line)
    if e["witness"] not in seen and "HTTP 422" in e["error"]:
        seen.add(e["witness"]); print("    %s: %s" % (e["witness"], e["error"]))'
set +e
"$build/auditor/chipledger-audit" --url "$fork_url" --token "$fork_token" --log-key "$log_key" \
  --out "$demo/fork-audit-unwitnessed" >/dev/null
plain_exit=$?
"$build/auditor/chipledger-audit" --url "$fork_url" --token "$fork_token" --log-key "$log_key" \
  "${witness_flags[@]}" --out "$demo/fork-audit" >/dev/null
fork_exit=$?
set -e
python3 - "$demo" "$plain_exit" "$fork_exit" <<'EOT'
import json, sys
demo, plain_exit, fork_exit = sys.argv[1:]
plain = json.load(open(demo + "/fork-audit-unwitnessed/report.json"))
dxb = [f for f in plain["findings"] if f.get("site") == "helix-dxb1" and f["status"] == "open"]
print("  without witnesses, an audit of the fork: integrity %s, %d open findings at Helix Dubai (exit %s)"
      % ("ok" if plain["integrity"]["ok"] else "FAILED", len(dxb), plain_exit))
fork = json.load(open(demo + "/fork-audit/report.json"))
for e in fork["integrity"]["errors"]:
    if e["check"] == "I8":
        print("  requiring both witnesses, the same audit fails I8: " + e["message"])
print("  chipledger-audit exit code: %s (2: integrity failure)" % fork_exit)
EOT
[[ $fork_exit -eq 2 ]] || { echo "the split view was not caught"; exit 1; }
kill "$(cat "$demo/fork.pid")"

say "chipledgerd is still running (pid $(cat "$demo/chipledgerd.pid")); try:"
cat <<EOT
  Regulator console: $url/console/
    sign in with the regulator token $regulator_token
    and pin the log verifier key $log_key
    e.g. $url/console/#/site/helix-dxb1 and $url/console/#/chip/HX-0093
  curl $url/checkpoint
  curl -H 'Authorization: Bearer $regulator_token' $url/v1/findings
  curl -H 'Authorization: Bearer $regulator_token' $url/v1/chips/HX-0093
  curl -H 'Authorization: Bearer $regulator_token' $url/v1/whitelist
  HTML report: $demo/audit/report.html
  log verifier key: $log_key
  witnesses: ${witness_key[us]}
             ${witness_key[ae]}
  stop everything with: kill \$(cat $demo/*.pid)
EOT
