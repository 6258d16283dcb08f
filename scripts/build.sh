#!/usr/bin/env bash
# Configures and builds chipledger into build/release (or build/asan with --sanitize; build/tsan
# with --tsan, only the concurrency tests and the programs they run, under ThreadSanitizer).
# Progress goes to stderr, so that a first build (several minutes) shows it even when the caller
# keeps stdout, which is only the build directory: `build_dir=$(scripts/build.sh)`.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build/release
# Line tables only (-g1): backtraces and sanitizer reports keep file and line, and the build
# spends far less time writing debug information nobody reads in CI.
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
targets=()
if [[ "${1:-}" == --sanitize ]]; then
  build_dir=build/asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCHIPLEDGER_SANITIZE=ON)
elif [[ "${1:-}" == --tsan ]]; then
  build_dir=build/tsan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCHIPLEDGER_TSAN=ON)
  targets=(--target ledger_test log_api_test witnessing_api_test witness_durability_test
           abuse_api_test storage_fault_test full_disk_api_test audit_snapshot_restart_test
           findings_stream_test)
fi
cmake -S . -B "$build_dir" "${flags[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)" "${targets[@]}" >&2
echo "$build_dir"
