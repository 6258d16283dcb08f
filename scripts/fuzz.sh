#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, clang, ASan+UBSan) into build/fuzz and runs each for a
# bounded time: scripts/fuzz.sh [--seconds N] [harness ...] (default 15 s each, every harness).
# Seeds are written from the repository's fixtures into build/fuzz/seeds/<harness>/; inputs found
# on the way are kept in build/fuzz/corpus/<harness>/; a crash or a broken property leaves its
# input in build/fuzz/findings/<harness>/ and fails the run, naming it (docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=15
if [[ "${1:-}" == --seconds ]]; then
  seconds=$2
  shift 2
fi
build_dir=build/fuzz
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DCHIPLEDGER_FUZZ=ON >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
harnesses=("$@")
if ((${#harnesses[@]} == 0)); then
  for binary in "$build_dir"/fuzz/*_fuzz; do harnesses+=("$(basename "$binary")"); done
fi
rm -rf "$build_dir/seeds"
"$build_dir/fuzz/make_seeds" . "$build_dir/seeds"
failed=()
for harness in "${harnesses[@]}"; do
  corpus=$build_dir/corpus/$harness findings=$build_dir/findings/$harness
  rm -rf "$findings"  # only this run's findings; copy older ones away to keep them
  mkdir -p "$corpus" "$findings" "$build_dir/seeds/$harness"
  echo "fuzz: $harness for ${seconds}s"
  if ! "$build_dir/fuzz/$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "$build_dir/seeds/$harness" \
    >"$build_dir/$harness.log" 2>&1; then
    tail -n 40 "$build_dir/$harness.log"
    failed+=("$harness")
  fi
done
if ((${#failed[@]})); then
  shopt -s nullglob
  for harness in "${failed[@]}"; do
    echo "fuzz: $harness failed (log: $build_dir/$harness.log)"
    for input in "$build_dir/findings/$harness"/*; do
      echo "fuzz: reproduce with: $build_dir/fuzz/$harness $input"
    done
  done
  exit 1
fi
echo "fuzz: ${#harnesses[@]} harnesses ran ${seconds}s each without a finding"
