package session

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/accounts"
	"github.com/builder-web/builder-web/db"
)

func newManager(t *testing.T) (*Manager, *db.User, *time.Time) {
	t.Helper()
	d, err := db.Open(t.Context(), filepath.Join(t.TempDir(), "builder.sqlite3"), db.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	u, err := accounts.Create(t.Context(), d, "alice", "password1", false, false)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	m.Now = func() time.Time { return now }
	return m, u, &now
}

func TestLifecycle(t *testing.T) {
	m, u, _ := newManager(t)
	ctx := t.Context()
	id, s, err := m.Create(ctx, u, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Lookup(ctx, id)
	if err != nil || got.User.Username != "alice" || got.CSRF != s.CSRF {
		t.Fatalf("Lookup = %+v, %v; want alice's session", got, err)
	}
	if !got.CheckCSRF(s.CSRF) || got.CheckCSRF("") || got.CheckCSRF(s.CSRF+"x") {
		t.Error("CheckCSRF accepts the wrong tokens")
	}
	// Logging in again replaces the session.
	id2, s2, err := m.Create(ctx, u, id)
	if err != nil {
		t.Fatal(err)
	}
	if id2 == id || s2.CSRF == s.CSRF {
		t.Error("a new login kept the session id or CSRF token")
	}
	if _, err := m.Lookup(ctx, id); !errors.Is(err, ErrNoSession) {
		t.Errorf("old session after re-login: %v, want ErrNoSession", err)
	}
	if err := m.Delete(ctx, id2); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, id2); !errors.Is(err, ErrNoSession) {
		t.Errorf("session after Delete: %v, want ErrNoSession", err)
	}
	for _, bad := range []string{"", "x", id2 + "x"} {
		if _, err := m.Lookup(ctx, bad); !errors.Is(err, ErrNoSession) {
			t.Errorf("Lookup(%q): %v, want ErrNoSession", bad, err)
		}
	}
}

func TestIdleExpiry(t *testing.T) {
	m, u, now := newManager(t)
	ctx := t.Context()
	id, _, err := m.Create(ctx, u, "")
	if err != nil {
		t.Fatal(err)
	}
	// Regular use keeps the session alive past the idle timeout.
	for range 3 {
		*now = now.Add(m.IdleTimeout - time.Hour)
		if _, err := m.Lookup(ctx, id); err != nil {
			t.Fatalf("session used within the idle timeout: %v", err)
		}
	}
	*now = now.Add(m.IdleTimeout)
	if _, err := m.Lookup(ctx, id); !errors.Is(err, ErrNoSession) {
		t.Errorf("idle session: %v, want ErrNoSession", err)
	}
}

func TestAbsoluteExpiry(t *testing.T) {
	m, u, now := newManager(t)
	ctx := t.Context()
	id, _, err := m.Create(ctx, u, "")
	if err != nil {
		t.Fatal(err)
	}
	start := *now
	for now.Add(6*time.Hour).Sub(start) < m.MaxAge {
		*now = now.Add(6 * time.Hour)
		if _, err := m.Lookup(ctx, id); err != nil {
			t.Fatalf("session %v after login: %v", now.Sub(start), err)
		}
	}
	*now = start.Add(m.MaxAge)
	if _, err := m.Lookup(ctx, id); !errors.Is(err, ErrNoSession) {
		t.Errorf("session at its maximum age: %v, want ErrNoSession", err)
	}
}

func TestDisabledUserLoggedOut(t *testing.T) {
	m, u, _ := newManager(t)
	ctx := t.Context()
	id, _, err := m.Create(ctx, u, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DB.DisableUser(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, id); !errors.Is(err, ErrNoSession) {
		t.Errorf("session of a disabled user: %v, want ErrNoSession", err)
	}
}

func TestFormToken(t *testing.T) {
	m, _, _ := newManager(t)
	seed, err := m.NewFormSeed()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := m.NewFormSeed()
	tok := m.FormToken(seed)
	if !m.CheckFormToken(seed, tok) {
		t.Error("token refused with its own seed")
	}
	if m.CheckFormToken(other, tok) || m.CheckFormToken(seed, "") || m.CheckFormToken("", m.FormToken("")) {
		t.Error("token accepted with another seed or empty")
	}
	m2, _, _ := newManager(t)
	if m2.CheckFormToken(seed, tok) {
		t.Error("token accepted by another process's key")
	}
}

func TestThrottle(t *testing.T) {
	th := NewThrottle()
	now := time.Unix(1_700_000_000, 0)
	th.Now = func() time.Time { return now }
	for range th.Limit - 1 {
		th.Fail("alice", "198.51.100.7")
	}
	if b, _ := th.Blocked("alice", "198.51.100.7"); b {
		t.Fatal("blocked before the limit")
	}
	th.Fail("alice", "198.51.100.7")
	b, wait := th.Blocked("alice", "198.51.100.7")
	if !b || wait != th.Window {
		t.Errorf("user from the failing address: blocked %v for %v, want true for %v", b, wait, th.Window)
	}
	// Nobody can lock a user out from elsewhere, nor lock out the other
	// users of an address with one name's failures.
	if b, _ := th.Blocked("alice", "203.0.113.1"); b {
		t.Error("user blocked from an address that never failed")
	}
	if b, _ := th.Blocked("bob", "198.51.100.7"); b {
		t.Error("other user from the same address blocked below the address limit")
	}
	// A success forgets the name at that address, not the address.
	th.Succeed("alice", "198.51.100.7")
	if b, _ := th.Blocked("alice", "198.51.100.7"); b {
		t.Error("user still blocked after a success")
	}
	now = now.Add(th.Window)
	if b, _ := th.Blocked("alice", "198.51.100.7"); b {
		t.Error("still blocked after the window")
	}
}

// One address spraying many names is stopped by the address limit.
func TestThrottleAddress(t *testing.T) {
	th := NewThrottle()
	for i := range th.AddrLimit {
		if b, _ := th.Blocked(fmt.Sprint("user", i), "198.51.100.7"); b {
			t.Fatalf("blocked after %d failures, before the address limit %d", i, th.AddrLimit)
		}
		th.Fail(fmt.Sprint("user", i), "198.51.100.7")
	}
	if b, _ := th.Blocked("newname", "198.51.100.7"); !b {
		t.Error("address not blocked after its limit of failures with distinct names")
	}
	if b, _ := th.Blocked("newname", "203.0.113.1"); b {
		t.Error("another address blocked")
	}
}

// Keys are fixed-size hashes: huge names cost no more memory than short
// ones, and the raw names are not kept.
func TestThrottleKeysHashed(t *testing.T) {
	th := NewThrottle()
	name := strings.Repeat("n", 1<<20)
	th.Fail(name, "198.51.100.7")
	th.Fail("alice", "198.51.100.7")
	if len(th.entries) != 3 {
		t.Fatalf("%d entries, want 3 (two user+address, one address)", len(th.entries))
	}
	for k := range th.entries {
		if len(k) != sha256.Size || bytes.Contains(k[:], []byte("alice")) || bytes.Contains(k[:], []byte("nnnn")) {
			t.Errorf("key %x is not a fixed-size hash of the name", k)
		}
	}
}
