package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/datadir"
	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db/dbtest"
	"github.com/builder-web/builder-web/internal/generate"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
	"github.com/builder-web/builder-web/views"
)

// genBuild is a generated record and what it must become once stored.
type genBuild struct {
	job, uuid, platform string
	body                []byte
	stored              map[string]string // artifact path -> sha256 hex
	main                string            // main binary path, "" for none
	succeeded           bool              // exited 0
}

// makeBuild encodes record i of g; pad > 0 adds an artifact of that many
// bytes, so that kills during the body transfer land inside file data.
func makeBuild(t testing.TB, g *generate.Generator, i, pad int) genBuild {
	t.Helper()
	rec := g.Record(i)
	if pad > 0 {
		data := make([]byte, pad)
		r := rand.NewChaCha8([32]byte{byte(i), byte(i >> 8), byte(i >> 16), 'p', 'a', 'd'})
		_, _ = r.Read(data)
		rec.Files = append(rec.Files, builder.File{Path: "payload.bin", Data: data})
	}
	body, err := builder.Encode(rec)
	if err != nil {
		t.Fatalf("encode record %d: %v", i, err)
	}
	b := genBuild{job: rec.Job.Name, uuid: builder.UUIDString(rec.UUID), platform: rec.Job.Platform,
		body: body, stored: map[string]string{},
		succeeded: rec.Result.Kind == builder.Exited && rec.Result.Code == 0}
	var bins []string
	for _, f := range rec.Files {
		// README.md and *.build-hashes are read, not stored (app/ingest).
		if base := path.Base(f.Path); base == "README.md" || path.Ext(base) == ".build-hashes" {
			continue
		}
		sum := sha256.Sum256(f.Data)
		b.stored[f.Path] = hex.EncodeToString(sum[:])
		if strings.HasPrefix(f.Path, "bin/") {
			bins = append(bins, f.Path)
		}
	}
	if len(bins) == 1 {
		b.main = bins[0]
	}
	return b
}

func (b genBuild) url() string { return "/job/" + b.job + "/build/" + b.uuid }

// checkBuild reports whether b is stored, failing the test unless it is
// completely present (JSON, every artifact with its hash, console and
// script) or completely absent (404, no build directory).
func checkBuild(t testing.TB, addr, dir string, b genBuild) (present bool) {
	t.Helper()
	resp, body := get(t, addr, b.url(), "Accept", "application/json")
	switch resp {
	case http.StatusOK:
		var got struct{ Job, UUID, Platform string }
		if err := json.Unmarshal(body, &got); err != nil || got.UUID != b.uuid || got.Job != b.job || got.Platform != b.platform {
			t.Errorf("build %s: JSON %s, want job %s platform %s (err %v)", b.uuid, body, b.job, b.platform, err)
		}
		for p, sha := range b.stored {
			st, data := get(t, addr, b.url()+"/f/"+views.PathEscape(p))
			if got := sum(data); st != http.StatusOK || got != sha {
				t.Errorf("build %s present but %s: status %d sha256 %s, want %s", b.uuid, p, st, got, sha)
			}
		}
		for _, f := range []string{"console.txt", "script.txt"} {
			if _, err := os.Stat(filepath.Join(dir, b.job, b.uuid, f)); err != nil {
				t.Errorf("build %s present but %s: %v", b.uuid, f, err)
			}
		}
		return true
	case http.StatusNotFound:
		if _, err := os.Stat(filepath.Join(dir, b.job, b.uuid)); err == nil {
			t.Errorf("build %s absent but its directory exists", b.uuid)
		}
		return false
	default:
		t.Fatalf("GET %s: status %d (%s)", b.url(), resp, body)
		return false
	}
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// noRedirect lets tests see 302s as answers.
var noRedirect = &http.Client{
	Timeout:       time.Minute,
	Transport:     &http.Transport{MaxIdleConnsPerHost: 64},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// get fetches a URL path of the server at addr, with header pairs.
func get(t testing.TB, addr, target string, headers ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", target, err)
	}
	return resp.StatusCode, body
}

// postUpload sends body to /upload as the test user; a transport error
// (the server was killed) is status 0.
func postUpload(addr string, body []byte) (int, string) {
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/upload", bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.SetBasicAuth("up", "crash-test-pw")
	resp, err := noRedirect.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(msg)
}

// sendPartial sends the first n bytes of an upload and waits for the
// kill to close the connection. Errors are expected: the server may die
// before or while the bytes go out.
func sendPartial(addr string, body []byte, n int) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dXA6Y3Jhc2gtdGVzdC1wdw==\r\nContent-Length: %d\r\n\r\n", len(body))
	if _, err := c.Write(body[:n]); err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, c)
}

// verifyDataDir runs `builder-db verify-data-dir` (ops.VerifyDataDir),
// for which after a restart even a warning (an unreferenced or untracked
// file) is a failure, since the server cleans up at start (product.md
// §6.2.5). It then checks the same from the database and the files
// itself, as an oracle independent of the code under test, plus what
// verify-data-dir lets pass: an empty <job>/<uuid> directory without a
// build row, and entries in _staging.
func verifyDataDir(t testing.TB, dir string) {
	t.Helper()
	verifyDataDirOn(t, dir, "")
}

// verifyDataDirOn is verifyDataDir with builder-db's --database (empty:
// SQLite in dir).
func verifyDataDirOn(t testing.TB, dir, database string) {
	t.Helper()
	ctx := context.Background()
	data, err := datadir.Open(ctx, dir, datadir.Options{Database: database}) // as builder-db opens it
	if err != nil {
		t.Fatalf("verify: open database: %v", err)
	}
	defer data.Close()
	d := data.DB
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if _, err := ops.VerifyDataDir(ctx, d, dir, func(f ops.Finding) { bad("%s", f) }, nil); err != nil {
		t.Fatalf("verify-data-dir: %v", err)
	}

	arts := map[string]int64{} // sha256 hex -> size
	rows, err := dbtest.Reader(t, d).QueryContext(ctx, `SELECT sha256, size FROM build_artifact`)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	for rows.Next() {
		var sha []byte
		var size int64
		if err := rows.Scan(&sha, &size); err != nil {
			t.Fatalf("verify: %v", err)
		}
		arts[hex.EncodeToString(sha)] = size
	}
	rows.Close()
	for h, size := range arts {
		data, err := os.ReadFile(filepath.Join(dir, store.ArtifactsDir, h[:2], h))
		switch {
		case err != nil:
			bad("artifact %s: %v", h, err)
		case int64(len(data)) != size:
			bad("artifact %s: %d bytes, row says %d", h, len(data), size)
		case sum(data) != h:
			bad("artifact %s: content hashes to %s", h, sum(data))
		}
	}
	_ = filepath.WalkDir(filepath.Join(dir, store.ArtifactsDir), func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if _, ok := arts[e.Name()]; !ok {
				bad("artifact file %s has no row", p)
			}
		}
		return nil
	})

	builds := map[string]bool{} // "<job>/<uuid>"
	rows, err = dbtest.Reader(t, d).QueryContext(ctx, `SELECT j.name, b.uuid, b.console, b.script FROM build b JOIN job j ON j.id = b.job`)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	for rows.Next() {
		var job, uuid, console, script string
		if err := rows.Scan(&job, &uuid, &console, &script); err != nil {
			t.Fatalf("verify: %v", err)
		}
		builds[job+"/"+uuid] = true
		for _, f := range []string{console, script} {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
				bad("build %s: %v", uuid, err)
			}
		}
	}
	rows.Close()
	top, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range top {
		if !j.IsDir() || strings.HasPrefix(j.Name(), "_") {
			continue
		}
		sub, _ := os.ReadDir(filepath.Join(dir, j.Name()))
		for _, u := range sub {
			if !builds[j.Name()+"/"+u.Name()] {
				bad("directory %s/%s has no build row", j.Name(), u.Name())
			}
		}
	}
	if left := testenv.Staged(t, dir); len(left) != 0 {
		bad("_staging holds %q", left)
	}
	for _, p := range problems {
		t.Errorf("verify-data-dir: %s", p)
	}
}

// crashSeed is BUILDER_WEB_CRASH_SEED when set (to repeat a failing run),
// else the time.
func crashSeed(t *testing.T) uint64 {
	if s := os.Getenv("BUILDER_WEB_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("BUILDER_WEB_CRASH_SEED: %v", err)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}

// crashRound is one kill of the server and what it was killed during.
type crashRound struct {
	kind      string // "body", "failpoint", "concurrent-failpoint", "concurrent"
	failpoint string
}

func crashRounds(short bool) []crashRound {
	var rs []crashRound
	add := func(n int, r crashRound) {
		if short {
			n = 1
		}
		for range n {
			rs = append(rs, r)
		}
	}
	add(8, crashRound{kind: "body"})
	for _, fp := range []string{"staged", "moved", "committed"} {
		add(2, crashRound{kind: "failpoint", failpoint: fp})
		add(1, crashRound{kind: "concurrent-failpoint", failpoint: fp})
	}
	add(7, crashRound{kind: "concurrent"})
	return rs
}

// TestCrashAtRandomMoments kills the server (SIGKILL) at least 24 times over
// one data directory: mid-body at random byte offsets, at each failpoint of
// a commit, and at random moments while several uploads run at once. After
// every restart each attempted build is complete or absent, builds whose
// upload was answered 201 are complete, and the data directory verifies
// clean (product.md §4, §6.2). The seed is logged; BUILDER_WEB_CRASH_SEED
// repeats a run.
func TestCrashAtRandomMoments(t *testing.T) {
	seed := crashSeed(t)
	t.Logf("seed %d (BUILDER_WEB_CRASH_SEED=%d repeats this run)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0x6372617368))
	g := generate.New(generate.Options{Jobs: 6, Platforms: 2, Builds: 100, Seed: int64(seed % 1000), End: time.Now()})
	next := 0
	newBuild := func() genBuild {
		pad := 0
		if rng.IntN(2) == 0 {
			pad = 64<<10 + rng.IntN(1<<20)
		}
		b := makeBuild(t, g, next, pad)
		next++
		return b
	}

	dir := filepath.Join(t.TempDir(), "data")
	addUser(t, dir)
	rounds := crashRounds(testing.Short())
	var stored, absent int
	for n, r := range rounds {
		s := startServer(t, dir, r.failpoint)
		var attempt []genBuild
		created := map[string]bool{}
		switch r.kind {
		case "body":
			b := newBuild()
			attempt = append(attempt, b)
			off := 1 + rng.IntN(len(b.body)-1)
			c := rawUpload(t, s.addr, b.body, off)
			time.Sleep(time.Duration(rng.IntN(100)) * time.Millisecond)
			t.Logf("round %d: kill after %d of %d body bytes", n, off, len(b.body))
			s.kill()
			c.Close()
		case "failpoint":
			b := newBuild()
			attempt = append(attempt, b)
			if st, msg := postUpload(s.addr, b.body); st != 0 {
				t.Errorf("round %d: upload answered %d (%s) although the server dies at %q", n, st, msg, r.failpoint)
			}
			s.waitExit(t)
			t.Logf("round %d: died at failpoint %q", n, r.failpoint)
		case "concurrent", "concurrent-failpoint":
			// Each worker uploads its queue one after another, so that
			// the kill finds uploads in every state: streaming, staged,
			// committing, answered.
			var mu sync.Mutex
			var wg sync.WaitGroup
			workers := 3 + rng.IntN(4)
			for range workers {
				var queue []genBuild
				for range 4 {
					queue = append(queue, newBuild())
				}
				attempt = append(attempt, queue...)
				partial := -1 // the last upload of the queue is cut short here
				if r.kind == "concurrent" && rng.IntN(3) == 0 {
					partial = 1 + rng.IntN(len(queue[3].body)-1)
				}
				wg.Go(func() {
					for k, b := range queue {
						if k == 3 && partial > 0 {
							sendPartial(s.addr, b.body, partial)
							return
						}
						st, _ := postUpload(s.addr, b.body)
						if st == 0 {
							return // killed
						}
						if st == http.StatusCreated {
							mu.Lock()
							created[b.uuid] = true
							mu.Unlock()
						}
					}
				})
			}
			if r.kind == "concurrent" {
				delay := time.Duration(20+rng.IntN(1500)) * time.Millisecond
				time.Sleep(delay)
				t.Logf("round %d: kill %v into %d concurrent upload streams", n, delay, workers)
				s.kill()
			} else {
				s.waitExit(t)
				t.Logf("round %d: died at failpoint %q during %d concurrent upload streams", n, r.failpoint, workers)
			}
			wg.Wait()
		}

		s2 := startServer(t, dir, "")
		for _, b := range attempt {
			present := checkBuild(t, s2.addr, dir, b)
			switch {
			case created[b.uuid] && !present:
				t.Errorf("round %d: build %s was answered 201 but is absent after the restart", n, b.uuid)
			case r.kind == "body" && present:
				t.Errorf("round %d: build %s present although its body was cut", n, b.uuid)
			case r.kind == "failpoint" && present != (r.failpoint == "committed"):
				t.Errorf("round %d: build %s present = %v after a kill at %q", n, b.uuid, present, r.failpoint)
			}
			if present {
				stored++
				continue
			}
			absent++
			// Nothing of the interrupted upload stands in the way of a retry.
			if st, msg := postUpload(s2.addr, b.body); st != http.StatusCreated {
				t.Errorf("round %d: retry of %s: status %d (%s)", n, b.uuid, st, msg)
			} else if !checkBuild(t, s2.addr, dir, b) {
				t.Errorf("round %d: retry of %s answered 201 but the build is absent", n, b.uuid)
			}
		}
		verifyDataDir(t, dir)
		s2.kill()
		if t.Failed() {
			t.Fatalf("round %d (%s %s) failed; seed %d", n, r.kind, r.failpoint, seed)
		}
	}
	t.Logf("%d kills, %d builds attempted: %d complete after the kill, %d absent (then retried)", len(rounds), next, stored, absent)
}
