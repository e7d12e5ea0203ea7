package db

import (
	"errors"
	"github.com/builder-web/builder-web/internal/testkit/pgtest"
	"reflect"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/password"
)

func TestReferenceUser(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)

	users, err := d.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].Username != fixtureUser {
		t.Fatalf("users %+v, want exactly %s", users, fixtureUser)
	}
	got, err := d.UserByName(ctx, fixtureUser)
	if err != nil {
		t.Fatal(err)
	}
	// Encodings as the reference writes them: booleans 0/1, blobs.
	var typ, hashType string
	var restricted int
	if pgtest.Enabled() {
		typ, hashType = "integer", "blob" // SQLite's storage classes; PostgreSQL's types are fixed
	} else if err := d.read.NewRaw("SELECT typeof(restricted), restricted + 0, typeof(password_hash) FROM user").
		Scan(ctx, &typ, &restricted, &hashType); err != nil || typ != "integer" || restricted != 0 || hashType != "blob" {
		t.Errorf("restricted stored as %s %d, hash as %s (%v); want integer 0, blob", typ, restricted, hashType, err)
	}
	if !reflect.DeepEqual(got, u) {
		t.Errorf("get user\n got %+v\nwant %+v", got, u)
	}
	if ok, up := password.Verify(credentials(got), fixturePassword); !ok || !up {
		t.Errorf("verify correct password = %v, %v; want true (and upgrade)", ok, up)
	}
	if ok, _ := password.Verify(credentials(got), "wrong"); ok {
		t.Error("verify wrong password = true")
	}

	// Update with a new password: the stored record equals the new one.
	upd := *got
	upd.UseArgon2id(hashPassword(t, "new password"))
	upd.Restricted = true
	upd.Admin = true
	if err := d.UpdateUser(ctx, upd); err != nil {
		t.Fatal(err)
	}
	stored, err := d.UserByName(ctx, fixtureUser)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*stored, upd) {
		t.Errorf("after update\n got %+v\nwant %+v", stored, upd)
	}
	if len(stored.PasswordHash) != 0 || stored.PasswordHash == nil {
		t.Errorf("scrypt hash after argon2id update: %#v (want empty, not NULL)", stored.PasswordHash)
	}
	if ok, up := password.Verify(credentials(stored), "new password"); !ok || up {
		t.Errorf("verify new password = %v, %v; want true, false", ok, up)
	}
	if ok, _ := password.Verify(credentials(stored), fixturePassword); ok {
		t.Error("old password still verifies")
	}
	if err := d.UpdateUser(ctx, User{Username: "nobody"}); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("update unknown user: %v", err)
	}

	if err := d.RemoveUser(ctx, fixtureUser); err != nil {
		t.Fatal(err)
	}
	if _, err := d.UserByName(ctx, fixtureUser); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed user: %v, want ErrNotFound", err)
	}
	if users, _ := d.ListUsers(ctx); len(users) != 0 {
		t.Errorf("users after remove: %+v", users)
	}
}

func TestAddUserDuplicate(t *testing.T) {
	d := newDB(t)
	addFixtureUser(t, d)
	_, err := d.AddUser(t.Context(), User{Username: fixtureUser})
	if !errors.Is(err, ErrDuplicate) {
		t.Errorf("second %s: %v, want ErrDuplicate", fixtureUser, err)
	}
}

func TestRemoveUserWithBuilds(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	insertBuild(t, d, fixtureBuild(u.ID, 1))
	err := d.RemoveUser(ctx, fixtureUser)
	if err == nil || !strings.Contains(err.Error(), "uploaded builds") {
		t.Errorf("remove user with builds: %v", err)
	}
	if _, err := d.UserByName(ctx, fixtureUser); err != nil {
		t.Errorf("user gone after refused removal: %v", err)
	}
	if err := d.RemoveUser(ctx, "nobody"); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("remove unknown user: %v", err)
	}
}

func TestDisableUser(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	insertBuild(t, d, fixtureBuild(u.ID, 1))
	if err := d.AccessAdd(ctx, fixtureUser, fixtureJob); err != nil {
		t.Fatal(err)
	}
	// An argon2id user is disabled the same way.
	u.UseArgon2id(hashPassword(t, "x"))
	if err := d.UpdateUser(ctx, *u); err != nil {
		t.Fatal(err)
	}

	if err := d.DisableUser(ctx, fixtureUser); err != nil {
		t.Fatal(err)
	}
	got, err := d.UserByName(ctx, fixtureUser)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Disabled() || !got.Restricted || got.PasswordArgon2id != nil || got.DisabledAt == nil ||
		got.PasswordHash == nil || got.PasswordSalt == nil ||
		got.ScryptN != DefaultScryptN || got.ScryptR != DefaultScryptR || got.ScryptP != DefaultScryptP {
		t.Errorf("disabled user %+v", got)
	}
	for _, pw := range []string{"", "x", fixturePassword} {
		if ok, _ := password.Verify(credentials(got), pw); ok {
			t.Errorf("disabled user verifies with %q", pw)
		}
	}
	if ok, err := d.HasAccess(ctx, got.ID, fixtureJob); ok || err != nil {
		t.Errorf("access after disable = %v, %v; want cleared", ok, err)
	}
	if err := d.DisableUser(ctx, "nobody"); !errors.Is(err, ErrUnknownUser) || !strings.Contains(err.Error(), "unknown user") {
		t.Errorf("disable unknown user: %v", err)
	}
}

func TestAccessList(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	insertBuild(t, d, fixtureBuild(u.ID, 1))

	if ok, err := d.HasAccess(ctx, u.ID, fixtureJob); ok || err != nil {
		t.Errorf("HasAccess before grant = %v, %v", ok, err)
	}
	for range 2 { // granting twice is fine
		if err := d.AccessAdd(ctx, fixtureUser, fixtureJob); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := d.HasAccess(ctx, u.ID, fixtureJob); !ok || err != nil {
		t.Errorf("HasAccess after grant = %v, %v", ok, err)
	}
	if ok, _ := d.HasAccess(ctx, u.ID, "other-job"); ok {
		t.Error("access to another job")
	}
	if jobs, err := d.UserJobs(ctx, u.ID); err != nil || !reflect.DeepEqual(jobs, []string{fixtureJob}) {
		t.Errorf("UserJobs = %v, %v", jobs, err)
	}

	if err := d.AccessAdd(ctx, "nobody", fixtureJob); !errors.Is(err, ErrUnknownUser) || !strings.Contains(err.Error(), "unknown user") {
		t.Errorf("grant to unknown user: %v", err)
	}
	if err := d.AccessAdd(ctx, fixtureUser, "no-such-job"); !errors.Is(err, ErrJobNotFound) || !strings.Contains(err.Error(), "job not found") {
		t.Errorf("grant to unknown job: %v", err)
	}
	if err := d.AccessRemove(ctx, fixtureUser, fixtureJob); err != nil {
		t.Fatal(err)
	}
	if ok, _ := d.HasAccess(ctx, u.ID, fixtureJob); ok {
		t.Error("access after revoke")
	}
	if err := d.AccessRemove(ctx, fixtureUser, "no-such-job"); !errors.Is(err, ErrJobNotFound) {
		t.Errorf("revoke unknown job: %v", err)
	}
}

func TestSetArgon2id(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	h, err := password.Hash(fixturePassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetArgon2id(ctx, u.ID, h); err != nil {
		t.Fatal(err)
	}
	got, err := d.UserByName(ctx, fixtureUser)
	if err != nil {
		t.Fatal(err)
	}
	if got.PasswordArgon2id == nil || *got.PasswordArgon2id != h || len(got.PasswordHash) != 0 ||
		len(got.PasswordSalt) != 0 || got.Restricted != u.Restricted {
		t.Fatalf("after upgrade %+v", got)
	}
	if ok, up := password.Verify(credentials(got), fixturePassword); !ok || up {
		t.Errorf("verify after upgrade = %v, %v; want true, false", ok, up)
	}

	// An upgrade that arrives after the user was disabled changes nothing.
	if err := d.DisableUser(ctx, fixtureUser); err != nil {
		t.Fatal(err)
	}
	if err := d.SetArgon2id(ctx, u.ID, h); err != nil {
		t.Fatal(err)
	}
	after, err := d.UserByName(ctx, fixtureUser)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Disabled() {
		t.Errorf("late upgrade re-enabled a disabled user: %+v", after)
	}
}
