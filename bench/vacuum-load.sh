#!/usr/bin/env bash
# Vacuum under load (issue 17): starts builder-web on 127.0.0.1 over DATADIR,
# loads it with bench/load (front, job, build, compare, /healthz, a 304) and
# meanwhile runs `builder-db vacuum` in another process; when the vacuum
# ends, the load is interrupted and reports every page's requests and its
# slowest one. The bar: no failed request (bench/load stops at the first
# non-200) and none slower than 1 s.
#   bench/vacuum-load.sh DATADIR [VACUUM ARGS]   (default: except-latest 50)
# VACUUM ARGS are builder-db vacuum's, e.g. "except-latest 50 --batch 50".
# BUILDER_WEB_FLAGS adds server flags; LOAD_FLAGS replaces "-c 8 -d 20s".
# The vacuum removes builds and files from DATADIR: run it on a copy. Copy
# only builder.sqlite3 (with `sqlite3 -readonly SRC ".backup DST"`) and
# hard-link the rest, but never builder.sqlite3-wal or -shm: a hard-linked
# WAL would carry this run's writes into the original.
set -euo pipefail
data=${1:?usage: bench/vacuum-load.sh DATADIR [vacuum args]}
shift
vac=("$@")
[ ${#vac[@]} -gt 0 ] || vac=(except-latest 50)
[ -f "$data/builder.sqlite3" ] || { echo "no builder.sqlite3 in $data" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/bw-vacload.XXXXXX")
pid= loadpid=
trap '[ -n "$loadpid" ] && kill "$loadpid" 2>/dev/null; [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/bin/" ./cmd/builder-web ./cmd/builder-db ./bench/load
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$work/bin/builder-web" --datadir "$data" --configdir "$work" --host 127.0.0.1 --port "$port" \
  --no-migrate ${BUILDER_WEB_FLAGS:-} >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 200); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); builds: $(sqlite3 -readonly "$data/builder.sqlite3" 'SELECT count(*) FROM build')"
# 10 rounds of up to 20 s per page: longer than the vacuum; interrupted when it ends.
"$work/bin/load" -addr "127.0.0.1:$port" ${LOAD_FLAGS:--c 8 -d 20s} -rounds 10 >"$work/load.out" 2>&1 &
loadpid=$!
sleep 2
start=$(date +%s)
set +e
/usr/bin/time -f "vacuum: %e s, peak RSS %M KiB" "$work/bin/builder-db" vacuum "${vac[@]}" --datadir "$data" \
  >"$work/vacuum.out" 2>"$work/vacuum.err"
status=$?
set -e
echo "vacuum ${vac[*]}: exit $status after $(( $(date +%s) - start )) s; $(grep -c . "$work/vacuum.out") lines of output"
tail -3 "$work/vacuum.out"; cat "$work/vacuum.err"
kill -INT "$loadpid" 2>/dev/null || true
wait "$loadpid" || echo "load: FAILED (a request failed, see below)"
loadpid=
cat "$work/load.out"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "builder-web peak RSS (VmHWM): $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$pid/status")"
echo "builds left: $(sqlite3 -readonly "$data/builder.sqlite3" 'SELECT count(*) FROM build')"
# The server's own duration of every request of 500 ms or more (text log:
# duration=1.2s, 640ms, 80µs): which pages stalled, and when.
awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^duration=/) { d = substr($i, 10); ms = 0
    if (d ~ /ms$/) ms = d + 0; else if (d !~ /[µun]s$/ && d ~ /s$/) ms = (d + 0) * 1000
    if (ms >= 500) print ms, $0 } }' "$work/log" | sort -n >"$work/slow"
echo "requests of 500 ms or more in the server log: $(wc -l <"$work/slow"); the slowest:"
tail -10 "$work/slow" | sed 's/^/  /'
if grep -q 'database is locked' "$work/log"; then echo 'server log mentions "database is locked"'; exit 1; fi
