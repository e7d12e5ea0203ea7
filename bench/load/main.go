// Command load measures a running builder-web from the same machine: it
// sends GET requests from a bounded number of workers for a bounded time to
// the front page, a job page and /healthz in turn, several rounds, and
// reports requests per second and latency percentiles of each, and each
// page's throughput as a fraction of /healthz's in the same round. The
// ratio is the number to compare between runs on a noisy shared machine:
// whatever slows the machine slows /healthz too. Only loopback addresses
// are accepted. An interrupt (SIGINT) ends the run early and reports what
// was measured so far: bench/vacuum-load.sh stops it when its vacuum ends.
//
//	load -addr 127.0.0.1:3000[,127.0.0.1:3001…] [-c 8] [-d 5s] [-rounds 3] [-job NAME] [-pages LIST] [-encoding CODINGS]
//
// Several addresses are several nodes of one site (issue 16): worker k
// sends its requests to address k mod n, as a load balancer would.
// -pages measures only the named pages (e.g. "healthz,front"); healthz is
// always measured, as the others' yardstick.
//
// The requests send -encoding as Accept-Encoding (default "identity": the
// bodies uncompressed; "br, gzip" reads what a browser does) and read the
// bodies as sent.
//
// The "static" row is the yardstick of issue 17's title, pages at the
// speed of static files: the front page's bytes as sent, written to a file
// and served by Go's net/http file server (sendfile) from this process, so
// that a page's cost is compared with what serving the same number of bytes
// from a file costs on the same machine in the same round.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/builder-web/builder-web/bench/internal/loopback"
)

// Bounds that keep a mistyped flag from turning this into a stress test.
const (
	maxWorkers  = 64
	maxDuration = time.Minute
	maxRounds   = 10
)

type config struct {
	addr     string   // the first of addrs: where the pages are looked up
	addrs    []string // where the workers send their requests
	pages    string
	workers  int
	phase    time.Duration
	rounds   int
	job      string
	encoding string
	client   *http.Client
}

// target is one page to load; ifNoneMatch, when set, is sent as
// If-None-Match and the answer must be 304 (the page cache's revalidation).
// base, when set, is the URL of another server (the static file's).
type target struct{ name, path, ifNoneMatch, base string }

func (t target) url(addr string) string {
	if t.base != "" {
		return t.base + t.path
	}
	return "http://" + addr + t.path
}

func main() {
	var c config
	flag.StringVar(&c.addr, "addr", "127.0.0.1:3000", "server address (loopback only); several nodes' addresses separated by commas")
	flag.StringVar(&c.pages, "pages", "", `pages to measure, e.g. "healthz,front" (default: all)`)
	flag.IntVar(&c.workers, "c", 8, fmt.Sprintf("concurrent workers (at most %d)", maxWorkers))
	flag.DurationVar(&c.phase, "d", 5*time.Second, fmt.Sprintf("duration of each page's phase in a round (at most %v)", maxDuration))
	flag.IntVar(&c.rounds, "rounds", 3, fmt.Sprintf("rounds (at most %d)", maxRounds))
	flag.StringVar(&c.job, "job", "", "job page to load (default: the first job of the front page)")
	flag.StringVar(&c.encoding, "encoding", "identity", `Accept-Encoding of the requests ("br, gzip": as a browser)`)
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	c.addrs = strings.Split(c.addr, ",")
	c.addr = c.addrs[0]
	if err := checkBounds(c); err != nil {
		return err
	}
	c.client = &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: c.workers, DisableCompression: true},
		// A redirect is an answer too; following it would measure another page.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if c.job == "" {
		job, err := firstJob(c)
		if err != nil {
			return err
		}
		c.job = job
	}
	jobPath := "/job/" + url.PathEscape(c.job)
	builds, err := newestBuilds(c, jobPath)
	if err != nil {
		return err
	}
	build := builds[0]
	staticBase, stopStatic, err := serveStatic(c)
	if err != nil {
		return err
	}
	defer stopStatic()
	targets := []target{
		{name: "healthz", path: "/healthz"},
		{name: "front", path: "/"},
		{name: "static", path: "/front.html", base: staticBase},
		{name: "job", path: jobPath},
		{name: "build", path: jobPath + "/build/" + build},
	}
	if len(builds) > 1 {
		targets = append(targets, target{name: "compare", path: "/compare/" + builds[1] + "/" + builds[0]})
	}
	if err := reportSizes(c, targets[1:]); err != nil {
		return err
	}
	if etag, err := etagOf(c, "/"); err != nil {
		fmt.Println("no 304 phase:", err)
	} else {
		targets = append(targets, target{name: "front 304", path: "/", ifNoneMatch: etag})
	}
	if c.pages != "" {
		want := strings.Split(c.pages, ",")
		targets = slices.DeleteFunc(targets, func(t target) bool { return t.name != "healthz" && !slices.Contains(want, t.name) })
	}
	fmt.Printf("server %s, %d workers, %d rounds of %v per page, job %s, Accept-Encoding %q\n", strings.Join(c.addrs, ","), c.workers, c.rounds, c.phase, c.job, c.encoding)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	results := map[string][]phaseResult{}
	for r := 0; r < c.rounds && ctx.Err() == nil; r++ {
		// The order rotates so that no page always runs right after another.
		for k := range targets {
			t := targets[(k+r)%len(targets)]
			res, err := runPhase(ctx, c, t)
			if err != nil {
				return err
			}
			results[t.name] = append(results[t.name], res)
			if ctx.Err() != nil {
				fmt.Println("interrupted: the last phase was cut short")
				break
			}
		}
	}
	report(os.Stdout, targets, results)
	return nil
}

func checkBounds(c config) error {
	if err := loopback.Check(c.addrs); err != nil {
		return err
	}
	switch {
	case c.workers < 1 || c.workers > maxWorkers:
		return fmt.Errorf("-c %d: want 1..%d", c.workers, maxWorkers)
	case c.phase <= 0 || c.phase > maxDuration:
		return fmt.Errorf("-d %v: want up to %v", c.phase, maxDuration)
	case c.rounds < 1 || c.rounds > maxRounds:
		return fmt.Errorf("-rounds %d: want 1..%d", c.rounds, maxRounds)
	}
	return nil
}

// firstJob reads the front page's JSON for a job name.
func firstJob(c config) (string, error) {
	req, err := http.NewRequest(http.MethodGet, "http://"+c.addr+"/", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("front page: %w", err)
	}
	defer resp.Body.Close()
	var front struct {
		Jobs []struct{ Name string } `json:"jobs"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&front); err != nil {
		return "", fmt.Errorf("front page JSON: %w", err)
	}
	if len(front.Jobs) == 0 {
		return "", errors.New("the front page lists no job; name one with -job")
	}
	return front.Jobs[0].Name, nil
}

// runPhase loads one page from every worker for c.phase.
func runPhase(parent context.Context, c config, t target) (phaseResult, error) {
	ctx, cancel := context.WithTimeout(parent, c.phase)
	defer cancel()
	var (
		mu   sync.Mutex
		res  phaseResult
		wg   sync.WaitGroup
		errs = make(chan error, c.workers)
	)
	start := time.Now()
	for k := range c.workers {
		addr := c.addrs[k%len(c.addrs)]
		wg.Go(func() {
			var lat []time.Duration
			etag := t.ifNoneMatch
			for ctx.Err() == nil {
				t0 := time.Now()
				var err error
				if etag, err = fetch(c.client, t.url(addr), etag, c.encoding); err != nil {
					errs <- fmt.Errorf("%s: %w", t.name, err)
					return
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return res, err
	}
	return res, nil
}

// fetch gets u, with If-None-Match when ifNoneMatch is set; then the
// answer is a 304, or a 200 with a new ETag when the data changed since
// (a vacuum running meanwhile): the ETag to send from then on is returned.
func fetch(client *http.Client, u, ifNoneMatch, encoding string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept-Encoding", encoding)
	want := http.StatusOK
	if ifNoneMatch != "" {
		req.Header.Set("If-None-Match", ifNoneMatch)
		want = http.StatusNotModified
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return "", err
	}
	if etag := resp.Header.Get("ETag"); ifNoneMatch != "" && resp.StatusCode == http.StatusOK && etag != "" && etag != ifNoneMatch {
		return etag, nil
	}
	if resp.StatusCode != want {
		return "", fmt.Errorf("GET %s: status %d, want %d", u, resp.StatusCode, want)
	}
	return ifNoneMatch, nil
}

// get fetches path with header pairs and returns the answer and its body.
func get(c config, path string, headers ...string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, "http://"+c.addr+path, nil)
	if err != nil {
		return nil, nil, err
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	return resp, body, nil
}

// newestBuilds reads the job page's JSON for the UUIDs of its two newest
// builds (one when it has only one), newest first.
func newestBuilds(c config, jobPath string) ([]string, error) {
	_, body, err := get(c, jobPath, "Accept", "application/json")
	if err != nil {
		return nil, err
	}
	var job struct {
		Builds []struct{ UUID string } `json:"builds"`
	}
	if err := json.Unmarshal(body, &job); err != nil {
		return nil, fmt.Errorf("job JSON: %w", err)
	}
	var out []string
	for _, b := range job.Builds {
		if b.UUID != "" && len(out) < 2 {
			out = append(out, b.UUID)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("job page %s lists no build", jobPath)
	}
	return out, nil
}

// etagOf is the ETag a page is sent with; without one (no page cache) the
// 304 phase cannot run.
func etagOf(c config, path string) (string, error) {
	resp, _, err := get(c, path, "Accept-Encoding", c.encoding)
	if err != nil {
		return "", err
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		return "", fmt.Errorf("GET %s: no ETag (is the page cache off?)", path)
	}
	return etag, nil
}

// reportSizes prints the bytes on the wire of each page's body as sent
// without compression, with gzip and with brotli.
func reportSizes(c config, targets []target) error {
	fmt.Printf("%-10s %10s %10s %10s\n", "bytes", "identity", "gzip", "br")
	for _, t := range targets {
		if t.base != "" {
			continue // the static copy of the front page
		}
		var sizes [3]int
		for i, enc := range []string{"identity", "gzip", "br"} {
			_, body, err := get(c, t.path, "Accept-Encoding", enc)
			if err != nil {
				return err
			}
			sizes[i] = len(body)
		}
		fmt.Printf("%-10s %10d %10d %10d\n", t.name, sizes[0], sizes[1], sizes[2])
	}
	return nil
}

// serveStatic writes the front page's body, as sent with c.encoding, to a
// temporary file and serves its directory on a loopback port with
// net/http's file server, which sends a file with sendfile(2). It returns
// the server's URL and a function that stops it and removes the file.
func serveStatic(c config) (string, func(), error) {
	_, body, err := get(c, "/", "Accept-Encoding", c.encoding)
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "load-static-")
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "front.html"), body, 0o644)
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, fmt.Errorf("static copy of the front page: %w", err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close(); _ = os.RemoveAll(dir) }, nil
}
