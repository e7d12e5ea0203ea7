package viz

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/store"
)

// Prune removes visualizations of inputs no longer stored and the
// temporary files an interrupted write (store.WriteAtomic) left, once they
// are a day old; a fresh one may belong to a write in progress.
func TestPrune(t *testing.T) {
	dir := filepath.Join(t.TempDir(), KindDependencies+"_3")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	kept, gone := strings.Repeat("a", 64), strings.Repeat("b", 64)
	for _, sha := range []string{kept, gone} {
		if err := store.WriteAtomic(filepath.Join(dir, sha+".html"), []byte("x"), 0o644, false); err != nil {
			t.Fatal(err)
		}
	}
	oldTmp, newTmp := filepath.Join(dir, "."+gone+".html.1"), filepath.Join(dir, "."+kept+".html.2")
	for _, p := range []string{oldTmp, newTmp} {
		if err := os.WriteFile(p, []byte("part"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Now().Add(-25 * time.Hour)
	if err := os.Chtimes(oldTmp, day, day); err != nil {
		t.Fatal(err)
	}
	n, err := Prune(filepath.Dir(dir), func(sha string) (bool, error) { return sha == kept, nil })
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1 removed", n, err)
	}
	for p, want := range map[string]bool{
		filepath.Join(dir, kept+".html"): true, filepath.Join(dir, gone+".html"): false,
		oldTmp: false, newTmp: true,
	} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
