#!/usr/bin/env bash
# Server-side time per page (product.md §4) on a data directory made by
# `builder-db generate --jobs 100 --platforms 4 --builds 500`: runs
# BenchmarkOverviewPages (app/overview_bench_test.go, in-process, no
# network), which picks the job, build, hash and compare pairs from the
# database itself, and prints one table.
#   bench/pages.sh DATADIR [BENCHTIME]     (default 2s per page)
#   make bench-pages DATADIR=...
# BUILDER_WEB_BENCH_PAGE_CACHE_SIZE=-1 times misses (page cache off);
# by default repeated requests of a page are page cache hits.
set -euo pipefail
data=${1:?usage: bench/pages.sh DATADIR [BENCHTIME]}
benchtime=${2:-2s}
[ -f "$data/builder.sqlite3" ] || { echo "no builder.sqlite3 in $data" >&2; exit 1; }
data=$(cd "$data" && pwd)
out=$(mktemp "${TMPDIR:-/tmp}/bw-pages.XXXXXX")
trap 'rm -f "$out"' EXIT
BUILDER_WEB_BENCH_DATADIR=$data go test -count=1 -run '^$' -bench '^BenchmarkOverviewPages$' \
  -benchtime "$benchtime" -v ./app >"$out" 2>&1 || { cat "$out"; exit 1; }
builds=$(grep -o 'job [^ ]* ([0-9]* builds)' "$out" | head -1 || true)
echo "data: $data; picked $builds; page cache size ${BUILDER_WEB_BENCH_PAGE_CACHE_SIZE:-default} (-1 = off: misses)"
grep -o 'compare pairs.*' "$out" | head -1 | sed 's/^/picked /'
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg); $(go version | cut -d' ' -f3)"
echo
awk '
/^BenchmarkOverviewPages\/.*p50-ms/ {
  p50 = p90 = target = 0
  name = $1; sub(/^BenchmarkOverviewPages\//, "", name); sub(/-[0-9]+$/, "", name)
  for (i = 2; i < NF; i++) {
    if ($(i+1) == "p50-ms") p50 = $i
    if ($(i+1) == "p90-ms") p90 = $i
    if ($(i+1) == "target-ms") target = $i
  }
  verdict = "-"; t = "-"
  if (target > 0) { t = sprintf("%g", target); verdict = (p50 <= target) ? "ok" : "over"; if (verdict == "over") over++ }
  printf "| %-22s | %9.2f | %9.2f | %6s | %-4s |\n", name, p50, p90, t, verdict
  n++
}
BEGIN {
  printf "| %-22s | %9s | %9s | %6s | %-4s |\n", "page", "median ms", "p90 ms", "target", "ok"
  printf "|%s|%s|%s|%s|%s|\n", "------------------------", "-----------", "-----------", "--------", "------"
}
END { if (n == 0) { print "no benchmark results"; exit 1 } if (over) exit 2 }
' "$out"
