package password

import (
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	h, err := Hash("secret")
	if err != nil {
		t.Fatal(err)
	}
	s := Stored{Argon2id: h}
	c, err := NewCache()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	c.now = func() time.Time { return now }

	if c.Check("alice", "secret", s) {
		t.Fatal("hit in an empty cache")
	}
	c.Add("alice", "secret", s)
	if !c.Check("alice", "secret", s) {
		t.Error("miss right after Add")
	}
	for _, tt := range []struct {
		name, user, pw string
		s              Stored
	}{
		{"wrong password", "alice", "wrong", s},
		{"other user", "bob", "secret", s},
		{"password changed", "alice", "secret", Stored{Argon2id: h + "x"}},
		{"disabled", "alice", "secret", Stored{}},
	} {
		if c.Check(tt.user, tt.pw, tt.s) {
			t.Errorf("%s: hit", tt.name)
		}
	}

	now = now.Add(CacheTTL - time.Second)
	if !c.Check("alice", "secret", s) {
		t.Error("miss before the TTL ran out")
	}
	now = now.Add(2 * time.Second)
	if c.Check("alice", "secret", s) {
		t.Error("hit after the TTL")
	}
}

func TestCacheBounded(t *testing.T) {
	c, err := NewCache()
	if err != nil {
		t.Fatal(err)
	}
	for i := range cacheMaxEntries + 10 {
		c.Add(string(rune('a'+i%26))+time.Duration(i).String(), "pw", Stored{})
	}
	if len(c.entries) > cacheMaxEntries {
		t.Errorf("%d entries, limit %d", len(c.entries), cacheMaxEntries)
	}
}
