package diffoscope

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// needDiffoscope skips without the real program; .ci/run installs it.
func needDiffoscope(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("diffoscope"); err != nil {
		t.Skip("diffoscope is not installed (apt-get install --no-install-recommends diffoscope)")
	}
}

// pair writes two files and returns their paths and hex SHA-256.
func pair(t *testing.T, a, b string) (lp, rp, ls, rs string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, data string) (string, string) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(data))
		return p, hex.EncodeToString(sum[:])
	}
	lp, ls = write("left", a)
	rp, rs = write("right", b)
	return lp, rp, ls, rs
}

func wait(t *testing.T, r *Runner, ls, rs string) Status {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if s := r.Status(ls, rs); s.State.Finished() && s.State != "" {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("diffoscope did not finish within 60 s")
	return Status{}
}

func TestRunCachesReport(t *testing.T) {
	needDiffoscope(t)
	cache := t.TempDir()
	r := New(Config{CacheDir: cache}, nil)
	lp, rp, ls, rs := pair(t, "hello\nworld\n", "hello\nthere\n")
	s, err := r.Request(ls, rs, lp, rp)
	if err != nil || (s.State != Queued && s.State != Running) {
		t.Fatalf("first request: %+v %v", s, err)
	}
	// A second request while it is queued or running starts nothing.
	if s, err := r.Request(ls, rs, lp, rp); err != nil || s.State.Finished() {
		t.Fatalf("second request: %+v %v", s, err)
	}
	if s := wait(t, r, ls, rs); s.State != Done {
		t.Fatalf("state %+v, want done", s)
	}
	report, err := os.ReadFile(r.ReportPath(ls, rs))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(report), "world") || !strings.Contains(string(report), "there") {
		t.Errorf("report does not show the difference:\n%.2000s", report)
	}
	// Cached: a new runner (a restart) finds it without running again.
	r2 := New(Config{CacheDir: cache}, nil)
	if s, err := r2.Request(ls, rs, lp, rp); err != nil || s.State != Done {
		t.Errorf("after restart: %+v %v", s, err)
	}
	if n := r.Started() + r2.Started(); n != 1 {
		t.Errorf("%d runs started, want 1", n)
	}
	// Nothing of the run is left besides the report.
	entries, _ := os.ReadDir(filepath.Join(cache, Dir))
	if len(entries) != 1 || entries[0].Name() != ls+"-"+rs {
		t.Errorf("cache holds %v", entries)
	}
}

func TestRunTimesOut(t *testing.T) {
	needDiffoscope(t)
	r := New(Config{CacheDir: t.TempDir(), Timeout: 100 * time.Millisecond}, nil)
	lp, rp, ls, rs := pair(t, "a\n", "b\n")
	if _, err := r.Request(ls, rs, lp, rp); err != nil {
		t.Fatal(err)
	}
	s := wait(t, r, ls, rs)
	if s.State != TimedOut || !strings.Contains(s.Reason, "100ms") {
		t.Fatalf("state %+v, want timed-out", s)
	}
	// A timed-out pair is not run again by every visitor.
	if s, _ := r.Request(ls, rs, lp, rp); s.State != TimedOut || r.Started() != 1 {
		t.Errorf("second request: %+v, %d runs", s, r.Started())
	}
	if _, err := os.Stat(r.ReportPath(ls, rs)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a report of a killed run exists: %v", err)
	}
}

func TestIdenticalAndUnavailable(t *testing.T) {
	r := New(Config{CacheDir: t.TempDir(), Program: "no-such-diffoscope-here"}, nil)
	_, _, ls, rs := pair(t, "a", "b")
	if s, err := r.Request(ls, ls, "x", "x"); err != nil || s.State != Identical {
		t.Errorf("identical: %+v %v", s, err)
	}
	if s, err := r.Request(ls, rs, "x", "y"); err != nil || s.State != Unavailable {
		t.Errorf("unavailable: %+v %v", s, err)
	}
	if _, err := r.Request("../x", rs, "x", "y"); err == nil {
		t.Error("a path as hash was accepted")
	}
}

func TestPrune(t *testing.T) {
	cache := t.TempDir()
	a, b, c := strings.Repeat("a", 64), strings.Repeat("b", 64), strings.Repeat("c", 64)
	for _, name := range []string{a + "-" + b, b + "-" + c, "unrelated"} {
		if err := os.MkdirAll(filepath.Join(cache, Dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	n, err := Prune(cache, func(sha string) (bool, error) { return sha != c, nil })
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1 removed", n, err)
	}
	for name, want := range map[string]bool{a + "-" + b: true, b + "-" + c: false, "unrelated": true} {
		_, err := os.Stat(filepath.Join(cache, Dir, name))
		if (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", name, err == nil, want)
		}
	}
}

// Close kills a run under way and leaves no report or temporary files.
func TestCloseKillsRuns(t *testing.T) {
	needDiffoscope(t)
	cache := t.TempDir()
	r := New(Config{CacheDir: cache}, nil)
	lp, rp, ls, rs := pair(t, "a\n", "b\n")
	if _, err := r.Request(ls, rs, lp, rp); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { r.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	entries, _ := os.ReadDir(filepath.Join(cache, Dir))
	if len(entries) != 0 {
		t.Errorf("cache after Close: %v", entries)
	}
	if _, err := r.Request(ls, rs, lp, rp); !errors.Is(err, ErrBusy) && r.Status(ls, rs).State != Failed {
		t.Errorf("a request after Close started a run: %v", err)
	}
}
