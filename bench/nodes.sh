#!/usr/bin/env bash
# One builder-web node against two (issue 16), on this machine, in one run:
# starts a throw-away PostgreSQL cluster (scripts/pg-test-cluster), fills it
# with a generated data set (builder-db generate), then measures with node
# a alone and with nodes a and b on the same database and data directory:
# uploads/s with 16 uploaders (bench/uploads) and front page and /healthz
# requests/s with 8 keep-alive clients (bench/load), the clients split over
# the nodes as a load balancer would. Prints one table with each two-node
# number as a ratio of the one-node number. Both nodes share the machine's
# cores, so two nodes are not expected to be faster here: the table shows
# that they work and what the second node costs.
#   bench/nodes.sh            (run from the repository root; make bench-nodes)
# Environment: JOBS, PLATFORMS, BUILDS (data set, default 50 x 4 x 50 =
# 10,000 builds), UPLOAD_SECONDS (default 10), LOAD_SECONDS per round
# (default 5, 3 rounds).
set -euo pipefail
jobs=${JOBS:-50} platforms=${PLATFORMS:-4} builds=${BUILDS:-50}
upload_d=${UPLOAD_SECONDS:-10}s load_d=${LOAD_SECONDS:-5}s
work=$(mktemp -d "${TMPDIR:-/tmp}/bw-nodes.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  scripts/pg-test-cluster stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT
# The PostgreSQL user (nobody) must reach its directory.
chmod 755 "$work"
go build -o "$work/bin/" ./cmd/builder-web ./cmd/builder-db ./bench/load ./bench/uploads
url=$(scripts/pg-test-cluster start "$work/pg")
data=$work/data
"$work/bin/builder-db" generate --database "$url" --datadir "$data" \
  --jobs "$jobs" --platforms "$platforms" --builds "$builds" >"$work/generate.log"
# Statistics for the planner now rather than whenever autovacuum gets to
# the freshly filled tables, which would land in one of the measurements.
psql -q "$url" -c ANALYZE
printf 'bench-password\n' | "$work/bin/builder-db" user-add bench --unrestricted \
  --database "$url" --datadir "$data" >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_node NAME: starts a node on a free port; its address in $addr.
start_node() {
  local port; port=$(free_port)
  mkdir -p "$work/conf-$1"
  BUILDER_WEB_NODE=$1 "$work/bin/builder-web" --database "$url" --datadir "$data" \
    --configdir "$work/conf-$1" --host 127.0.0.1 --port "$port" >"$work/node-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
  curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" || { cat "$work/node-$1.log" >&2; exit 1; }
  addr=127.0.0.1:$port
}

# measure LABEL SEED ADDRS: uploads, then front and healthz; keeps the
# numbers in $work/LABEL.* and shows the tools' own output.
measure() {
  echo "== $1: $3 (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  "$work/bin/uploads" -addr "$3" -auth bench:bench-password -c 16 -d "$upload_d" -seed "$2" | tee "$work/$1.up"
  "$work/bin/load" -addr "$3" -c 8 -d "$load_d" -rounds 3 -pages front | tee "$work/$1.load"
}
num() { awk -v k="$2" '$1 == k { print $NF }' "$1"; }   # uploads/s line
rps() { awk -v k="$2" 'NF == 9 && $1 == k { print $4 }' "$1"; }  # load's "rps med"

start_node a; a=$addr
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "data set: $(tail -n 1 "$work/generate.log")"
measure one 1001 "$a"
start_node b; b=$addr
measure two 1002 "$a,$b"
for n in a b; do
  if grep -q 'level=ERROR' "$work/node-$n.log"; then
    echo "node $n logged errors:"; grep 'level=ERROR' "$work/node-$n.log" | head -n 5; exit 1
  fi
done

python3 - "$(num "$work/one.up" uploads/s)" "$(num "$work/two.up" uploads/s)" \
  "$(rps "$work/one.load" front)" "$(rps "$work/two.load" front)" \
  "$(rps "$work/one.load" healthz)" "$(rps "$work/two.load" healthz)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import sys
u1, u2, f1, f2, h1, h2 = map(float, sys.argv[1:7])
print()
print(f"{'':30} {'one node':>10} {'two nodes':>10} {'two/one':>8}")
for name, one, two in [("uploads/s (16 uploaders)", u1, u2),
                       ("front page req/s (8 clients)", f1, f2),
                       ("/healthz req/s (8 clients)", h1, h2)]:
    print(f"{name:30} {one:10.1f} {two:10.1f} {two/one:8.2f}")
print(f"{'front as share of /healthz':30} {f1/h1:10.2f} {f2/h2:10.2f} {(f2/h2)/(f1/h1):8.2f}")
print(f"load average at the end: {sys.argv[7]}")
PY
