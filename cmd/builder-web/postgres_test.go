package main

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/accounts"
	"github.com/builder-web/builder-web/app/cli"
	"github.com/builder-web/builder-web/app/datadir"
	"github.com/builder-web/builder-web/internal/generate"
	"github.com/builder-web/builder-web/internal/testkit/pgtest"
)

// addUserTo is addUser on the database named by --database url.
func addUserTo(t *testing.T, dir, url string) {
	t.Helper()
	ctx := context.Background()
	data, err := datadir.Open(ctx, dir, datadir.Options{Mode: datadir.Migrated, Database: url})
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	if _, err := accounts.Create(ctx, data.DB, "up", "crash-test-pw", false, false); err != nil {
		t.Fatal(err)
	}
}

// Two builder-web processes on one PostgreSQL database (each with a data
// directory of its own, so that nothing but the database decides) get the
// same record at once: PostgreSQL's unique constraint on build.uuid lets
// exactly one insert win, the other process answers 409 and leaves none
// of the build's files behind.
func TestPostgresSameUUIDTwoServers(t *testing.T) {
	url := pgtest.Postgres(t)
	t.Setenv(cli.EnvDatabase, url) // the servers read it as their --database
	dirA := filepath.Join(t.TempDir(), "a", "data")
	dirB := filepath.Join(t.TempDir(), "b", "data")
	addUserTo(t, dirA, url)
	if err := os.MkdirAll(dirB, 0o755); err != nil {
		t.Fatal(err)
	}
	a, b := startServer(t, dirA, ""), startServer(t, dirB, "")
	g := generate.New(generate.Options{Jobs: 1, Platforms: 1, Builds: 1, Seed: 11, End: time.Now()})
	build := makeBuild(t, g, 0, 1<<20)

	const rounds = 8 // clients per server
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts = map[string]map[int]int{a.addr: {}, b.addr: {}}
		errs   []string
	)
	start := make(chan struct{})
	for range rounds {
		for _, s := range []*serverProcess{a, b} {
			wg.Go(func() {
				<-start
				status, msg := postUpload(s.addr, build.body)
				mu.Lock()
				defer mu.Unlock()
				counts[s.addr][status]++
				if status != 201 && status != 409 && len(errs) < 3 {
					errs = append(errs, msg)
				}
			})
		}
	}
	close(start)
	wg.Wait()
	created := counts[a.addr][201] + counts[b.addr][201]
	conflicts := counts[a.addr][409] + counts[b.addr][409]
	if created != 1 || conflicts != 2*rounds-1 {
		t.Fatalf("answers %v, want one 201 and %d 409 in all; first other answers: %q", counts, 2*rounds-1, errs)
	}
	winner, winDir, loser, loseDir := a, dirA, b, dirB
	if counts[b.addr][201] == 1 {
		winner, winDir, loser, loseDir = b, dirB, a, dirA
	}
	if !checkBuild(t, winner.addr, winDir, build) {
		t.Error("the build that got 201 is not stored")
	}
	// The other process reads the same database: the build is there, but
	// none of its files were left in that process's data directory.
	if _, body := get(t, loser.addr, build.url(), "Accept", "application/json"); len(body) == 0 {
		t.Errorf("GET %s on the other server: empty", build.url())
	}
	if _, err := os.Stat(filepath.Join(loseDir, build.job, build.uuid)); !os.IsNotExist(err) {
		t.Errorf("the losing server kept %s/%s: %v", build.job, build.uuid, err)
	}
	if arts, _ := filepath.Glob(filepath.Join(loseDir, "_artifacts", "*", "*")); len(arts) != 0 {
		t.Errorf("the losing server kept artifacts: %v", arts)
	}
}
