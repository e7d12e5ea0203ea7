#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME (default 20s); a crasher
# is written to the package's testdata/fuzz and fails the run.
#
# Go's fuzzer can end a clean run with "context deadline exceeded" when the
# time runs out while it minimizes a new interesting input; that is not a
# crash (no failing input is written), so it does not fail the run.
set -uo pipefail
fuzztime=${FUZZTIME:-20s}
status=0
for t in $(grep -rhoE --include='*_test.go' '^func (Fuzz[A-Za-z0-9_]+)' . | sort -u | sed 's/func //'); do
  pkg=$(grep -rlE --include='*_test.go' "^func $t\(" . | head -1 | xargs dirname)
  echo "fuzz $pkg $t ($fuzztime)"
  out=$(mktemp)
  go test -run '^$' -fuzz "^$t\$" -fuzztime "$fuzztime" -fuzzminimizetime 5s "$pkg" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  if [ "$rc" != 0 ]; then
    if grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out"; then
      echo "fuzz $t: the time ran out while minimizing an interesting input; no crash"
    else
      status=1
    fi
  fi
  rm -f "$out"
done
exit $status
