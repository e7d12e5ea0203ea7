package opam

import udiff "github.com/aymanbagabas/go-udiff"

// UnifiedDiff compares a and b line by line and returns what
// `diff -u --label leftLabel --label rightLabel` prints, or "" when they are
// equal. The reference ran the external program; a library avoids temp files
// and a fork per package. go-udiff prints the same hunks as GNU diff on every
// opam file of the shared vectors; where several equally short diffs exist
// (repeated lines) it may pick other lines than GNU's tie-breaking, with as
// many lines added and removed (udiff_test.go).
func UnifiedDiff(leftLabel, rightLabel string, a, b []byte) string {
	return udiff.Unified(leftLabel, rightLabel, string(a), string(b))
}
