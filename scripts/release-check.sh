#!/usr/bin/env bash
# make release-check: builds the release of HEAD twice, from two clones in
# two different directories, each with an empty Go build cache (so that
# nothing is shared but the module downloads), and requires byte-identical
# files. Takes a few minutes: SQLite is compiled from C twice.
set -euo pipefail
cd "$(dirname "$0")/.."
# The rc.d script is plain sh; at least its syntax is checked here.
sh -n packaging/freebsd/rc.d/builder_web
for f in postinst prerm postrm; do sh -n "packaging/debian/$f"; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$(pwd)
rev=$(git rev-parse HEAD) # once: a commit made meanwhile must not change the second tree
for d in a/one b/second-tree; do
  git clone -q --no-hardlinks "$src" "$work/$d"
  (cd "$work/$d" && git checkout -q "$rev")
  GOCACHE="$work/cache-${d%%/*}" "$work/$d/scripts/release.sh" >/dev/null
done
if ! diff -r "$work/a/one/dist" "$work/b/second-tree/dist"; then
  echo "release-check: the two builds differ" >&2
  exit 1
fi
echo "release-check: two builds in different directories are byte-identical:"
cat "$work/a/one/dist/SHA256SUMS"
