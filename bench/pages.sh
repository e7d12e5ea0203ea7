#!/usr/bin/env bash
# Server-side time per page (product.md §4) on a data directory made by
# `builder-db generate --jobs 100 --platforms 4 --builds 500`: runs
# BenchmarkOverviewPages (app/overview_bench_test.go, in-process, no
# network), which picks the job, build, hash and compare pairs from the
# database itself, and prints one table: each page as a miss (page cache
# off; the targets are about misses) and as a hit (from the page cache).
# "cpu ms" is the process's CPU time per request: on this shared machine
# the wall time mostly measures how long other jobs kept the CPUs busy.
#   bench/pages.sh DATADIR [BENCHTIME [PAGES]]   (default 2s per page, all pages)
# PAGES is a regular expression of page names, e.g. 'front|job'.
#   make bench-pages DATADIR=...
# With BUILDER_WEB_DATABASE=postgres://… set, as for builder-web, the pages
# read that database (filled by `builder-db copy-database`) and DATADIR's
# files.
set -euo pipefail
data=${1:?usage: bench/pages.sh DATADIR [BENCHTIME]}
benchtime=${2:-2s}
pages=${3:-.*}
database=${BUILDER_WEB_DATABASE:-}
[ -n "$database" ] || [ -f "$data/builder.sqlite3" ] || { echo "no builder.sqlite3 in $data" >&2; exit 1; }
data=$(cd "$data" && pwd)
out=$(mktemp "${TMPDIR:-/tmp}/bw-pages.XXXXXX")
trap 'rm -f "$out"' EXIT
BUILDER_WEB_BENCH_DATADIR=$data go test -count=1 -run '^$' -bench "^BenchmarkOverviewPages\$/^(miss|hit)\$/^($pages)\$" \
  -benchtime "$benchtime" -v ./handlers >"$out" 2>&1 || { cat "$out"; exit 1; }
builds=$(grep -o 'job [^ ]* ([0-9]* builds)' "$out" | head -1 || true)
echo "data: $data; database: $(echo "${database:-$data/builder.sqlite3}" | sed -E "s#//[^@/]*@#//#"); picked $builds"
grep -o 'compare pairs.*' "$out" | head -1 | sed 's/^/picked /'
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg); $(go version | cut -d' ' -f3)"
echo
awk '
/^BenchmarkOverviewPages\/.*p50-ms/ {
  p50 = p90 = cpu = target = 0
  name = $1; sub(/^BenchmarkOverviewPages\//, "", name); sub(/-[0-9]+$/, "", name)
  for (i = 2; i < NF; i++) {
    if ($(i+1) == "p50-ms") p50 = $i
    if ($(i+1) == "p90-ms") p90 = $i
    if ($(i+1) == "cpu-ms") cpu = $i
    if ($(i+1) == "target-ms") target = $i
  }
  verdict = "-"; t = "-"
  # Only misses are held to the targets; a hit is faster by design.
  if (target > 0 && name ~ /^miss\//) { t = sprintf("%g", target); verdict = (p50 <= target) ? "ok" : "over"; if (verdict == "over") over++ }
  printf "| %-29s | %9.2f | %9.2f | %7.2f | %6s | %-4s |\n", name, p50, p90, cpu, t, verdict
  n++
}
BEGIN {
  printf "| %-29s | %9s | %9s | %7s | %6s | %-4s |\n", "page", "median ms", "p90 ms", "cpu ms", "target", "ok"
  printf "|%s|%s|%s|%s|%s|%s|\n", "-------------------------------", "----------:", "----------:", "--------:", "-------:", "------"
}
END { if (n == 0) { print "no benchmark results"; exit 1 } if (over) exit 2 }
' "$out"
