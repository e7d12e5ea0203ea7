package opam

import (
	"os"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// vectorSwitch returns the opam-switch file inside a shared upload vector.
func vectorSwitch(tb testing.TB, vector string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(testenv.Vector(tb, vector))
	if err != nil {
		tb.Fatal(err)
	}
	exec, err := builder.Decode(raw)
	if err != nil {
		tb.Fatalf("decode %s: %v", vector, err)
	}
	for _, f := range exec.Files {
		if f.Path == "opam-switch" {
			return f.Data
		}
	}
	tb.Fatalf("%s has no opam-switch file", vector)
	return nil
}

var switchVectors = []string{"success_hvt.full", "compare_left.full", "compare_right.full"}
