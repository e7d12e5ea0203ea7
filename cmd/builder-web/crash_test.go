package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/accounts"
	"github.com/builder-web/builder-web/app/datadir"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// The test binary doubles as the server: with BUILDER_WEB_TEST_SERVER set
// it runs builder-web's main instead of the tests, so crash tests can kill a
// real server process with SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("BUILDER_WEB_TEST_SERVER") != "" {
		if err := run(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "builder-web:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type serverProcess struct {
	cmd  *exec.Cmd
	addr string
	dir  string
	log  *os.File
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startServer runs builder-web over dir, with a failpoint armed if given
// and env's VAR=value pairs added to its environment.
func startServer(t *testing.T, dir, failpoint string, env ...string) *serverProcess {
	t.Helper()
	port := freePort(t)
	logf, err := os.OpenFile(filepath.Join(filepath.Dir(dir), "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "--datadir", dir, "--configdir", t.TempDir(),
		"--host", "127.0.0.1", "--port", fmt.Sprint(port))
	cmd.Env = append(os.Environ(), "BUILDER_WEB_TEST_SERVER=1", "BUILDER_WEB_FAILPOINT="+failpoint)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &serverProcess{cmd: cmd, addr: fmt.Sprintf("127.0.0.1:%d", port), dir: dir, log: logf}
	t.Cleanup(func() { s.kill(); logf.Close() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", s.addr); err == nil {
			c.Close()
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server did not start; log in %s", logf.Name())
	return nil
}

func (s *serverProcess) kill() {
	if s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		_ = s.cmd.Wait()
	}
}

// waitExit waits for the server to die by its own failpoint.
func (s *serverProcess) waitExit(t *testing.T) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("server did not die at its failpoint")
	}
}

func addUser(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	data, err := datadir.Open(ctx, dir, datadir.Options{Mode: datadir.Migrated})
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	d := data.DB
	if _, err := accounts.Create(ctx, d, "up", "crash-test-pw", false, false); err != nil {
		t.Fatal(err)
	}
}

// rawUpload opens a connection and sends the headers and the first n
// bytes of body, leaving the rest unsent.
func rawUpload(t *testing.T, addr string, body []byte, n int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dXA6Y3Jhc2gtdGVzdC1wdw==\r\nContent-Length: %d\r\n\r\n", len(body))
	if _, err := c.Write(body[:n]); err != nil {
		t.Fatal(err)
	}
	return c
}

type vectorInfo struct {
	UUID string `json:"uuid"`
	Job  struct {
		Name string `json:"name"`
	} `json:"job"`
	Derived struct {
		Stored []struct {
			Path   string `json:"path"`
			SHA256 string `json:"sha256"`
		} `json:"stored_artifacts"`
	} `json:"builder_web_derived"`
}

func loadVector(t *testing.T, name string) ([]byte, vectorInfo) {
	t.Helper()
	body, err := os.ReadFile(testenv.Vector(t, name+".full"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(testenv.Vector(t, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var info vectorInfo
	if err := json.Unmarshal(raw, &info); err != nil {
		t.Fatal(err)
	}
	return body, info
}

// checkAllOrNothing asserts that the build is completely present (every
// artifact downloads with its hash) or completely absent (404, no build
// directory, no artifact file that no build references), and that
// _staging is empty.
func checkAllOrNothing(t *testing.T, s *serverProcess, info vectorInfo) (present bool) {
	t.Helper()
	base := "http://" + s.addr + "/job/" + info.Job.Name + "/build/" + info.UUID
	resp, err := http.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		for _, a := range info.Derived.Stored {
			r, err := http.Get(base + "/f/" + a.Path)
			if err != nil {
				t.Fatal(err)
			}
			h := sha256.New()
			_, _ = io.Copy(h, r.Body)
			r.Body.Close()
			if got := hex.EncodeToString(h.Sum(nil)); r.StatusCode != 200 || got != a.SHA256 {
				t.Errorf("build present but %s: status %d sha256 %s, want %s", a.Path, r.StatusCode, got, a.SHA256)
			}
		}
		for _, f := range []string{"console.txt", "script.txt"} {
			if _, err := os.Stat(filepath.Join(s.dir, info.Job.Name, info.UUID, f)); err != nil {
				t.Errorf("build present but %s: %v", f, err)
			}
		}
		present = true
	case http.StatusNotFound:
		if _, err := os.Stat(filepath.Join(s.dir, info.Job.Name, info.UUID)); err == nil {
			t.Errorf("build absent but its directory exists")
		}
		for _, a := range info.Derived.Stored {
			if _, err := os.Stat(filepath.Join(s.dir, "_artifacts", a.SHA256[:2], a.SHA256)); err == nil {
				t.Errorf("build absent but artifact %s (%s) is stored", a.Path, a.SHA256)
			}
		}
	default:
		t.Fatalf("GET %s: status %d", base, resp.StatusCode)
	}
	if left := testenv.Staged(t, s.dir); len(left) != 0 {
		t.Errorf("_staging not empty after restart: %v", left)
	}
	return present
}

// A crash at any point of an upload leaves the build complete or absent
// after a restart, with nothing left in _staging (product.md §6.2).
func TestCrashDuringUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	body, info := loadVector(t, "large_artifact")
	for _, tc := range []struct {
		name      string
		failpoint string // killed by itself at this point of the commit
		sent      int    // else killed by the test after this many body bytes
		want      string // "present", "absent"
	}{
		{"mid-header", "", 40, "absent"},
		{"mid-body", "", len(body) / 2, "absent"},
		{"body sent but last byte", "", len(body) - 1, "absent"},
		{"files staged", "staged", len(body), "absent"},
		{"mid-commit: files moved, transaction open", "moved", len(body), "absent"},
		{"committed, staging not yet removed", "committed", len(body), "present"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			addUser(t, dir)
			s := startServer(t, dir, tc.failpoint)
			c := rawUpload(t, s.addr, body, tc.sent)
			defer c.Close()
			if tc.failpoint != "" {
				s.waitExit(t)
			} else {
				waitStaging(t, dir, tc.sent > 100)
				s.kill()
			}
			s2 := startServer(t, dir, "")
			if got := checkAllOrNothing(t, s2, info); got != (tc.want == "present") {
				t.Errorf("build present = %v, want %s", got, tc.want)
			}
			// The same upload succeeds after the restart unless it is there.
			resp := upload(t, s2.addr, body)
			want := http.StatusCreated
			if tc.want == "present" {
				want = http.StatusConflict
			}
			if resp != want {
				t.Errorf("upload after restart: status %d, want %d", resp, want)
			}
			checkAllOrNothing(t, s2, info)
		})
	}
}

// waitStaging waits until the server has begun staging the upload, so the
// kill lands mid-body rather than before the request was read.
func waitStaging(t *testing.T, dir string, expect bool) {
	t.Helper()
	if !expect {
		time.Sleep(200 * time.Millisecond)
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if e := testenv.Staged(t, dir); len(e) > 0 {
			time.Sleep(50 * time.Millisecond)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("upload never reached staging")
}

func upload(t *testing.T, addr string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/upload", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("up", "crash-test-pw")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, bufio.NewReader(resp.Body))
	return resp.StatusCode
}
