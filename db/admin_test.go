package db

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestUserSummaries(t *testing.T) {
	d := newDB(t)
	u := addFixtureUser(t, d)
	if _, err := d.AddUser(t.Context(), User{Username: "idle", Restricted: true, Admin: true}); err != nil {
		t.Fatal(err)
	}
	insertBuild(t, d, fixtureBuild(u.ID, 1))
	insertBuild(t, d, fixtureBuild(u.ID, 2))

	got, err := d.UserSummaries(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Username != "idle" || got[1].Username != fixtureUser {
		t.Fatalf("users %+v, want idle then %s", got, fixtureUser)
	}
	idle, test := got[0], got[1]
	if !idle.Admin || !idle.Restricted || idle.Builds != 0 {
		t.Errorf("idle = %+v, want admin, restricted, no builds", idle)
	}
	if _, ok := idle.LastUpload(); ok {
		t.Error("idle has a last upload")
	}
	if test.Builds != 2 {
		t.Errorf("%s: %d builds, want 2", fixtureUser, test.Builds)
	}
	if last, ok := test.LastUpload(); !ok || !last.Equal(time.Unix(3600, 0)) {
		t.Errorf("%s: last upload %v %v, want the second build's start", fixtureUser, last, ok)
	}

	one, err := d.UserSummary(t.Context(), fixtureUser)
	if err != nil || one.Builds != 2 {
		t.Errorf("UserSummary = %+v, %v; want 2 builds", one, err)
	}
	if _, err := d.UserSummary(t.Context(), "nobody"); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("UserSummary(nobody) error %v, want ErrUnknownUser", err)
	}
}

func TestJobNamesWithPrefix(t *testing.T) {
	d := newDB(t)
	u := addFixtureUser(t, d)
	for i, job := range []string{"hello", "hello-hvt", "help", "Hello", "world", "héllo"} {
		b := fixtureBuild(u.ID, 1)
		b.Job = job
		b.UUID = strings.Replace(uuid1, "a01", "a1"+string(rune('0'+i)), 1)
		b.Script, b.Console = job+"/"+b.UUID+"/script.txt", job+"/"+b.UUID+"/console.txt"
		insertBuild(t, d, b)
	}
	for _, tc := range []struct {
		prefix string
		limit  int
		want   []string
	}{
		{"hel", 10, []string{"hello", "hello-hvt", "help"}},
		{"hello", 10, []string{"hello", "hello-hvt"}},
		{"h", 2, []string{"hello", "hello-hvt"}},
		{"h\u00e9", 10, []string{"héllo"}},
		{"", 10, []string{"Hello", "hello", "hello-hvt", "help", "héllo", "world"}},
		{"x", 10, []string{}},
	} {
		got, err := d.JobNamesWithPrefix(t.Context(), tc.prefix, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("JobNamesWithPrefix(%q, %d) = %q, want %q", tc.prefix, tc.limit, got, tc.want)
		}
	}
}

func TestSetFlags(t *testing.T) {
	d := newDB(t)
	addFixtureUser(t, d)
	if err := d.SetAdmin(t.Context(), fixtureUser, true); err != nil {
		t.Fatal(err)
	}
	if err := d.SetRestricted(t.Context(), fixtureUser, true); err != nil {
		t.Fatal(err)
	}
	u, err := d.UserByName(t.Context(), fixtureUser)
	if err != nil || !u.Admin || !u.Restricted {
		t.Fatalf("after setting flags: %+v, %v", u, err)
	}
	if err := d.SetAdmin(t.Context(), "nobody", true); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("SetAdmin(nobody) error %v, want ErrUnknownUser", err)
	}
}

func TestSessions(t *testing.T) {
	d := newDB(t)
	u := addFixtureUser(t, d)
	ctx := t.Context()
	a := Session{IDHash: sum([]byte("a")), UserID: u.ID, CSRF: "ta", Created: 100, LastSeen: 100}
	b := Session{IDHash: sum([]byte("b")), UserID: u.ID, CSRF: "tb", Created: 50, LastSeen: 200}
	for _, s := range []Session{a, b} {
		if err := d.InsertSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.SessionByHash(ctx, a.IDHash)
	if err != nil || got.UserID != u.ID || got.CSRF != "ta" || got.Created != 100 {
		t.Fatalf("SessionByHash = %+v, %v", got, err)
	}
	if err := d.TouchSession(ctx, a.IDHash, 300); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.SessionByHash(ctx, a.IDHash); got.LastSeen != 300 {
		t.Errorf("last_seen %d after touch, want 300", got.LastSeen)
	}
	// b was created too long ago.
	if err := d.DeleteExpiredSessions(ctx, 150, 60); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SessionByHash(ctx, b.IDHash); !errors.Is(err, ErrNoSession) {
		t.Errorf("expired session still there: %v", err)
	}
	if err := d.DeleteUserSessions(ctx, u.ID, a.IDHash); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SessionByHash(ctx, a.IDHash); err != nil {
		t.Errorf("the kept session is gone: %v", err)
	}
	// Removing the user removes their sessions (ON DELETE CASCADE).
	if err := d.RemoveUser(ctx, fixtureUser); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SessionByHash(ctx, a.IDHash); !errors.Is(err, ErrNoSession) {
		t.Errorf("session of a removed user: %v", err)
	}
}
