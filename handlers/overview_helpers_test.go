package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// Helpers of the overview page tests (front page, job pages, failed builds,
// redirects). Records are made with builder.Encode and uploaded through
// POST /upload, as builder would.

const (
	ovUser = "builder"
	ovPass = "secret-pw"
)

// ovBuild describes one build record.
type ovBuild struct {
	Job      string
	Platform string
	N        int           // makes the UUID
	Start    time.Time     // zero: ovT0 + N minutes
	Duration time.Duration // zero: 90s
	Result   builder.Result
	Bin      string // main binary content; "" for a failed build
	BinName  string // default "<job>.hvt"
	Readme   string
	Switch   bool // add the success_hvt vector's opam-switch (section "Unikernels")
	Files    []builder.File
}

// ovT0 is recent, so that builds at ovT0 + N hours are not expired by the
// default --expired-jobs 30.
var ovT0 = time.Now().UTC().Truncate(time.Hour).AddDate(0, 0, -20)

func ovUUID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

var (
	ovSwitchOnce sync.Once
	ovSwitch     []byte
)

func ovOpamSwitch(t *testing.T) []byte {
	ovSwitchOnce.Do(func() {
		e, err := builder.Decode(apptest.Vector(t, "success_hvt.full"))
		if err != nil {
			t.Fatalf("decode vector: %v", err)
		}
		for _, f := range e.Files {
			if f.Path == "opam-switch" {
				ovSwitch = f.Data
			}
		}
	})
	if ovSwitch == nil {
		t.Fatal("success_hvt.full has no opam-switch")
	}
	return ovSwitch
}

func (b ovBuild) start() time.Time {
	if b.Start.IsZero() {
		return ovT0.Add(time.Duration(b.N) * time.Minute)
	}
	return b.Start
}

func (b ovBuild) encode(t *testing.T) []byte {
	t.Helper()
	u, err := builder.ParseUUID(ovUUID(b.N))
	if err != nil {
		t.Fatal(err)
	}
	if b.Platform == "" {
		b.Platform = "debian-12"
	}
	d := b.Duration
	if d == 0 {
		d = 90 * time.Second
	}
	e := &builder.Exec{Header: builder.Header{
		Job:     builder.Job{Name: b.Job, Script: "#!/bin/sh\necho build\n", Platform: b.Platform},
		UUID:    u,
		Console: []builder.ConsoleLine{{Delta: 1e9, Data: "done"}},
		Start:   b.start(),
		Finish:  b.start().Add(d),
		Result:  b.Result,
	}}
	if b.Bin != "" {
		name := b.BinName
		if name == "" {
			name = b.Job + ".hvt"
		}
		e.Files = append(e.Files, builder.File{Path: "bin/" + name, Data: []byte(b.Bin)})
	}
	if b.Readme != "" {
		e.Files = append(e.Files, builder.File{Path: "README.md", Data: []byte(b.Readme)})
	}
	if b.Switch {
		e.Files = append(e.Files, builder.File{Path: "opam-switch", Data: ovOpamSwitch(t)})
	}
	e.Files = append(e.Files, b.Files...)
	out, err := builder.Encode(e)
	if err != nil {
		t.Fatalf("encode %s #%d: %v", b.Job, b.N, err)
	}
	return out
}

// ovEnv starts a server with an unrestricted uploader and uploads builds.
func ovEnv(t *testing.T, env *apptest.Env, builds ...ovBuild) {
	t.Helper()
	env.AddUser(t, ovUser, ovPass, false)
	ovUpload(t, env, builds...)
}

func ovUpload(t *testing.T, env *apptest.Env, builds ...ovBuild) {
	t.Helper()
	for _, b := range builds {
		r := env.Upload(t, "/upload", ovUser, ovPass, b.encode(t))
		if r.Status != http.StatusCreated {
			t.Fatalf("upload %s #%d: %d %s", b.Job, b.N, r.Status, r.Body)
		}
	}
}

// ovCount counts the occurrences of s.
func ovCount(body []byte, s string) int { return strings.Count(string(body), s) }
