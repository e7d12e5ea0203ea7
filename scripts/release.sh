#!/usr/bin/env bash
# Reproducible release build (make release): the three binaries, statically
# linked (cgo SQLite included), a Debian package and SHA256SUMS, into
# ${DIST:-dist}/. Everything that could differ between two builds of the
# same commit is pinned: paths (-trimpath), VCS stamp (-buildvcs=false),
# Go and GNU build ids (-buildid=, and ld's build id is then a hash of the
# content), time (SOURCE_DATE_EPOCH from the last commit), file owners,
# modes and order in the package. scripts/release-check.sh builds twice in
# two directories and compares the bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${DIST:-dist}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export TZ=UTC LC_ALL=C CGO_ENABLED=1 GOFLAGS=-mod=readonly
umask 022

# A tag vX.Y.Z on the commit is the version; otherwise the commit's time and hash.
if tag=$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null); then
  version=${tag#v}
else
  version="0~$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d%H%M%S).g$(git rev-parse --short=12 HEAD)"
fi
arch=$(go env GOARCH)

rm -rf "$dist"
mkdir -p "$dist"
# osusergo,netgo: no glibc NSS (which cannot be linked statically);
# sqlite_omit_load_extension: no dlopen in a static binary.
for cmd in builder-web builder-db builder-migrations; do
  go build -trimpath -buildvcs=false \
    -tags 'osusergo netgo sqlite_omit_load_extension' \
    -ldflags '-buildid= -s -w -linkmode external -extldflags "-static"' \
    -o "$dist/$cmd" "./cmd/$cmd"
done

# The Debian package: the binaries in /usr/bin, the systemd unit (pointing
# there), a system user made by postinst.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
install -d -m 755 "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/share/doc/builder-web"
for cmd in builder-web builder-db builder-migrations; do
  install -m 755 "$dist/$cmd" "$root/usr/bin/$cmd"
done
sed 's|/usr/local/bin/builder-web|/usr/bin/builder-web|' packaging/builder-web.service >"$root/lib/systemd/system/builder-web.service"
chmod 644 "$root/lib/systemd/system/builder-web.service"
install -m 644 README.md "$root/usr/share/doc/builder-web/README.md"
install -m 644 packaging/debian/copyright "$root/usr/share/doc/builder-web/copyright"
for f in postinst prerm postrm; do
  install -m 755 "packaging/debian/$f" "$root/DEBIAN/$f"
done
installed=$(du -sk --apparent-size "$root/usr" "$root/lib" | awk '{s += $1} END {print s}')
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$(dpkg --print-architecture)|" -e "s|@SIZE@|$installed|" \
  packaging/debian/control >"$root/DEBIAN/control"
chmod 644 "$root/DEBIAN/control"
# Every mtime is the commit's time (dpkg-deb also uses SOURCE_DATE_EPOCH for
# the archive members); directories are 755 whatever the umask was.
find "$root" -type d -exec chmod 755 {} +
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
deb="builder-web_${version}_$(dpkg --print-architecture).deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$dist/$deb" >/dev/null

(cd "$dist" && sha256sum builder-web builder-db builder-migrations "$deb" >SHA256SUMS)
echo "release $version ($arch) in $dist/:"
cat "$dist/SHA256SUMS"
