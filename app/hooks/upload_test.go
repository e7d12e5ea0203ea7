package hooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// These tests run the real server (apptest) with hook scripts in a
// temporary configuration directory and upload shared vectors.

const (
	user = "builder"
	pw   = "upload-secret"
)

// writeHook creates CONFIGDIR/upload-hooks/name with the script and mode.
func writeHook(t *testing.T, configDir, name, script string, mode os.FileMode) {
	t.Helper()
	dir := filepath.Join(configDir, "upload-hooks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // WriteFile's mode is masked by the umask
		t.Fatal(err)
	}
}

func start(t *testing.T, configDir string, timeout time.Duration) *apptest.Env {
	t.Helper()
	env := apptest.New(t, func(c *server.Config) {
		c.ConfigDir = configDir
		c.HookTimeout = timeout
	})
	env.AddUser(t, user, pw, false)
	return env
}

func upload(t *testing.T, env *apptest.Env, vector string) {
	t.Helper()
	if r := env.Upload(t, "/upload", user, pw, apptest.Vector(t, vector)); r.Status != http.StatusCreated {
		t.Fatalf("upload %s: status %d (%s), want 201", vector, r.Status, r.Body)
	}
}

// drain waits until every queued and running hook has finished.
func drain(t *testing.T, env *apptest.Env) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := env.App.Hooks.Shutdown(ctx); err != nil {
		t.Fatalf("waiting for hooks: %v", err)
	}
}

// recorder is a hook that writes its arguments, one per line, to out.
func recorder(out string) string {
	return "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + out + ".tmp && mv " + out + ".tmp " + out + "\n"
}

func TestHookArguments(t *testing.T) {
	configDir, scratch := t.TempDir(), t.TempDir()
	args := filepath.Join(scratch, "args")
	writeHook(t, configDir, "10-record.sh", recorder(args), 0o755)
	// None of these may run: each would leave a marker behind.
	marker := func(name string) string {
		return "#!/bin/sh\ntouch " + filepath.Join(scratch, name) + "\n"
	}
	writeHook(t, configDir, "20-sample.sh.sample", marker("sample"), 0o755)
	writeHook(t, configDir, "30-noexec.sh", marker("noexec"), 0o644)
	writeHook(t, configDir, "40-owner-only.sh", marker("owner-only"), 0o744)
	writeHook(t, configDir, "50-no-extension", marker("no-extension"), 0o755)
	if err := os.Mkdir(filepath.Join(configDir, "upload-hooks", "60-dir.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := start(t, configDir, 0)

	upload(t, env, "success_hvt.full")
	drain(t, env)

	var sc struct {
		UUID string `json:"uuid"`
		Job  struct {
			Name     string `json:"name"`
			Platform string `json:"platform"`
		} `json:"job"`
		Start struct {
			UnixMS int64 `json:"unix_ms"`
		} `json:"start"`
		Derived struct {
			Stored []struct {
				Path   string `json:"path"`
				SHA256 string `json:"sha256"`
			} `json:"stored_artifacts"`
			MainBinary string `json:"main_binary"`
		} `json:"builder_web_derived"`
	}
	b, err := os.ReadFile(strings.TrimSuffix(testenv.Vector(t, "success_hvt.full"), ".full") + ".json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sc); err != nil {
		t.Fatal(err)
	}
	var sha string
	for _, a := range sc.Derived.Stored {
		if a.Path == sc.Derived.MainBinary {
			sha = a.SHA256
		}
	}
	dataDir, err := filepath.Abs(env.Dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"--build-time=" + time.UnixMilli(sc.Start.UnixMS).UTC().Format("20060102150405"),
		"--sha256=" + sha,
		"--job=" + sc.Job.Name,
		"--uuid=" + sc.UUID,
		"--platform=" + sc.Job.Platform,
		"--cache-dir=" + filepath.Join(dataDir, "_cache"),
		"--data-dir=" + dataDir,
		"--main-binary-filepath=" + sc.Derived.MainBinary,
		filepath.Join(dataDir, "_artifacts", sha[:2], sha),
	}
	got, err := os.ReadFile(args)
	if err != nil {
		t.Fatalf("the hook did not run: %v", err)
	}
	if g, w := string(got), strings.Join(want, "\n")+"\n"; g != w {
		t.Errorf("hook arguments:\n%s\nwant:\n%s", g, w)
	}
	if _, err := os.Stat(want[len(want)-1]); err != nil {
		t.Errorf("the main binary's path does not exist: %v", err)
	}
	for _, m := range []string{"sample", "noexec", "owner-only", "no-extension"} {
		if _, err := os.Stat(filepath.Join(scratch, m)); err == nil {
			t.Errorf("hook %q ran; it should have been skipped", m)
		}
	}
}

// A build without a main binary runs no hook; a bare binary runs them.
func TestHooksOnlyForMainBinaries(t *testing.T) {
	configDir, scratch := t.TempDir(), t.TempDir()
	args := filepath.Join(scratch, "args")
	writeHook(t, configDir, "record.sh", recorder(args), 0o755)
	env := start(t, configDir, 0)

	upload(t, env, "failed_exit1.full")
	waitHooksIdle(t, env)
	if _, err := os.Stat(args); err == nil {
		t.Fatal("a hook ran for a failed build")
	}

	r := env.Upload(t, "/job/bare/platform/debian-12/upload?binary_name=bare.deb", user, pw, []byte("a package"))
	if r.Status != http.StatusCreated {
		t.Fatalf("bare upload: status %d (%s)", r.Status, r.Body)
	}
	drain(t, env)
	got, err := os.ReadFile(args)
	if err != nil {
		t.Fatalf("no hook ran for a bare binary: %v", err)
	}
	if !strings.Contains(string(got), "--main-binary-filepath=bin/bare.deb\n") || !strings.Contains(string(got), "--job=bare\n") {
		t.Errorf("hook arguments for a bare binary:\n%s", got)
	}
}

// waitHooksIdle gives a wrongly started hook the time to show itself:
// hooks are asynchronous, so "did not run" can only be checked after the
// queue was drained, which the metrics tell.
func waitHooksIdle(t *testing.T, env *apptest.Env) {
	t.Helper()
	time.Sleep(200 * time.Millisecond)
	m := string(env.Get(t, "/metrics").Body)
	for _, l := range []string{"builder_web_hooks_running 0\n", "builder_web_hook_builds_queued 0\n"} {
		if !strings.Contains(m, l) {
			t.Fatalf("hooks not idle; metrics:\n%s", m)
		}
	}
}

func TestSlowHookDoesNotDelayUpload(t *testing.T) {
	configDir := t.TempDir()
	writeHook(t, configDir, "slow.sh", "#!/bin/sh\nsleep 20\n", 0o755)
	env := start(t, configDir, 0)
	begin := time.Now()
	upload(t, env, "success_hvt.full")
	if d := time.Since(begin); d > 5*time.Second {
		t.Fatalf("upload took %v with a hook sleeping 20 s", d)
	}
	// Cleanup (App.Close) kills the sleeping hook.
}

func TestHookTimeoutKillsProcessGroup(t *testing.T) {
	configDir, scratch := t.TempDir(), t.TempDir()
	hookPID, childPID := filepath.Join(scratch, "hook.pid"), filepath.Join(scratch, "child.pid")
	writeHook(t, configDir, "stuck.sh", "#!/bin/sh\necho $$ > "+hookPID+"\nsleep 60 &\necho $! > "+childPID+"\nwait\n", 0o755)
	env := start(t, configDir, 500*time.Millisecond)

	upload(t, env, "success_hvt.full")
	begin := time.Now()
	drain(t, env)
	if d := time.Since(begin); d > 15*time.Second {
		t.Errorf("a hook with a 500 ms timeout ran for %v", d)
	}
	for _, f := range []string{hookPID, childPID} {
		if pid := readPID(t, f); alive(pid) {
			t.Errorf("process %d (%s) still runs after the timeout", pid, filepath.Base(f))
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	m := string(env.Get(t, "/metrics").Body)
	for _, l := range []string{
		`builder_web_hook_runs_total{hook="stuck.sh"} 1`,
		`builder_web_hook_failures_total{hook="stuck.sh",reason="timeout"} 1`,
	} {
		if !strings.Contains(m, l+"\n") {
			t.Errorf("metrics lack %q:\n%s", l, m)
		}
	}
}

func readPID(t *testing.T, path string) int {
	t.Helper()
	var pid int
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			if _, err := fmt.Sscan(strings.TrimSpace(string(b)), &pid); err == nil {
				return pid
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no pid in %s", path)
	return 0
}

// alive reports whether pid runs: a zombie waiting for a parent that does
// not reap (PID 1 of a container) counts as dead.
func alive(pid int) bool {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		if err != nil {
			return false
		}
		// The state follows the command name in parentheses.
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && strings.HasPrefix(string(stat[i+1:]), " Z") {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}
