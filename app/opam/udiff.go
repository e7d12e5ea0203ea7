package opam

import (
	"fmt"
	"strings"
)

// diffContext is the number of unchanged lines shown around a change, as
// with `diff -u`.
const diffContext = 3

// UnifiedDiff compares a and b line by line and returns what
// `diff -u --label leftLabel --label rightLabel` prints, or "" when they are
// equal. builder-web ran the external program; doing it here avoids temp
// files and a fork per package. The line matching follows GNU diff (see
// linediff.go), so the output is the one builder-web showed.
func UnifiedDiff(leftLabel, rightLabel string, a, b []byte) string {
	la, lb := splitLines(a), splitLines(b)
	delA, insB := diffLines(la, lb)
	ops := editScript(delA, insB)
	hunks := groupHunks(ops)
	if len(hunks) == 0 {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", leftLabel, rightLabel)
	for _, h := range hunks {
		writeHunk(&out, h, la, lb)
	}
	return out.String()
}

// splitLines keeps each line's "\n", so a last line without one differs
// from the same text with one, as it does for diff.
func splitLines(s []byte) []string {
	var lines []string
	for len(s) > 0 {
		i := strings.IndexByte(string(s), '\n')
		if i < 0 {
			lines = append(lines, string(s))
			break
		}
		lines = append(lines, string(s[:i+1]))
		s = s[i+1:]
	}
	return lines
}

type opKind byte

const (
	opEqual opKind = iota
	opDelete
	opInsert
)

type edit struct {
	kind opKind
	i, j int // line index in a (equal, delete) and in b (equal, insert)
}

// editScript lists the edits in file order; within a change, deletions come
// before insertions, as diff prints them.
func editScript(delA, insB []bool) []edit {
	var ops []edit
	i, j := 0, 0
	for i < len(delA) || j < len(insB) {
		switch {
		case i < len(delA) && delA[i]:
			ops = append(ops, edit{opDelete, i, j})
			i++
		case j < len(insB) && insB[j]:
			ops = append(ops, edit{opInsert, i, j})
			j++
		default:
			ops = append(ops, edit{opEqual, i, j})
			i++
			j++
		}
	}
	return ops
}

// groupHunks cuts the edit script into hunks: each change with up to
// diffContext equal lines around it, and changes closer than 2*diffContext
// equal lines sharing one hunk.
func groupHunks(ops []edit) [][]edit {
	var hunks [][]edit
	start, end := -1, -1 // op range of the hunk being built, end exclusive
	for k, op := range ops {
		if op.kind == opEqual {
			continue
		}
		lo := max(0, k-diffContext)
		if start >= 0 && lo > end {
			hunks = append(hunks, ops[start:end])
			start = -1
		}
		if start < 0 {
			start = lo
		}
		end = min(len(ops), k+1+diffContext)
	}
	if start >= 0 {
		hunks = append(hunks, ops[start:end])
	}
	return hunks
}

func writeHunk(out *strings.Builder, h []edit, a, b []string) {
	var na, nb int
	for _, op := range h {
		if op.kind != opInsert {
			na++
		}
		if op.kind != opDelete {
			nb++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(h[0].i, na), hunkRange(h[0].j, nb))
	for _, op := range h {
		var prefix byte
		var line string
		switch op.kind {
		case opEqual:
			prefix, line = ' ', a[op.i]
		case opDelete:
			prefix, line = '-', a[op.i]
		case opInsert:
			prefix, line = '+', b[op.j]
		}
		out.WriteByte(prefix)
		out.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange is diff's "start,count": a count of 1 is left out, and an empty
// range names the line before it.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
