package markdown

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

// attrURL finds every href/src value the renderer writes.
var attrURL = regexp.MustCompile(`(?i)\s(?:href|src)="([^"]*)"`)

// FuzzRender checks the safety properties on arbitrary input: no panic, no
// script element, and no URL attribute that a browser would run as script.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"# Hello world",
		"<script>alert(1)</script>",
		"[x](javascript:alert(1))",
		"[x](<java\tscript:alert(1)>)",
		"![a](https://foo.com/bar.jpg \"t\")",
		"* <span>x</span> *y*",
		"| a | b |\n|---|---|\n| 1 | 2 |",
		"<javascript:alert(1)>",
		"[x][r]\n\n[r]: &#106;avascript:alert(1)",
		"`code` **b** _e_ ~~s~~",
	} {
		f.Add(s, 0)
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, src string, offset int) {
		offset %= 8
		out, err := Render([]byte(src), offset)
		if err != nil {
			return
		}
		if strings.Contains(strings.ToLower(out), "<script") {
			t.Fatalf("output contains <script: %q -> %q", src, out)
		}
		for _, m := range attrURL.FindAllStringSubmatch(out, -1) {
			// What the browser sees: entities decoded, tabs/newlines and
			// leading controls and spaces removed.
			v := strings.Map(func(r rune) rune {
				if r == '\t' || r == '\n' || r == '\r' {
					return -1
				}
				return r
			}, html.UnescapeString(m[1]))
			v = strings.ToLower(strings.TrimLeft(v, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
			for _, bad := range []string{"javascript:", "vbscript:", "data:"} {
				if strings.HasPrefix(v, bad) {
					t.Fatalf("dangerous URL %q in output: %q -> %q", m[1], src, out)
				}
			}
		}
	})
}
