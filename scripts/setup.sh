#!/usr/bin/env bash
# Installs chipledger's build and test dependencies from Debian 12 packages (run as root).
set -euo pipefail
packages=(build-essential cmake pkg-config librocksdb-dev libsodium-dev libcpp-httplib-dev
          nlohmann-json3-dev libgtest-dev libbenchmark-dev python3 python3-jsonschema curl
          clang libclang-rt-14-dev)  # clang and libFuzzer's runtime: scripts/fuzz.sh
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
