package server_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/db"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// SIGTERM's path: a server stopping in the middle of an upload stops
// accepting connections, lets the upload finish (201), runs its hooks,
// and closes the database cleanly.
func TestGracefulShutdown(t *testing.T) {
	configDir, scratch := t.TempDir(), t.TempDir()
	marker := filepath.Join(scratch, "hook-ran")
	hooks := filepath.Join(configDir, "upload-hooks")
	if err := os.MkdirAll(hooks, 0o755); err != nil {
		t.Fatal(err)
	}
	// The hook is slow on purpose: shutdown must wait for it.
	script := "#!/bin/sh\nsleep 0.5\necho \"$2\" > " + marker + "\n"
	if err := os.WriteFile(filepath.Join(hooks, "mark.sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env := apptest.New(t, func(c *server.Config) { c.ConfigDir = configDir })
	env.AddUser(t, "up", "upload-pw", false)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	go func() { _ = env.App.Fiber.Listener(ln) }()

	body := apptest.Vector(t, "success_hvt.full")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	auth := base64.StdEncoding.EncodeToString([]byte("up:upload-pw"))
	half := len(body) / 2
	if _, err := fmt.Fprintf(conn, "POST /upload HTTP/1.1\r\nHost: builds\r\nAuthorization: Basic %s\r\nContent-Length: %d\r\n\r\n%s",
		auth, len(body), body[:half]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the handler is now reading the body

	done := make(chan error, 1)
	go func() { done <- env.App.Shutdown(30*time.Second, 10*time.Second) }()

	// New connections are refused while the upload is still running.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after Shutdown")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) before the upload finished", err)
	default:
	}

	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatalf("sending the rest of the upload: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the upload's response: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload during shutdown: status %d, want 201", resp.StatusCode)
	}

	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Shutdown did not return")
	}
	if b, err := os.ReadFile(marker); err != nil || string(b) != "--sha256=715626d0284735b0303d6637e2bec1960edcfa05169b946eaed9d1ad0267945e\n" {
		t.Errorf("the upload's hook did not finish before shutdown returned: %q, %v", b, err)
	}

	// Closed, and cleanly: the last connection checkpointed and removed
	// the write-ahead log.
	if err := env.App.DB.Ready(context.Background()); err == nil {
		t.Error("the database still answers after Shutdown")
	}
	if _, err := os.Stat(filepath.Join(env.Dir, "builder.sqlite3-wal")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("write-ahead log left behind: %v", err)
	}
	loc, err := db.ParseLocation(env.Database, filepath.Join(env.Dir, "builder.sqlite3"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.OpenLocation(context.Background(), loc, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if ok, err := d.BuildExists(context.Background(), "3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18"); !ok || err != nil {
		t.Errorf("the upload finished during shutdown is not stored: %v, %v", ok, err)
	}
}
