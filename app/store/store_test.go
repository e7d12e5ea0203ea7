package store

import (
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := New(filepath.Join(t.TempDir(), "data"), "n1")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func stage(t *testing.T, s *Store, name string, contents ...string) (*Staging, []Staged) {
	t.Helper()
	st, err := s.Stage(name)
	if err != nil {
		t.Fatal(err)
	}
	var out []Staged
	for _, c := range contents {
		p, err := st.Put(strings.NewReader(c))
		if err != nil {
			t.Fatal(err)
		}
		if want := sha256.Sum256([]byte(c)); string(p.SHA256) != string(want[:]) || p.Size != int64(len(c)) {
			t.Fatalf("Put(%q) = %x, %d; want %x, %d", c, p.SHA256, p.Size, want, len(c))
		}
		out = append(out, p)
	}
	if err := st.WriteFile("console.txt", func(w io.Writer) error { _, err := w.Write([]byte("0.000s:x\n")); return err }); err != nil {
		t.Fatal(err)
	}
	return st, out
}

func TestStageCommit(t *testing.T) {
	s := newStore(t)
	st, staged := stage(t, s, "u1", "alpha", "beta")
	if _, err := s.Stage("u1"); !errors.Is(err, ErrStagingExists) {
		t.Errorf("second Stage of u1: %v, want ErrStagingExists", err)
	}
	if err := st.Commit("job", "u1", staged); err != nil {
		t.Fatal(err)
	}
	if err := st.Done(); err != nil {
		t.Fatal(err)
	}
	for i, c := range []string{"alpha", "beta"} {
		b, err := os.ReadFile(s.ArtifactPath(staged[i].SHA256))
		if err != nil || string(b) != c {
			t.Errorf("artifact %d: %q, %v; want %q", i, b, err, c)
		}
	}
	if _, err := os.Stat(filepath.Join(s.BuildDir("job", "u1"), "console.txt")); err != nil {
		t.Errorf("console.txt not moved into place: %v", err)
	}
	if left, _ := s.Leftovers(); len(left) != 0 {
		t.Errorf("leftovers after Done: %v", left)
	}

	// The same content again: the stored file is kept, the copy dropped.
	before, _ := os.Stat(s.ArtifactPath(staged[0].SHA256))
	st2, staged2 := stage(t, s, "u2", "alpha")
	if err := st2.Commit("job", "u2", staged2); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(s.ArtifactPath(staged[0].SHA256))
	if !os.SameFile(before, after) {
		t.Error("an existing artifact file was replaced")
	}
}

// An interrupted commit is undone from its manifest: the build directory
// and the artifacts no row references go, shared ones stay.
func TestLeftoverUndo(t *testing.T) {
	s := newStore(t)
	st, staged := stage(t, s, "u1", "shared", "own")
	if err := st.Commit("job", "u1", staged); err != nil {
		t.Fatal(err)
	}
	left, err := s.Leftovers()
	if err != nil || len(left) != 1 || left[0].Job != "job" || len(left[0].Hashes) != 2 {
		t.Fatalf("Leftovers = %+v, %v", left, err)
	}
	referenced := string(staged[0].SHA256)
	if err := s.Undo(left[0], func(sha []byte) (bool, error) { return string(sha) != referenced, nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveLeftover(left[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.ArtifactPath(staged[0].SHA256)); err != nil {
		t.Errorf("referenced artifact removed: %v", err)
	}
	if _, err := os.Stat(s.ArtifactPath(staged[1].SHA256)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unreferenced artifact kept: %v", err)
	}
	if _, err := os.Stat(s.BuildDir("job", "u1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("build directory kept: %v", err)
	}
	if left, _ := s.Leftovers(); len(left) != 0 {
		t.Errorf("leftovers after RemoveLeftover: %v", left)
	}
}

func TestOpenRejectsEscapes(t *testing.T) {
	s := newStore(t)
	for _, rel := range []string{"../x", "/etc/passwd", "a/../../b", ""} {
		if f, err := s.Open(rel); err == nil {
			f.Close()
			t.Errorf("Open(%q) succeeded", rel)
		}
	}
}

func TestParseArtifactName(t *testing.T) {
	h := strings.Repeat("ab", 32)
	for name, ok := range map[string]bool{h: true, strings.ToUpper(h): false, h[:62]: false, "zz" + h[2:]: false} {
		if _, got := ParseArtifactName(name); got != ok {
			t.Errorf("ParseArtifactName(%q) ok = %v, want %v", name, got, ok)
		}
	}
}
