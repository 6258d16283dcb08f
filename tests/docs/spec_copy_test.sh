#!/bin/sh
# docs/SPEC.md is a copy of the contract, ../shared/SPEC.md next to the clone: the two must not
# drift apart. Without the shared folder (a clone on its own) there is nothing to compare with.
root=$1
shared=$root/../shared/SPEC.md
if [ ! -f "$shared" ]; then
  echo "skipped: $shared is absent (a clone without the shared folder); docs/SPEC.md not compared"
  exit 77
fi
if ! cmp -s "$shared" "$root/docs/SPEC.md"; then
  diff -u "$root/docs/SPEC.md" "$shared" | head -n 40
  echo "docs/SPEC.md differs from $shared (above); bring the copy up to date:"
  echo "  cp $shared $root/docs/SPEC.md"
  exit 1
fi
echo "docs/SPEC.md is $shared"
