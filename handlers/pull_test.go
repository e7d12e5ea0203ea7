package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// builder-web --pull copies a source's builds in the background, now and
// then every --pull-interval, counts them in /metrics and stops with Close.
func TestBackgroundPull(t *testing.T) {
	src := apptest.New(t)
	ovEnv(t, src,
		ovBuild{Job: "bg", N: 1, Bin: "A", Files: reproInputs("I1")},
		ovBuild{Job: "bg", N: 2, Bin: "A", Files: reproInputs("I1")},
		ovBuild{Job: "bg-failed", N: 3, Result: builder.Result{Kind: builder.Exited, Code: 1}},
	)
	url := src.Serve(t)
	host := strings.TrimPrefix(url, "http://")
	dst := apptest.New(t, func(c *server.Config) {
		c.Pull = []string{url}
		c.PullInterval = 200 * time.Millisecond
	})
	waitStored := func(ns ...int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for _, n := range ns {
			for {
				ok, err := dst.App.DB.BuildExists(context.Background(), ovUUID(n))
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("build #%d was not pulled within 10s", n)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	waitStored(1, 2, 3)
	page := string(dst.Get(t, "/job/bg/build/"+ovUUID(1)).Body)
	if !strings.Contains(page, "pull:"+host) {
		t.Errorf("build page does not name the uploader pull:%s", host)
	}

	// A later upload to the source arrives with the next run.
	ovUpload(t, src, ovBuild{Job: "bg", N: 4, Bin: "B"})
	waitStored(4)
	// The count follows the commit: on a loaded machine /metrics may lag
	// the stored build for a moment.
	want := fmt.Sprintf(`builder_web_pull_builds_total{outcome="new",source=%q} 4`, host)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if strings.Contains(string(dst.Get(t, "/metrics").Body), want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics lacks %s after 10s", want)
		}
	}

	done := make(chan error, 1)
	go func() { done <- dst.App.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop the background pull")
	}
}

// A malformed --pull URL stops the server at start.
func TestBackgroundPullBadURL(t *testing.T) {
	cfg := server.Config{DataDir: t.TempDir(), ConfigDir: t.TempDir(), Pull: []string{"ftp://x"}}
	a, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		a.Close()
		t.Fatal("server.New accepted --pull ftp://x")
	}
	if !strings.Contains(err.Error(), "want http(s)://") {
		t.Errorf("error %q does not say what is wanted", err)
	}
}
