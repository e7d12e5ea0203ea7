#!/usr/bin/env bash
# Throughput of a running builder-web over a data directory (product.md §4):
# starts the server on 127.0.0.1 over DATADIR (without migrating it) and runs
# bench/load against the front page, a job page and /healthz in the same
# run, and a static file of the front page's size served by Go's file server
# (the yardstick: pages at the speed of static files). Compare the "vs
# healthz" column between runs; absolute numbers move
# with whatever else the machine does.
#   bench/load.sh DATADIR [load flags: -c 8 -d 5s -rounds 3 -job NAME]
#   make load DATADIR=...
# BUILDER_WEB_FLAGS adds server flags, e.g. "--page-cache-size 0" to
# measure without the page cache.
set -euo pipefail
data=${1:?usage: bench/load.sh DATADIR [load flags]}
shift
[ -f "$data/builder.sqlite3" ] || { echo "no builder.sqlite3 in $data" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/bw-load.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/bin/" ./cmd/builder-web ./bench/load
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$work/bin/builder-web" --datadir "$data" --configdir "$work" --host 127.0.0.1 --port "$port" \
  --no-migrate ${BUILDER_WEB_FLAGS:-} >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 200); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$work/bin/load" -addr "127.0.0.1:$port" "$@"
echo "builder-web peak RSS (VmHWM): $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$pid/status")"
if grep -q 'database is locked' "$work/log"; then echo 'server log mentions "database is locked"'; exit 1; fi
