#!/bin/sh
# Regenerates the expected outputs of udiff_test.go with GNU diff; the
# tests themselves never run diff.
cd "$(dirname "$0")"
for a in *.a; do
	n=${a%.a}
	diff -u --label "left/$n" --label "right/$n" "$n.a" "$n.b" > "$n.diff"
done
exit 0
