#!/usr/bin/env bash
# The live pilot demo: builds everything, creates a ledger on this machine, plays a controlled
# export of 96 chips to two end users through the real chipledger-agent (dispatch, receipt,
# installation, heartbeats, inspections by two governments' inspectors), then two diversion
# stories, audits the log with chipledger-audit, prints the findings and the signed white list,
# and leaves chipledgerd running. Safe to run again: it stops the previous demo and starts over.
#
# Environment: CHIPLEDGER_DEMO_DIR (default ./demo-data), CHIPLEDGER_DEMO_PORT (default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/setup.sh
build=$root/$(scripts/build.sh | tail -n 1)
demo=${CHIPLEDGER_DEMO_DIR:-$root/demo-data}
port=${CHIPLEDGER_DEMO_PORT:-8080}
url=http://127.0.0.1:$port

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
ago() { date -u -d "-$1" +%Y-%m-%dT%H:%M:%SZ; }

# A previous run's server holds the port and the ledger lock: stop it first.
if [[ -f $demo/chipledgerd.pid ]]; then
  kill "$(cat "$demo/chipledgerd.pid")" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$(cat "$demo/chipledgerd.pid")" 2>/dev/null || break; sleep 0.1; done
fi
rm -rf "$demo"
mkdir -p "$demo/agents" "$demo/files"
files=$demo/files

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
for who in "${agents[@]}"; do agent "$who" configure --log-key "$log_key" >/dev/null; done

say "Start chipledgerd on $url"
setsid "$build/api/chipledgerd" serve --data "$demo/ledger" --listen "127.0.0.1:$port" \
  >"$demo/chipledgerd.out" 2>"$demo/chipledgerd.log" </dev/null &
echo $! >"$demo/chipledgerd.pid"
for _ in $(seq 100); do grep -q listening "$demo/chipledgerd.out" 2>/dev/null && break; sleep 0.1; done
grep listening "$demo/chipledgerd.out" || { cat "$demo/chipledgerd.log"; exit 1; }
regulator_token=$("$build/api/chipledgerd" token create --data "$demo/ledger" --role regulator --name demo-regulator)
auditor_token=$("$build/api/chipledgerd" token create --data "$demo/ledger" --role auditor --name demo-auditor)

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
agent inspector-us inspect --inspection insp-auh-01 --site helix-auh1 --kind routine \
  --observed "$files/auh-hosts.txt" --seal SEAL-1001=intact --purpose life_sciences \
  --evidence "$files/evidence-auh.txt=workload sample" --result pass \
  --time "$(ago '2 days')" --location 24.4538,54.3775,10 >/dev/null
submit inspector-us

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

say "Independent audit of the whole log through its tiles"
set +e
"$build/auditor/chipledger-audit" --url "$url" --token "$auditor_token" --log-key "$log_key" \
  --out "$demo/audit" --state "$demo/audit/state.json"
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

say "chipledgerd is still running (pid $(cat "$demo/chipledgerd.pid")); try:"
cat <<EOT
  curl $url/checkpoint
  curl -H 'Authorization: Bearer $regulator_token' $url/v1/findings
  curl -H 'Authorization: Bearer $regulator_token' $url/v1/chips/HX-0093
  curl -H 'Authorization: Bearer $regulator_token' $url/v1/whitelist
  HTML report: $demo/audit/report.html
  log verifier key: $log_key
  stop it with: kill \$(cat $demo/chipledgerd.pid)
EOT
