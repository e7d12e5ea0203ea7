package accounts

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/password"
	"github.com/builder-web/builder-web/db"
)

func TestRules(t *testing.T) {
	for _, tt := range []struct {
		name, pw string
		want     map[string]string
	}{
		{"alice", "password1", map[string]string{}},
		{"", "password1", map[string]string{"username": "Enter a user name."}},
		{"a:b", "password1", map[string]string{"username": "A user name cannot contain “:” (HTTP basic auth splits user and password there)."}},
		{"a\x01b", "password1", map[string]string{"username": "A user name cannot contain control characters."}},
		{"a\xffb", "password1", map[string]string{"username": "A user name must be valid UTF-8."}},
		{strings.Repeat("é", 128), "password1", map[string]string{"username": "A user name has at most 255 bytes."}},
		{strings.Repeat("é", 127), "password1", map[string]string{}},
		{"alice", "", map[string]string{"password": "Enter a password."}},
		{"alice", "äöüäöüä", map[string]string{"password": "A password needs at least 8 characters."}},
		{"alice", strings.Repeat("ä", 1025), map[string]string{"password": "A password has at most 1024 characters."}},
		{"", "x", map[string]string{"username": "Enter a user name.", "password": "A password needs at least 8 characters."}},
	} {
		got := Check(tt.name, tt.pw)
		if len(got) != len(tt.want) {
			t.Errorf("Check(%q, %q) = %v, want %v", tt.name, tt.pw, got, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("Check(%q, %q)[%s] = %q, want %q", tt.name, tt.pw, k, got[k], v)
			}
		}
	}
}

func TestCreateAndUpdate(t *testing.T) {
	ctx := t.Context()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "builder.sqlite3"), db.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u, err := Create(ctx, d, "alice", "password1", true, false)
	if err != nil {
		t.Fatal(err)
	}
	if ok, upgrade := password.Verify(Credentials(u), "password1"); !ok || upgrade {
		t.Errorf("new password verifies = %v, upgrade %v", ok, upgrade)
	}
	if _, err := Create(ctx, d, "alice", "password2", true, false); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second alice: %v, want ErrDuplicate", err)
	}
	var inv *Invalid
	if _, err := Create(ctx, d, "bob", "short", true, false); !errors.As(err, &inv) || inv.Field != "password" {
		t.Errorf("short password: %v, want an *Invalid password", err)
	}
	if _, err := d.UserByName(ctx, "bob"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("bob after a refused create: %v, want not found", err)
	}

	pw, admin := "password2", true
	if _, err := Update(ctx, d, "alice", Change{Password: &pw, Admin: &admin}); err != nil {
		t.Fatal(err)
	}
	got, err := d.UserByName(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Admin || !got.Restricted {
		t.Errorf("flags after update: admin %v restricted %v, want true true", got.Admin, got.Restricted)
	}
	if ok, _ := password.Verify(Credentials(got), "password2"); !ok {
		t.Error("the new password does not verify")
	}
	if ok, _ := password.Verify(Credentials(got), "password1"); ok {
		t.Error("the old password still verifies")
	}
	if _, err := Update(ctx, d, "nobody", Change{Password: &pw}); !errors.Is(err, db.ErrUnknownUser) {
		t.Errorf("update of an unknown user: %v, want ErrUnknownUser", err)
	}
}
