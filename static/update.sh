#!/bin/sh
# Refresh the vendored third-party files in this directory from the npm registry.
#
#   ./update.sh           re-fetch the versions pinned in VERSIONS and verify that the
#                         files here are byte-identical to the published ones
#   ./update.sh --latest  fetch the newest release inside each package's range
#                         (htmx 2.0.x, htmx-ext-sse 2.x, Pico 2.x), copy it here and
#                         rewrite VERSIONS; review the diff and run the tests afterwards
#
# `npm pack` downloads through npm's cache and checks the registry's integrity hash, so
# nothing here trusts a bare URL. Needs npm, tar and sha256sum.
set -eu

cd "$(dirname "$0")"
mode=${1:-verify}
case $mode in
verify | --latest) ;;
*)
	echo "usage: $0 [--latest]" >&2
	exit 2
	;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
new=$work/VERSIONS
grep '^#' VERSIONS >"$new"
status=0

grep -v '^#' VERSIONS | while read -r pkg version range inner file sum; do
	[ -n "$pkg" ] || continue
	if [ "$mode" = --latest ]; then
		# npm lists every matching version, not in semver order: sort them ourselves.
		version=$(npm view "$pkg@$range" version --json 2>/dev/null | tr -d '[]", ' | grep . | sort -V | tail -n 1)
	fi
	dir=$work/$(echo "$pkg" | tr '@/' '__')
	mkdir -p "$dir"
	tarball=$(cd "$dir" && npm pack --silent "$pkg@$version" 2>/dev/null | tail -n 1)
	tar -xzf "$dir/$tarball" -C "$dir"
	got=$(sha256sum "$dir/$inner" | cut -d' ' -f1)
	if [ "$mode" = --latest ]; then
		cp "$dir/$inner" "$file"
		# Keep the licence next to the file: MIT (Pico) requires shipping the notice.
		for lic in LICENSE LICENSE.md; do
			if [ -f "$dir/package/$lic" ]; then
				cp "$dir/package/$lic" "licenses/$(echo "$pkg" | sed 's/^@//; s#/#-#').txt"
				break
			fi
		done
		echo "$pkg $version: $file $got"
	elif [ "$got" != "$sum" ] || [ "$(sha256sum "$file" | cut -d' ' -f1)" != "$sum" ]; then
		echo "MISMATCH $pkg $version: $file (published $got, recorded $sum)" >&2
		echo fail >"$work/failed"
	else
		echo "ok $pkg $version: $file"
	fi
	printf '%-14s %-7s %-6s %-26s %-13s %s\n' "$pkg" "$version" "$range" "$inner" "$file" "$got" >>"$new"
done

if [ -f "$work/failed" ]; then
	status=1
elif [ "$mode" = --latest ]; then
	cp "$new" VERSIONS
fi
exit $status
