// Command uploads measures uploads per second into running builder-web
// nodes (issue 16): it encodes -n distinct generated records
// (internal/generate, as `builder-db generate` makes them) in memory
// first, so that the client's own work is not timed, then -c workers POST
// them to /upload for -d, worker k to address k mod n as a load balancer
// would, and prints the rate and latencies. Any answer but 201 ends the
// run with an error. Only loopback addresses are accepted.
//
//	uploads -addr 127.0.0.1:3000[,127.0.0.1:3001…] -auth USER:PASSWORD [-c 16] [-d 10s] [-n 2000] [-seed 1001]
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/bench/internal/loopback"
	"github.com/builder-web/builder-web/internal/generate"
)

// Bounds that keep a mistyped flag from turning this into a stress test.
const (
	maxWorkers  = 64
	maxDuration = 5 * time.Minute
	maxRecords  = 100_000
)

type config struct {
	addrs      []string
	user, pass string
	workers    int
	dur        time.Duration
	records    int
	seed       int64
}

func main() {
	var c config
	addr := flag.String("addr", "127.0.0.1:3000", "server addresses separated by commas (loopback only)")
	auth := flag.String("auth", "", "USER:PASSWORD of an account that may upload")
	flag.IntVar(&c.workers, "c", 16, fmt.Sprintf("concurrent uploaders (at most %d)", maxWorkers))
	flag.DurationVar(&c.dur, "d", 10*time.Second, fmt.Sprintf("how long to upload (at most %v)", maxDuration))
	flag.IntVar(&c.records, "n", 2000, fmt.Sprintf("records to encode beforehand: the run ends early when they are used up (at most %d)", maxRecords))
	flag.Int64Var(&c.seed, "seed", 1001, "generator seed: another seed for another set of build UUIDs")
	flag.Parse()
	c.addrs = strings.Split(*addr, ",")
	c.user, c.pass, _ = strings.Cut(*auth, ":")
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "uploads:", err)
		os.Exit(1)
	}
}

func checkBounds(c config) error {
	if err := loopback.Check(c.addrs); err != nil {
		return err
	}
	switch {
	case c.user == "":
		return errors.New("-auth USER:PASSWORD is required")
	case c.workers < 1 || c.workers > maxWorkers:
		return fmt.Errorf("-c %d: want 1..%d", c.workers, maxWorkers)
	case c.dur <= 0 || c.dur > maxDuration:
		return fmt.Errorf("-d %v: want up to %v", c.dur, maxDuration)
	case c.records < 1 || c.records > maxRecords:
		return fmt.Errorf("-n %d: want 1..%d", c.records, maxRecords)
	}
	return nil
}

func run(c config) error {
	if err := checkBounds(c); err != nil {
		return err
	}
	// 50 jobs on 4 platforms, like bench/nodes.sh's data set.
	g := generate.New(generate.Options{Jobs: 50, Platforms: 4, Builds: c.records/200 + 1, Seed: c.seed})
	bodies := make([][]byte, c.records)
	var size int
	for i := range bodies {
		b, err := builder.Encode(g.Record(i))
		if err != nil {
			return fmt.Errorf("encode record %d: %w", i, err)
		}
		bodies[i] = b
		size += len(b)
	}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: c.workers}}
	var next atomic.Int64 // the next record to send

	// One upload per node first, untimed: a fresh node's first upload
	// also warms its connections and caches.
	for k, addr := range c.addrs {
		if k < len(bodies) {
			if err := post(client, addr, c.user, c.pass, bodies[k]); err != nil {
				return err
			}
		}
	}
	next.Store(int64(min(len(c.addrs), len(bodies))))

	ctx, cancel := context.WithTimeout(context.Background(), c.dur)
	defer cancel()
	var (
		mu       sync.Mutex
		lat      []time.Duration
		firstErr error
		wg       sync.WaitGroup
	)
	start := time.Now()
	for k := range c.workers {
		addr := c.addrs[k%len(c.addrs)]
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(bodies) {
					return
				}
				t0 := time.Now()
				err := post(client, addr, c.user, c.pass, bodies[i])
				d := time.Since(t0)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				if err == nil {
					lat = append(lat, d)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return firstErr
	}
	if int(next.Load()) >= len(bodies) {
		fmt.Printf("all %d records uploaded before %v: raise -n\n", len(bodies), c.dur)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(int(p*float64(len(lat))), len(lat)-1)]) / 1e6
	}
	fmt.Printf("%d uploaders over %d node(s), records of %.0f KiB on average: %d uploads (201) in %.1fs, p50 %.0f ms, p99 %.0f ms\n",
		c.workers, len(c.addrs), float64(size)/float64(len(bodies))/1024, len(lat), elapsed.Seconds(), pct(0.5), pct(0.99))
	fmt.Printf("uploads/s %.1f\n", float64(len(lat))/elapsed.Seconds())
	return nil
}

// post uploads one record; anything but 201 is an error with the answer.
func post(client *http.Client, addr, user, pass string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/upload", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.SetBasicAuth(user, pass)
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s/upload: %w", addr, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST %s/upload: status %d (%s)", addr, resp.StatusCode, bytes.TrimSpace(msg))
	}
	return nil
}
