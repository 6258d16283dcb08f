#!/usr/bin/env python3
"""Prints the ThreadSanitizer reports that touch chipledger's own code and fails if there are any.

Usage: tsan_reports.py SOURCE_ROOT REPORT_FILE...

RocksDB is linked from Debian's uninstrumented static library: TSan sees its memory accesses
through the memcpy/memcmp/new/delete interceptors but not its lock-free synchronisation, and it
cannot unwind its stacks, so some of its internal races come with no RocksDB frame to suppress by
name (scripts/tsan-suppressions.txt catches those that have one). A report is ours when a frame of
either racing access lies in a source file under SOURCE_ROOT (our code is built with -g); the
others are counted and named, not failed on.
"""
import re
import sys

ACCESS = re.compile(r"^\s*(Previous )?(atomic )?(read|write)", re.IGNORECASE)


def racing_stacks(report):
    """The paragraphs of a report that describe the two racing accesses."""
    return [p for p in report.split("\n\n") if ACCESS.match(p.strip().splitlines()[0] if p.strip() else "")]


def main():
    root, paths = sys.argv[1].rstrip("/") + "/", sys.argv[2:]
    ours, theirs = 0, 0
    for path in paths:
        with open(path, errors="replace") as f:
            text = f.read()
        for report in text.split("==================\n"):
            if "WARNING: ThreadSanitizer" not in report:
                continue
            if any(root in stack for stack in racing_stacks(report)):
                ours += 1
                print(report)
            else:
                theirs += 1
    print(f"tsan: {ours} report(s) in chipledger code, {theirs} inside uninstrumented libraries "
          "(not failed on)", file=sys.stderr)
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
