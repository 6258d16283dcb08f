#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds, and runs every test.
# --sanitize runs the same suite in an ASan+UBSan build; --tsan runs only the concurrency tests,
# under ThreadSanitizer (docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build_dir=$(scripts/build.sh "$@" | tail -n 1)
if [[ "${1:-}" == --tsan ]]; then
  # Group commit and concurrent appends, chipledgerd's live audit and witnessing, the witness's
  # per-log locking, the connection pool under slow and idle clients, and readers during a
  # full-disk reopen, the live audit's snapshot thread and the findings stream's poller. Every
  # process they start writes its race reports to $reports.
  reports=$PWD/$build_dir/tsan-reports
  rm -rf "$reports" && mkdir -p "$reports"
  suppressions=$PWD/scripts/tsan-suppressions.txt  # uninstrumented RocksDB and cpp-httplib only
  # exitcode=0: a process with a report still exits with its own status, so a daemon whose only
  # reports are inside uninstrumented libraries does not fail its test by exiting 66; every report
  # is judged below by tsan_reports.py instead, which fails on any in our code.
  export TSAN_OPTIONS="log_path=$reports/report second_deadlock_stack=1 exitcode=0 suppressions=$suppressions"
  status=0
  ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" --timeout 600 -R \
    '^(LedgerTest\.Concurrent|LogApiTest\.(StuckClient|LiveAudit|WhiteList)|WitnessingTest\.|DurabilityTest\.(Concurrent|AMisbehaving)|AbuseApiTest\.(Slow|Idle)|StorageFaultTest\.|FullDiskApiTest\.|AuditSnapshotRestartTest\.|FindingsStreamTest\.)' ||
    status=$?
  if compgen -G "$reports/report.*" >/dev/null && ! scripts/tsan_reports.py "$PWD" "$reports"/report.*; then
    echo "test: ThreadSanitizer reports above (also in $reports)" >&2
    exit 1
  fi
  exit "$status"
fi
# The sanitizer pass skips the Patroni failover tests (label cluster): they test processes killed
# and promoted, which the plain pass already runs, and an ASan build of them on a loaded 2-core
# machine starves Patroni's 10 s leader TTL.
exclude=()
[[ "${1:-}" == --sanitize ]] && exclude=(-LE cluster)
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" --timeout 600 "${exclude[@]}"
