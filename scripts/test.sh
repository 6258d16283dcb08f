#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds, and runs every test.
# --sanitize runs the same suite in an ASan+UBSan build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build_dir=$(scripts/build.sh "$@" | tail -n 1)
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" --timeout 600
