package compare

import (
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/opam"
	"github.com/builder-web/builder-web/internal/testkit/comparetest"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// vectorInputs reads the three compared files of a shared vector.
func vectorInputs(t testing.TB, name string) Inputs {
	t.Helper()
	data, err := os.ReadFile(testenv.Vector(t, name))
	if err != nil {
		t.Fatal(err)
	}
	e, err := builder.Decode(data)
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	var in Inputs
	for _, f := range e.Files {
		switch f.Path {
		case OpamSwitch:
			in.OpamSwitch = f.Data
		case BuildEnvironment:
			in.BuildEnvironment = f.Data
		case SystemPackages:
			in.SystemPackages = f.Data
		}
	}
	return in
}

// The vectors' README lists what differs between compare_left and
// compare_right.
func TestDiffInputsVectors(t *testing.T) {
	l, r := vectorInputs(t, "compare_left.full"), vectorInputs(t, "compare_right.full")
	d := DiffInputs(l, r)
	if d.OpamErr != "" {
		t.Fatal(d.OpamErr)
	}
	if got, want := d.Opam.VersionDiff, []opam.VersionChange{{Name: "fmt", Left: "0.9.0", Right: "0.10.0"}, {Name: "ptime", Left: "1.1.0", Right: "1.2.0"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("version changes = %v, want %v", got, want)
	}
	if got, want := d.Opam.OnlyInRight, []opam.Package{{Name: "duration", Version: "0.2.1"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("new packages = %v, want %v", got, want)
	}
	if len(d.Opam.OnlyInLeft) != 0 {
		t.Errorf("removed packages = %v, want none", d.Opam.OnlyInLeft)
	}
	// The root's depends gained duration: its opam file differs, so it is
	// neither unchanged nor missing.
	if len(d.Opam.OpamDiff) != 1 || d.Opam.OpamDiff[0].Package.Name != "mirage-unikernel-hello-hvt" {
		t.Errorf("opam-file diffs = %+v, want the root package", d.Opam.OpamDiff)
	}
	for _, p := range d.OpamUnchanged {
		if p.Name == "mirage-unikernel-hello-hvt" || p.Name == "fmt" || p.Name == "duration" {
			t.Errorf("%s listed as unchanged", p)
		}
	}
	wantEnv := KVDiff{
		Added:   []Entry{{"TZ", "UTC"}},
		Removed: []Entry{{"LANG", "C.UTF-8"}},
		Changed: []Change{{Name: "HOSTNAME", Left: "worker-debian-12", Right: "worker-debian-12-b"}, {Name: "PWD", Left: "/tmp/builder.4f2a9c", Right: "/tmp/builder.91d7e0"}},
	}
	d.Env.Unchanged = nil
	if !reflect.DeepEqual(d.Env, wantEnv) {
		t.Errorf("env diff:\n got  %+v\n want %+v", d.Env, wantEnv)
	}
	var changed []string
	for _, c := range d.Packages.Changed {
		changed = append(changed, c.Name)
	}
	if want := []string{"libc-bin", "libc-dev-bin", "libc6", "libc6-dev", "libssl3"}; !reflect.DeepEqual(changed, want) {
		t.Errorf("changed system packages = %v, want %v", changed, want)
	}
	if want := []Entry{{"wget", "1.21.3-1+deb12u1"}}; !reflect.DeepEqual(d.Packages.Removed, want) {
		t.Errorf("removed system packages = %v, want %v", d.Packages.Removed, want)
	}
	if want := []Entry{{"libgmp-dev", "2:6.2.1+dfsg1-1.1"}}; !reflect.DeepEqual(d.Packages.Added, want) {
		t.Errorf("added system packages = %v, want %v", d.Packages.Added, want)
	}

	// The same build against itself: nothing differs, everything unchanged.
	same := DiffInputs(l, l)
	if len(same.Opam.VersionDiff)+len(same.Opam.OpamDiff)+len(same.Opam.OnlyInLeft)+len(same.Opam.OnlyInRight) != 0 ||
		!same.Env.Empty() || !same.Packages.Empty() {
		t.Errorf("a build differs from itself: %+v", same)
	}
	if len(same.OpamUnchanged) == 0 || len(same.Packages.Unchanged) != 58 {
		t.Errorf("unchanged: %d opam packages, %d system packages; want all, 58", len(same.OpamUnchanged), len(same.Packages.Unchanged))
	}
}

// Product §2.11: pinned and compiler packages never make a comparison fail.
func TestDiffInputsPinnedAndCompiler(t *testing.T) {
	sw := func(version string) []byte {
		return []byte(`opam-version: "2.0"
compiler: ["ocaml-base-compiler.` + version + `"]
roots: ["app.dev"]
installed: ["app.dev" "ocaml-base-compiler.` + version + `" "mylib.dev"]
pinned: ["app.dev" "mylib.dev"]
package "app" { opam-version: "2.0" version: "dev" }
`)
	}
	d := DiffInputs(Inputs{OpamSwitch: sw("4.14.1")}, Inputs{OpamSwitch: sw("5.1.0")})
	if d.OpamErr != "" {
		t.Fatalf("DiffInputs: %v", d.OpamErr)
	}
	if want := []opam.VersionChange{{Name: "ocaml-base-compiler", Left: "4.14.1", Right: "5.1.0"}}; !reflect.DeepEqual(d.Opam.VersionDiff, want) {
		t.Errorf("version changes = %v, want %v", d.Opam.VersionDiff, want)
	}
}

func TestDiffInputsParseError(t *testing.T) {
	good := Inputs{OpamSwitch: []byte(`opam-version: "2.0"` + "\n")}
	bad := Inputs{OpamSwitch: []byte(`installed: [`)}
	for _, tt := range []struct {
		name        string
		left, right Inputs
		right_      bool
	}{{"left", bad, good, false}, {"right", good, bad, true}} {
		d := DiffInputs(tt.left, tt.right)
		var se *switchError
		if !errors.As(d.parseErr, &se) || se.right != tt.right_ || d.OpamErr == "" {
			t.Errorf("%s side malformed: err %v, want a switchError naming that side", tt.name, d.parseErr)
		}
		if d.Opam == nil || len(d.Opam.VersionDiff) != 0 {
			t.Errorf("%s side malformed: opam diff %+v, want empty", tt.name, d.Opam)
		}
	}
}

// BenchmarkCompare300 is the computation of product §4's "compare of two
// 300-package switch exports ≤ 30 ms": parsing both exports, the opam,
// environment and system package diffs.
func BenchmarkCompare300(b *testing.B) {
	left := Inputs{OpamSwitch: comparetest.Switch(300, 0), BuildEnvironment: comparetest.Environment(0), SystemPackages: comparetest.SystemPackages(300, 0)}
	right := Inputs{OpamSwitch: comparetest.Switch(300, 1), BuildEnvironment: comparetest.Environment(1), SystemPackages: comparetest.SystemPackages(300, 1)}
	d := DiffInputs(left, right)
	if d.OpamErr != "" {
		b.Fatal(d.OpamErr)
	}
	if len(d.Opam.VersionDiff) == 0 || len(d.Opam.OpamDiff) == 0 || len(d.Opam.OnlyInRight) == 0 {
		b.Fatalf("synthetic builds do not differ: %d version changes, %d opam diffs", len(d.Opam.VersionDiff), len(d.Opam.OpamDiff))
	}
	b.SetBytes(int64(len(left.OpamSwitch) + len(right.OpamSwitch)))
	b.ReportAllocs()
	cpu := comparetest.CPUTime()
	for b.Loop() {
		DiffInputs(left, right)
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/1e6, "ms/op")
	// Both exports are parsed at once, so CPU time may exceed wall time.
	b.ReportMetric(float64(comparetest.CPUTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
}
