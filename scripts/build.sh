#!/usr/bin/env bash
# Configures and builds chipledger into build/release (or build/asan with --sanitize).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build/release
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ "${1:-}" == --sanitize ]]; then
  build_dir=build/asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DCHIPLEDGER_SANITIZE=ON)
fi
cmake -S . -B "$build_dir" "${flags[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
echo "$build_dir"
