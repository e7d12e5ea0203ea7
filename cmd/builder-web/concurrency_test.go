package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/builder-web/builder-web/internal/generate"
	"github.com/builder-web/builder-web/views"
)

// loadDuration is how long TestConcurrentUploadsAndReads runs: 30 s (the
// full run of `make test`), 5 s with -short, or BUILDER_WEB_LOAD_DURATION.
func loadDuration(t *testing.T) time.Duration {
	if s := os.Getenv("BUILDER_WEB_LOAD_DURATION"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("BUILDER_WEB_LOAD_DURATION: %v", err)
		}
		return d
	}
	if testing.Short() {
		return 5 * time.Second
	}
	return 30 * time.Second
}

// loadStats counts requests by kind; failures keep their first examples.
type loadStats struct {
	mu       sync.Mutex
	ok       map[string]int
	failed   int
	examples []string
}

func (s *loadStats) done(kind string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.ok[kind]++
		return
	}
	s.failed++
	if len(s.examples) < 20 {
		s.examples = append(s.examples, kind+": "+err.Error())
	}
}

// TestConcurrentUploadsAndReads runs 16 uploaders of distinct generated
// builds and 16 readers of every kind of page against a real server
// process (product.md §4): no request may fail, the server log must not
// mention "database is locked", and every build answered 201 must be
// complete afterwards.
func TestConcurrentUploadsAndReads(t *testing.T) {
	const uploaders, readers = 16, 16
	dur := loadDuration(t)
	dir := filepath.Join(t.TempDir(), "data")
	addUser(t, dir)
	s := startServer(t, dir, "")
	g := generate.New(generate.Options{Jobs: 12, Platforms: 3, Builds: 500, Seed: 16, End: time.Now()})

	var (
		next   atomic.Int64
		mu     sync.RWMutex
		stored []genBuild // answered 201, readable from now on
		stats  = &loadStats{ok: map[string]int{}}
		wg     sync.WaitGroup
	)
	deadline := time.Now().Add(dur)
	for range uploaders {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				i := int(next.Add(1) - 1)
				if i >= g.Count() {
					return
				}
				b := makeBuild(t, g, i, 0)
				st, msg := postUpload(s.addr, b.body)
				if st != http.StatusCreated {
					stats.done("upload", fmt.Errorf("%s: status %d (%s)", b.uuid, st, strings.TrimSpace(msg)))
					continue
				}
				stats.done("upload", nil)
				mu.Lock()
				stored = append(stored, b)
				mu.Unlock()
			}
		})
	}
	for r := range readers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(r), 16))
			for time.Now().Before(deadline) {
				mu.RLock()
				var b genBuild
				if len(stored) > 0 {
					b = stored[rng.IntN(len(stored))]
				}
				mu.RUnlock()
				kind, err := readOnce(s.addr, b, rng)
				stats.done(kind, err)
			}
		})
	}
	wg.Wait()

	var reads, uploads int
	var kinds []string
	for k, n := range stats.ok {
		if k == "upload" {
			uploads = n
		} else {
			reads += n
		}
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	t.Logf("%v: %d uploads (201), %d reads, %d failed; %s", dur, uploads, reads, stats.failed, strings.Join(kinds, ", "))
	for _, e := range stats.examples {
		t.Errorf("failed request: %s", e)
	}
	if uploads == 0 || reads == 0 {
		t.Errorf("no progress: %d uploads, %d reads", uploads, reads)
	}

	// Every build answered 201 is complete: its JSON, every artifact and
	// the main binary download.
	for _, b := range stored {
		if !checkBuild(t, s.addr, dir, b) {
			t.Errorf("build %s answered 201 but absent", b.uuid)
		}
		if err := checkMainBinary(s.addr, b); err != nil {
			t.Error(err)
		}
	}
	s.kill()
	verifyDataDir(t, dir)
	logText, err := os.ReadFile(s.log.Name())
	if err != nil {
		t.Fatal(err)
	}
	// DATA RACE: the server process is built with -race when the test is.
	for _, bad := range []string{"database is locked", "SQLITE_BUSY", "DATA RACE"} {
		if n := strings.Count(string(logText), bad); n > 0 {
			t.Errorf("server log mentions %q %d times", bad, n)
		}
	}
}

// readOnce makes one read request chosen by rng about build b (or the
// front page while nothing is stored) and checks its answer.
func readOnce(addr string, b genBuild, rng *rand.Rand) (string, error) {
	if b.uuid == "" {
		return "front", expect(addr, "/", http.StatusOK, "")
	}
	var art, sha string
	for p, h := range b.stored { // map order is random enough
		art, sha = p, h
		break
	}
	switch rng.IntN(12) {
	case 0:
		return "front", expect(addr, "/", http.StatusOK, "")
	case 1:
		return "front-json", expect(addr, "/", http.StatusOK, "", "Accept", "application/json")
	case 2:
		return "job", expect(addr, "/job/"+b.job, http.StatusOK, "")
	case 3:
		return "job-json", expect(addr, "/job/"+b.job, http.StatusOK, "", "Accept", "application/json")
	case 4:
		return "build", expect(addr, b.url(), http.StatusOK, "")
	case 5:
		return "build-json", expect(addr, b.url(), http.StatusOK, "", "Accept", "application/json")
	case 6:
		if art == "" {
			return "console", expect(addr, b.url()+"/console", http.StatusOK, "")
		}
		return "artifact", expectArtifact(addr, b.url()+"/f/"+views.PathEscape(art), sha)
	case 7:
		if sha == "" {
			return "failed-builds", expect(addr, "/failed-builds", http.StatusOK, "")
		}
		return "hash", expect(addr, "/hash?sha256="+sha, http.StatusFound, "")
	case 8:
		if b.main == "" {
			return "main-binary", expect(addr, b.url()+"/main-binary", http.StatusNotFound, "")
		}
		return "main-binary", expect(addr, b.url()+"/main-binary", http.StatusFound, "")
	case 9:
		if !b.succeeded { // the job may have no successful build yet
			return "failed-builds", expect(addr, "/failed-builds", http.StatusOK, "")
		}
		return "latest", expect(addr, "/job/"+b.job+"/build/latest", http.StatusFound, "")
	case 10:
		return "all-builds", expect(addr, "/all-builds", http.StatusOK, "")
	default:
		return "script", expect(addr, b.url()+"/script", http.StatusOK, "")
	}
}

// fetch sends GET target with header pairs and reads the whole answer.
func fetch(addr, target string, headers ...string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+target, nil)
	if err != nil {
		return nil, nil, err
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: read body: %w", target, err)
	}
	return resp, body, nil
}

// expect checks the status of GET target and, when sha is set, the
// SHA-256 of its body.
func expect(addr, target string, status int, sha string, headers ...string) error {
	resp, body, err := fetch(addr, target, headers...)
	if err != nil {
		return err
	}
	if resp.StatusCode != status {
		return fmt.Errorf("GET %s: status %d, want %d: %.300q", target, resp.StatusCode, status, body)
	}
	if sha != "" && sum(body) != sha {
		return fmt.Errorf("GET %s: sha256 %s, want %s", target, sum(body), sha)
	}
	return nil
}

// expectArtifact downloads an artifact, then asks again with its ETag,
// which must be answered 304.
func expectArtifact(addr, target, sha string) error {
	resp, body, err := fetch(addr, target)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || sum(body) != sha {
		return fmt.Errorf("GET %s: status %d sha256 %s, want 200 %s", target, resp.StatusCode, sum(body), sha)
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		return fmt.Errorf("GET %s: no ETag", target)
	}
	return expect(addr, target, http.StatusNotModified, "", "If-None-Match", etag)
}

// checkMainBinary follows /main-binary to the download and compares it.
func checkMainBinary(addr string, b genBuild) error {
	if b.main == "" {
		return expect(addr, b.url()+"/main-binary", http.StatusNotFound, "")
	}
	resp, _, err := fetch(addr, b.url()+"/main-binary")
	if err != nil {
		return err
	}
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasSuffix(loc, "/f/"+views.PathEscape(b.main)) {
		return fmt.Errorf("main binary of %s: status %d location %q, want 302 to %s", b.uuid, resp.StatusCode, loc, b.main)
	}
	if strings.HasPrefix(loc, "http") {
		loc = loc[strings.Index(loc[len("http://"):], "/")+len("http://"):]
	}
	return expect(addr, loc, http.StatusOK, b.stored[b.main])
}
