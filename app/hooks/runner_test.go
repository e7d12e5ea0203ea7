package hooks_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/hooks"
	"github.com/builder-web/builder-web/app/ingest"
)

// records keeps log records as "message key=value ..." lines.
type records struct {
	mu    sync.Mutex
	lines []string
}

func (r *records) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lines)
}

// capture is a slog.Handler writing into records.
type capture struct {
	r    *records
	with []slog.Attr
}

func (h capture) Enabled(context.Context, slog.Level) bool { return true }
func (h capture) WithGroup(string) slog.Handler            { return h }
func (h capture) WithAttrs(as []slog.Attr) slog.Handler {
	return capture{h.r, append(slices.Clone(h.with), as...)}
}

func (h capture) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Message)
	for _, a := range h.with {
		b.WriteString(" " + a.String())
	}
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key != "duration" {
			b.WriteString(" " + a.String())
		}
		return true
	})
	h.r.mu.Lock()
	h.r.lines = append(h.r.lines, b.String())
	h.r.mu.Unlock()
	return nil
}

func build() ingest.Build {
	return ingest.Build{UUID: "3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18", Job: "j", Platform: "p",
		Start:      time.Date(2024, 9, 4, 13, 20, 11, 532e6, time.UTC),
		MainBinary: &ingest.Artifact{Path: "bin/x", SHA256: make([]byte, 32), Size: 1}}
}

func runOnce(t *testing.T, dir string) []string {
	t.Helper()
	rec := &records{}
	r, err := hooks.New(hooks.Config{Dir: dir, DataDir: t.TempDir(), Timeout: 10 * time.Second}, slog.New(capture{r: rec}), nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Enqueue(build())
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := r.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	return rec.all()
}

func hookDir(t *testing.T, name, script string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, name), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func contains(lines []string, want string) bool {
	for _, l := range lines {
		if strings.Contains(l, want) {
			return true
		}
	}
	return false
}

// The operator finds a hook's output and its failure in the log, line by
// line, with the hook and the build named.
func TestHookOutputLogged(t *testing.T) {
	long := strings.Repeat("x", 10000)
	dir := hookDir(t, "say.sh", "#!/bin/sh\necho hello\necho oops >&2\nprintf '"+long+"\\n'\nprintf 'no newline'\nexit 3\n")
	lines := runOnce(t, dir)
	for _, want := range []string{
		"upload hook output hook=say.sh job=j uuid=3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18 stream=stdout line=hello",
		"stream=stderr line=oops",
		"line=" + strings.Repeat("x", 4096) + " [line cut]",
		"stream=stdout line=no newline",
		"upload hook failed hook=say.sh job=j uuid=3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18 reason=exit",
	} {
		if !contains(lines, want) {
			t.Errorf("log lacks %.120q; log:\n%.2000s", want, strings.Join(lines, "\n"))
		}
	}
	if contains(lines, strings.Repeat("x", 4097)) {
		t.Error("a long output line was logged whole")
	}
}

// A script without a #! line runs under sh, as with the reference.
func TestHookWithoutShebang(t *testing.T) {
	dir := hookDir(t, "plain.sh", "echo \"args: $#\"\n")
	lines := runOnce(t, dir)
	if !contains(lines, "line=args: 9") || !contains(lines, "upload hook finished hook=plain.sh") {
		t.Errorf("log:\n%s", strings.Join(lines, "\n"))
	}
}

// A missing hooks directory is no error and runs nothing.
func TestNoHooksDirectory(t *testing.T) {
	names, err := hooks.List(filepath.Join(t.TempDir(), "missing"))
	if err != nil || names != nil {
		t.Errorf("List(missing) = %v, %v; want nothing", names, err)
	}
	if lines := runOnce(t, filepath.Join(t.TempDir(), "missing")); len(lines) != 0 {
		t.Errorf("log:\n%s", strings.Join(lines, "\n"))
	}
}

// Shutdown kills hooks that outlast it and says so.
func TestShutdownKillsRunningHooks(t *testing.T) {
	dir := hookDir(t, "slow.sh", "#!/bin/sh\nsleep 60\n")
	rec := &records{}
	r, err := hooks.New(hooks.Config{Dir: dir, DataDir: t.TempDir()}, slog.New(capture{r: rec}), nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Enqueue(build())
	time.Sleep(200 * time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	begin := time.Now()
	if err := r.Shutdown(ctx); err == nil {
		t.Error("Shutdown reported success with a hook killed")
	}
	if d := time.Since(begin); d > 10*time.Second {
		t.Errorf("Shutdown took %v", d)
	}
	if !contains(rec.all(), "upload hook killed: server stopped hook=slow.sh") {
		t.Errorf("log:\n%s", strings.Join(rec.all(), "\n"))
	}
	r.Enqueue(build()) // after shutdown: dropped, not a panic
	if !contains(rec.all(), "upload hooks not run: server is stopping") {
		t.Errorf("log:\n%s", strings.Join(rec.all(), "\n"))
	}
}
