package main

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/builder-web/builder-web/internal/generate"
)

// Concurrent uploads of one UUID against a real server: exactly one 201,
// every other a 409 that the client reads in full, no reset connection,
// and a clean data directory afterwards (#11 item 7). The artifact is
// large enough that most conflicts are found while the body still streams.
func TestConcurrentSameUUID(t *testing.T) {
	const clients = 30
	dir := filepath.Join(t.TempDir(), "data")
	addUser(t, dir)
	s := startServer(t, dir, "")
	g := generate.New(generate.Options{Jobs: 1, Platforms: 1, Builds: 1, Seed: 7, End: time.Now()})
	b := makeBuild(t, g, 0, 4<<20)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts = map[int]int{}
		errs   []string
	)
	start := make(chan struct{})
	for range clients {
		wg.Go(func() {
			<-start
			status, msg := postUpload(s.addr, b.body)
			mu.Lock()
			defer mu.Unlock()
			counts[status]++
			if status != 201 && status != 409 && len(errs) < 3 {
				errs = append(errs, msg)
			}
		})
	}
	close(start)
	wg.Wait()
	if counts[201] != 1 || counts[409] != clients-1 {
		t.Errorf("answers %v, want one 201 and %d 409; first other answers: %q", counts, clients-1, errs)
	}
	if !checkBuild(t, s.addr, dir, b) {
		t.Errorf("the build that got 201 is not stored")
	}
	s.kill()
	verifyDataDir(t, dir)
}
