package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// Several nodes share one data directory (issue 16): node a's start undoes
// the interrupted commit in its own _staging/a/, but leaves node b's
// _staging/b/ alone, which may be an upload b is receiving now. What an
// older version left directly in _staging/ is cleaned on SQLite (one
// machine) and left alone on PostgreSQL.
func TestStartCleansOnlyOwnStaging(t *testing.T) {
	env := apptest.New(t)
	env.AddUser(t, "up", "up-password", false)
	dir := env.Dir
	write := func(rel, content string) { t.Helper(); testenv.WriteFile(t, dir, rel, content) }
	exists := func(rel string) bool {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
		return err == nil
	}
	// An interrupted commit in staging dir, of a build of job: its
	// artifact and build directory were moved into place, no row was
	// written. It returns the artifact's and the build directory's paths.
	interrupted := func(staging, job, uuid string) (artifact, buildDir string) {
		sum := sha256.Sum256([]byte("moved by the interrupted commit of " + uuid))
		h := hex.EncodeToString(sum[:])
		artifact, buildDir = "_artifacts/"+h[:2]+"/"+h, job+"/"+uuid
		write(artifact, "content")
		write(buildDir+"/console.txt", "")
		write(staging+uuid+"/commit-manifest", job+"\n"+h+"\n")
		return artifact, buildDir
	}
	ownArt, ownBuild := interrupted("_staging/a/", "job-a", "aaaaaaaa-1111-4111-8111-111111111111")
	write("_staging/a/script-1", "")
	otherArt, otherBuild := interrupted("_staging/b/", "job-b", "bbbbbbbb-2222-4222-8222-222222222222")
	write("_staging/b/console-2", "")
	oldUUID := "cccccccc-3333-4333-8333-333333333333"
	oldArt, oldBuild := interrupted("_staging/", "job-c", oldUUID)
	write("_staging/script-3", "")

	var log bytes.Buffer
	env, err := restart(t, env, "a", &log)
	if err != nil {
		t.Fatalf("start of node a: %v\n%s", err, log.String())
	}
	if exists(ownArt) || exists(ownBuild) {
		t.Errorf("node a's interrupted commit not undone: artifact kept %v, build directory kept %v", exists(ownArt), exists(ownBuild))
	}
	if !exists(otherArt) || !exists(otherBuild) {
		t.Errorf("node a's start removed node b's files: artifact kept %v, build directory kept %v", exists(otherArt), exists(otherBuild))
	}
	want := []string{"b/bbbbbbbb-2222-4222-8222-222222222222", "b/console-2"}
	if env.Database != "" { // PostgreSQL: an old node may still be staging there
		if !exists(oldArt) || !exists(oldBuild) {
			t.Errorf("on PostgreSQL the old leftover's files were removed: artifact kept %v, build directory kept %v", exists(oldArt), exists(oldBuild))
		}
		want = append(want, oldUUID+"/commit-manifest", "script-3")
	} else if exists(oldArt) || exists(oldBuild) {
		t.Errorf("on SQLite the old leftover was not undone: artifact kept %v, build directory kept %v", exists(oldArt), exists(oldBuild))
	}
	slices.Sort(want)
	if got := testenv.Staged(t, dir); !slices.Equal(got, want) {
		t.Errorf("_staging after node a's start: %q, want %q", got, want)
	}

	// Node a stages its uploads in _staging/a/ and leaves nothing there.
	if r := env.Upload(t, "/upload", "up", "up-password", apptest.Record(t, "after", "bin/x")); r.Status != http.StatusCreated {
		t.Errorf("upload to node a: status %d (%s), want 201", r.Status, r.Body)
	}
	if fi, err := os.Stat(filepath.Join(dir, "_staging", "a")); err != nil || !fi.IsDir() {
		t.Errorf("node a's staging directory: %v", err)
	}
	if got := testenv.Staged(t, dir); !slices.Equal(got, want) {
		t.Errorf("_staging after an upload to node a: %q, want %q", got, want)
	}
}

// A node name that is no plain directory name is refused at start, before
// the data directory or its database is created.
func TestStartRefusesBadNode(t *testing.T) {
	for _, node := range []string{"..", "a/b", "_x", "3b8e6b1c-6a6e-4b5e-9c1a-2f0c0e2e9a01"} {
		dir := filepath.Join(t.TempDir(), "data")
		a, err := server.New(context.Background(), server.Config{DataDir: dir, ConfigDir: t.TempDir(), Node: node},
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err == nil {
			a.Close()
			t.Errorf("start with --node %q succeeded, want an error", node)
			continue
		}
		if !strings.Contains(err.Error(), "node name") {
			t.Errorf("start with --node %q: %v, want it to name the node name", node, err)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("start with --node %q created the data directory", node)
		}
	}
}
