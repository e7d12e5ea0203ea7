package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
)

// memoryBar is how much the server's peak RSS may grow over an upload of
// a record with a 30 MB console and the reads of it (issue #11, item 3).
const memoryBar = 64 << 20

// TestPeakRSSLargeConsole uploads a record with a 30 MB console (some of
// it in lines of a megabyte) and an 8 MiB script to a real server process,
// then fetches /exec, /console, /console/view?lines=all and /script of it,
// one by one and then four at a time, and checks that the server's peak
// RSS (VmHWM) grew by less than memoryBar over its value after start and a
// warm-up with a small build.
func TestPeakRSSLargeConsole(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector multiplies memory use")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc")
	}
	dir := filepath.Join(t.TempDir(), "data")
	addUser(t, dir)
	s := startServer(t, dir, "")

	// Warm-up: every route of the test once, with a small console.
	small := testBuild{
		uuid:    "0c7e15e2-3b7a-4c1e-9f2d-6a5b4c3d2e1f",
		console: writeConsoleFile(t, 100, 0),
		script:  writeScriptFile(t, 100),
	}
	uploadStored(t, s.addr, small)
	readBack(t, s.addr, small)
	base := procStatus(t, s.cmd.Process.Pid)

	big := testBuild{
		uuid:    "5d1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b",
		console: writeConsoleFile(t, 230_000, 4),
		script:  writeScriptFile(t, 8<<20),
	}
	start := time.Now()
	uploadStored(t, s.addr, big)
	readBack(t, s.addr, big)
	check := func(what string) {
		after := procStatus(t, s.cmd.Process.Pid)
		growth := after["VmHWM"] - base["VmHWM"]
		t.Logf("%s, console %d MB, %d lines, after %v: VmHWM %d -> %d MiB (+%.1f MiB), VmRSS %d MiB",
			what, big.console.size>>20, big.console.lines, time.Since(start).Round(time.Millisecond),
			base["VmHWM"]>>20, after["VmHWM"]>>20, float64(growth)/(1<<20), after["VmRSS"]>>20)
		if growth >= memoryBar {
			t.Errorf("%s: peak RSS grew by %.1f MiB, want < %d MiB", what, float64(growth)/(1<<20), memoryBar>>20)
		}
	}
	check("one by one")

	// The reads again, four at a time.
	errs := make(chan error, 4)
	for range 4 {
		go func() { errs <- readBackErr(s.addr, big) }()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	check("4 concurrent")
}

// textFile is a console.txt or script.txt written by the test, as the
// server must store it.
type textFile struct {
	path   string
	size   int64
	lines  int
	sha256 string
}

// testBuild is a build of job "noisy" made from the test's text files.
type testBuild struct {
	uuid            string
	console, script textFile
}

// writeScriptFile writes a script.txt of at least size bytes.
func writeScriptFile(t *testing.T, size int) textFile {
	t.Helper()
	path := filepath.Join(t.TempDir(), "script.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	w := bufio.NewWriter(io.MultiWriter(f, h))
	c := textFile{path: path}
	for c.size < int64(size) {
		n, _ := fmt.Fprintf(w, "echo step %d\n", c.lines)
		c.size += int64(n)
		c.lines++
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	c.sha256 = hex.EncodeToString(h.Sum(nil))
	return c
}

// writeConsoleFile writes a console.txt of n ordinary lines of about 100
// bytes plus huge lines of 1 MiB each, in WriteConsole's format.
func writeConsoleFile(t *testing.T, n, huge int) textFile {
	t.Helper()
	path := filepath.Join(t.TempDir(), "console.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	w := bufio.NewWriter(io.MultiWriter(f, h))
	c := textFile{path: path}
	filler := strings.Repeat("compiling module ", 6)
	every := (n + huge) / (huge + 1) // spread the huge lines
	for i := range n + huge {
		fmt.Fprintf(w, "%d.%03ds:", i/1000, i%1000)
		if huge > 0 && i > 0 && i%every == 0 {
			huge--
			w.WriteString(strings.Repeat("x", 1<<20))
		} else {
			w.WriteString(filler + strconv.Itoa(i))
		}
		w.WriteByte('\n')
		c.lines++
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	c.size, c.sha256 = fi.Size(), hex.EncodeToString(h.Sum(nil))
	return c
}

// uploadStored uploads b, encoding the record as it is sent, so that the
// test process stays small too.
func uploadStored(t *testing.T, addr string, b testBuild) {
	t.Helper()
	id, err := builder.ParseUUID(b.uuid)
	if err != nil {
		t.Fatal(err)
	}
	console, err := os.Open(b.console.path)
	if err != nil {
		t.Fatal(err)
	}
	defer console.Close()
	script, err := os.Open(b.script.path)
	if err != nil {
		t.Fatal(err)
	}
	defer script.Close()
	start := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	h := &builder.Header{
		Job:    builder.Job{Name: "noisy", Platform: "debian-12"},
		UUID:   id,
		Start:  start,
		Finish: start.Add(time.Hour),
	}
	bin := []byte("\x7fELF binary")
	files := []builder.FileSource{{Path: "bin/noisy.bin", Size: int64(len(bin)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(string(bin))), nil
	}}}
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 64<<10)
		err := builder.EncodeStored(w, h, io.NewSectionReader(script, 0, b.script.size),
			io.NewSectionReader(console, 0, b.console.size), files)
		if err == nil {
			err = w.Flush()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/upload", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("up", "crash-test-pw")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: status %d: %s", resp.StatusCode, msg)
	}
}

// readBack fetches /exec, /console, /console/view?lines=all and /script
// of the build, reading every body to its end without keeping it.
func readBack(t *testing.T, addr string, b testBuild) {
	t.Helper()
	if err := readBackErr(addr, b); err != nil {
		t.Fatal(err)
	}
}

func readBackErr(addr string, b testBuild) error {
	url := "http://" + addr + "/job/noisy/build/" + b.uuid
	open := func(target string) (io.ReadCloser, error) {
		resp, err := noRedirect.Get(url + target)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", target, err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("GET %s: status %d", target, resp.StatusCode)
		}
		return resp.Body, nil
	}
	// same reads target to its end and compares it with f.
	same := func(target string, f textFile) error {
		body, err := open(target)
		if err != nil {
			return err
		}
		defer body.Close()
		h := sha256.New()
		n, err := io.Copy(h, body)
		if err != nil || n != f.size || hex.EncodeToString(h.Sum(nil)) != f.sha256 {
			return fmt.Errorf("GET %s: %d bytes (%v), want %d; sha256 match %v", target, n, err, f.size, hex.EncodeToString(h.Sum(nil)) == f.sha256)
		}
		return nil
	}

	body, err := open("/exec")
	if err != nil {
		return err
	}
	lines := &countLines{}
	script := sha256.New()
	d := builder.NewDecoder(body)
	d.StreamText(script, lines)
	for err == nil {
		_, _, _, err = d.Next()
	}
	body.Close()
	if err != io.EOF {
		return fmt.Errorf("exec: %w", err)
	}
	if lines.n != b.console.lines || hex.EncodeToString(script.Sum(nil)) != b.script.sha256 {
		return fmt.Errorf("exec: %d console lines, want %d; script sha256 match %v",
			lines.n, b.console.lines, hex.EncodeToString(script.Sum(nil)) == b.script.sha256)
	}

	if err := same("/console", b.console); err != nil {
		return err
	}
	if body, err = open("/console/view?lines=all"); err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, body)
	body.Close()
	if err != nil || n == 0 {
		return fmt.Errorf("console view: %d bytes, %v", n, err)
	}
	return same("/script", b.script)
}

// countLines is a ConsoleSink that only counts.
type countLines struct{ n int }

func (c *countLines) Line(int64, int64, io.Reader) error { c.n++; return nil }

// procStatus reads the byte counts (VmHWM, VmRSS, …) of /proc/<pid>/status.
func procStatus(t *testing.T, pid int) map[string]int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if f := strings.Fields(v); ok && len(f) == 2 && f[1] == "kB" {
			if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				out[k] = n << 10
			}
		}
	}
	if out["VmHWM"] == 0 {
		t.Fatalf("no VmHWM in /proc/%d/status", pid)
	}
	return out
}
