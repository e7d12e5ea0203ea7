#!/usr/bin/env bash
# Upload of a large artifact (product.md §4): peak RSS of builder-web and
# throughput, next to `dd bs=4M conv=fsync` writing the same file on the
# same file system in the same run.
#   bench/upload.sh [SIZE]      (default 1G; run from the repository root)
set -euo pipefail
size=${1:-1G}
work=$(mktemp -d "${TMPDIR:-/tmp}/bw-upload.XXXXXX")
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
pid=
go build -o "$work/bin/" ./cmd/builder-web ./cmd/builder-db ./bench/mkrecord
data=$work/data
"$work/bin/builder-db" migrate --datadir "$data" >/dev/null
printf 'bench-password\n' | "$work/bin/builder-db" user-add bench --unrestricted --datadir "$data" >/dev/null
"$work/bin/mkrecord" -size "$size" -o "$work/big.full"
bytes=$(stat -c %s "$work/big.full")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$work/bin/builder-web" --datadir "$data" --configdir "$work" --host 127.0.0.1 --port "$port" \
  --max-upload-size 4G >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/robots.txt" && break; sleep 0.1; done

# dd first, then the upload, so both find the record in the page cache.
sync
dd_start=$(date +%s.%N)
dd if="$work/big.full" of="$data/dd.out" bs=4M conv=fsync status=none
dd_end=$(date +%s.%N)
rm -f "$data/dd.out"
sync

up_start=$(date +%s.%N)
code=$(curl -s -o "$work/resp" -w '%{http_code}' -X POST -H 'Content-Type: application/octet-stream' \
  -T "$work/big.full" "http://bench:bench-password@127.0.0.1:$port/upload")
up_end=$(date +%s.%N)
[ "$code" = 201 ] || { echo "upload: HTTP $code: $(cat "$work/resp")"; exit 1; }
rss_kib=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")

python3 - "$bytes" "$dd_start" "$dd_end" "$up_start" "$up_end" "$rss_kib" <<'PY'
import sys
b, dds, dde, ups, upe, rss = float(sys.argv[1]), *map(float, sys.argv[2:6]), int(sys.argv[6])
dd = b / (dde - dds) / 1e6
up = b / (upe - ups) / 1e6
ratio = up / dd
print(f"record size        {b/2**20:.0f} MiB")
print(f"dd bs=4M fsync     {dd:.0f} MB/s")
print(f"upload (201)       {up:.0f} MB/s  ({ratio*100:.0f}% of dd)")
print(f"builder-web VmHWM  {rss/1024:.1f} MiB")
ok = rss < 64 * 1024 and ratio >= 0.70
print("result            ", "ok" if ok else "FAIL (targets: RSS < 64 MiB, >= 70% of dd)")
sys.exit(0 if ok else 1)
PY
