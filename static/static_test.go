package static

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"strings"
	"testing"
)

func TestAssets(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"app.css", "app.js", "htmx.min.js", "pico.min.css", "sse.js"}
	if got := strings.Join(a.Names(), ","); got != strings.Join(want, ",") {
		t.Errorf("Names() = %s, want %s", got, strings.Join(want, ","))
	}
	for _, name := range want {
		body, err := fs.ReadFile(Files(), name)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:hashLen]
		if got, want := a.URL(name), "/static/"+hash+"/"+name; got != want {
			t.Errorf("URL(%q) = %q, want %q", name, got, want)
		}
		b, ct, ok := a.Lookup(hash, name)
		if !ok || string(b) != string(body) {
			t.Errorf("Lookup(%q, %q) ok=%v, content differs", hash, name, ok)
		}
		if !strings.HasSuffix(ct, "; charset=utf-8") || !strings.HasPrefix(ct, "text/") {
			t.Errorf("Lookup(%q) content type %q", name, ct)
		}
		if _, _, ok := a.Lookup("0000000000000000", name); ok {
			t.Errorf("Lookup with a stale hash found %q", name)
		}
	}
	if _, _, ok := a.Lookup("x", "../static.go"); ok {
		t.Error("Lookup found a file that is not embedded")
	}
}

func TestURLPanicsOnUnknownName(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("URL of an unknown file did not panic")
		}
	}()
	a.URL("nope.js")
}
