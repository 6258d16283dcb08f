#!/usr/bin/env bash
# Installs chipledger's build and test dependencies from Debian 12 packages (run as root).
set -euo pipefail
packages=(build-essential cmake pkg-config librocksdb-dev libsodium-dev libcpp-httplib-dev
          libssl-dev                # OpenSSL's SHA-256 (ledger/crypto.cc)
          libjemalloc-dev           # chipledger-audit's allocator (docs/audit.md, Performance)
          nlohmann-json3-dev libgtest-dev libbenchmark-dev python3 python3-jsonschema curl
          clang libclang-rt-14-dev  # clang and libFuzzer's runtime: scripts/fuzz.sh
          chromium                  # the console's browser test (tests/console)
          iproute2                  # ss: demo.sh names the process holding a busy port
          # ledger/pg and its tests: PostgreSQL 15, libpq, and Patroni with etcd (deploy/ha/).
          postgresql libpq-dev patroni etcd-server etcd-client)
# node and npm drive chromium (playwright-core); Debian's unless a node is already installed.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# playwright-core, exactly as tests/console/package-lock.json pins it (no browser download: the
# test drives Debian's chromium). Skipped when installed since the lock file last changed.
console_tests=$(dirname "$0")/../tests/console
if [[ ! $console_tests/node_modules/.package-lock.json -nt $console_tests/package-lock.json ]]; then
  # npm trusts the system's certificate store (ca-certificates, and any CA the machine's
  # administrator added there, e.g. for a proxy), not only the store built into node.
  cafile=/etc/ssl/certs/ca-certificates.crt
  (cd "$console_tests" && npm_config_cafile=${npm_config_cafile:-$cafile} \
    npm ci --no-audit --no-fund --loglevel=error)
fi
