package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The progress of generate, include, verify and viz is drawn only on a
// terminal: with standard error redirected to a file (cron, a log) the
// commands write no status line there, nor any control character.
func TestProgressQuietOffTerminal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	stderr, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	files := []string{filepath.Join(t.TempDir(), "none.full")} // an include that fails: it still steps
	if err := os.WriteFile(files[0], []byte("not a record"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"generate", "-d", dir, "--jobs", "2", "--platforms", "1", "--builds", "20", "--seed", "3"}, 0},
		{[]string{"verify-data-dir", "-d", dir}, 0},
		{[]string{"viz", "-d", dir}, 0},
		{[]string{"include", "-d", dir, "--user", "generate", files[0]}, 1},
	} {
		var out strings.Builder
		if code := run(tc.args, strings.NewReader(""), &out, stderr); code != tc.code {
			t.Fatalf("builder-db %q: exit %d, want %d; stdout %q", tc.args, code, tc.code, out.String())
		}
	}
	b, err := os.ReadFile(stderr.Name())
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(string(b), "\r\x1b█") || strings.Contains(string(b), "it/s") {
		t.Errorf("standard error (a file) got a progress line:\n%q", b)
	}
}
