package server_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// tmpfs mounts a small tmpfs for the test, which needs root (as in CI);
// elsewhere the test is skipped.
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// A full disk is a 507 that leaves nothing behind; once there is room
// again, uploads work (#11 item 7).
func TestUploadDiskFull(t *testing.T) {
	mnt := tmpfs(t, "8m")
	env := apptest.New(t, func(c *server.Config) { c.DataDir = filepath.Join(mnt, "data") })
	env.AddUser(t, "up", "up-password", false)
	big := make([]byte, 16<<20)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	rec, err := builder.Encode(&builder.Exec{Header: builder.Header{
		Job:    builder.Job{Name: "big", Script: "true", Platform: "debian-12"},
		UUID:   [16]byte{0xd1, 0x5c, 2: 0xf0, 6: 0x40, 8: 0x80, 15: 1},
		Start:  time.UnixMilli(1700000000000).UTC(),
		Finish: time.UnixMilli(1700000060000).UTC(),
	}, Files: []builder.File{{Path: "bin/big", Data: big}}})
	if err != nil {
		t.Fatal(err)
	}
	r := env.Upload(t, "/upload", "up", "up-password", rec)
	if r.Status != http.StatusInsufficientStorage {
		t.Errorf("upload to a full disk: status %d (%s), want 507", r.Status, r.Body)
	}
	if files := env.Files(t); len(files) != 0 {
		t.Errorf("files left after a full disk: %v", files)
	}
	env.AssertNoBuilds(t)
	if r := env.Upload(t, "/upload", "up", "up-password", apptest.Record(t, "small", "bin/x")); r.Status != http.StatusCreated {
		t.Errorf("small upload afterwards: status %d (%s), want 201", r.Status, r.Body)
	}
}

// A data directory on a read-only file system is refused at start with an
// error that says so, whether the database exists or not (#11 item 7).
func TestStartReadOnlyDataDir(t *testing.T) {
	mnt := tmpfs(t, "8m")
	withDB := filepath.Join(mnt, "with-db")
	empty := filepath.Join(mnt, "empty")
	env := apptest.New(t, func(c *server.Config) { c.DataDir = withDB })
	env.App.Close()
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("", mnt, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("remount read-only: %v", err)
	}
	for _, dir := range []string{withDB, empty} {
		a, err := server.New(context.Background(), server.Config{DataDir: dir, ConfigDir: t.TempDir(),
			ExpiredJobs: server.DefaultExpiredJobs}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err == nil {
			a.Close()
			t.Errorf("%s: started on a read-only file system", dir)
			continue
		}
		if !strings.Contains(err.Error(), "read-only") || !strings.Contains(err.Error(), dir) {
			t.Errorf("%s: error %q does not say the data directory is read-only", dir, err)
		}
	}
}
