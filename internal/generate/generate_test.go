package generate

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/opam"
)

var testEnd = time.Date(2025, 3, 4, 5, 6, 7, 891_000_000, time.UTC)

func testGen(seed int64) *Generator {
	return New(Options{Jobs: 12, Platforms: 4, Builds: 40, Seed: seed, End: testEnd})
}

func file(e *builder.Exec, path string) ([]byte, bool) {
	for _, f := range e.Files {
		if f.Path == path {
			return f.Data, true
		}
	}
	return nil, false
}

// inputID is the server's input id (reference §1).
func inputID(e *builder.Exec) ([32]byte, bool) {
	var cat []byte
	for _, p := range []string{"opam-switch", "build-environment", "system-packages"} {
		d, ok := file(e, p)
		if !ok {
			return [32]byte{}, false
		}
		h := sha256.Sum256(d)
		cat = append(cat, h[:]...)
	}
	return sha256.Sum256(cat), true
}

func binFiles(e *builder.Exec) []builder.File {
	var out []builder.File
	for _, f := range e.Files {
		if strings.HasPrefix(f.Path, "bin/") {
			out = append(out, f)
		}
	}
	return out
}

func succeededRecord(e *builder.Exec) bool {
	return e.Result.Kind == builder.Exited && e.Result.Code == 0
}

func TestPoolIsConsistent(t *testing.T) {
	p := getPool()
	if len(p.missing) > 0 {
		t.Fatalf("pool problems: %v", p.missing)
	}
	if len(p.pkgs) < 380 {
		t.Errorf("pool has %d packages, want about 400", len(p.pkgs))
	}
	for _, s := range jobSpecs {
		for _, d := range s.deps {
			if _, ok := p.byName[d]; !ok {
				t.Errorf("job %s depends on %s, not in the pool", s.base, d)
			}
		}
	}
	for _, deps := range unikernelDeps {
		for _, d := range append(deps, coreDeps...) {
			if _, ok := p.byName[d]; !ok {
				t.Errorf("%s is not in the pool", d)
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b, c := testGen(7), testGen(7), testGen(8)
	differ := 0
	for _, i := range []int{0, 1, 17, 500, a.Count() - 1} {
		ea, err := a.Encode(i)
		if err != nil {
			t.Fatal(err)
		}
		eb, _ := b.Encode(i)
		ec, _ := c.Encode(i)
		if !bytes.Equal(ea, eb) {
			t.Errorf("record %d differs between two generators with the same seed", i)
		}
		if !bytes.Equal(ea, ec) {
			differ++
		}
		// Generating out of order changes nothing.
		if again, _ := a.Encode(i); !bytes.Equal(ea, again) {
			t.Errorf("record %d differs on the second call", i)
		}
	}
	if differ == 0 {
		t.Error("a different seed gave identical records")
	}
}

func TestRecordsDecodeAndRoundTrip(t *testing.T) {
	g := New(Options{Jobs: 10, Platforms: 4, Builds: 25, Seed: 1, End: testEnd})
	if g.Count() != 10*4*25 {
		t.Fatalf("Count = %d", g.Count())
	}
	seen := map[[16]byte]bool{}
	for i := 0; i < g.Count(); i++ {
		b, err := g.Encode(i)
		if err != nil {
			t.Fatalf("record %d: encode: %v", i, err)
		}
		e, err := builder.Decode(b)
		if err != nil {
			t.Fatalf("record %d: decode: %v", i, err)
		}
		if seen[e.UUID] {
			t.Fatalf("record %d: duplicate uuid", i)
		}
		seen[e.UUID] = true
		if e.UUID[6]>>4 != 4 || e.UUID[8]>>6 != 2 {
			t.Errorf("record %d: uuid %s is not version 4", i, builder.UUIDString(e.UUID))
		}
		b2, err := builder.Encode(e)
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("record %d: Encode(Decode(x)) != x (err %v)", i, err)
		}
		if n := len(e.Console); n < 20 || n > 200 {
			t.Errorf("record %d: %d console lines", i, n)
		}
		for k := 1; k < len(e.Console); k++ {
			if e.Console[k].Delta > e.Console[k-1].Delta {
				t.Fatalf("record %d: console not newest first at line %d", i, k)
			}
		}
		d := e.Finish.Sub(e.Start)
		if d < time.Minute || d > 30*time.Minute {
			t.Errorf("record %d: duration %v", i, d)
		}
		if last := time.Duration(e.Console[0].Delta); last > d {
			t.Errorf("record %d: console runs to %v, past the duration %v", i, last, d)
		}
		if !e.Start.Equal(e.Start.Truncate(time.Millisecond)) || !e.Finish.Equal(e.Finish.Truncate(time.Millisecond)) {
			t.Errorf("record %d: times below millisecond precision", i)
		}
	}
}

func TestTimeOrderAndEnd(t *testing.T) {
	g := testGen(3)
	var prev time.Time
	for i := 0; i < g.Count(); i++ {
		e := g.Record(i)
		if i > 0 && e.Finish.Before(prev) {
			t.Fatalf("record %d finishes before record %d", i, i-1)
		}
		prev = e.Finish
	}
	if want := testEnd.Truncate(time.Millisecond); !prev.Equal(want) {
		t.Errorf("newest record finishes at %v, want %v", prev, want)
	}
	first := g.Record(0).Finish
	if span := prev.Sub(first); span < 38*time.Hour || span > 40*time.Hour {
		t.Errorf("40 builds an hour apart span %v", span)
	}
	// Every job×platform appears once per round.
	type pair struct{ job, plat string }
	count := map[pair]int{}
	for i := 0; i < g.Count(); i++ {
		e := g.Record(i)
		count[pair{e.Job.Name, e.Job.Platform}]++
	}
	if len(count) != 12*4 {
		t.Errorf("%d job×platform pairs, want 48", len(count))
	}
	for p, n := range count {
		if n != 40 {
			t.Errorf("%v has %d builds", p, n)
		}
	}
}

func TestSuccessfulRecordsShape(t *testing.T) {
	g := testGen(5)
	sections := map[string]bool{}
	for i := 0; i < g.Count(); i += 5 {
		e := g.Record(i)
		if !succeededRecord(e) {
			continue
		}
		bins := binFiles(e)
		if len(bins) != 1 {
			t.Fatalf("record %d: %d files under bin/", i, len(bins))
		}
		if n := len(bins[0].Data); n < 1<<10 || n > 64<<10 || !bytes.HasPrefix(bins[0].Data, []byte("\x7fELF")) {
			t.Errorf("record %d: main binary of %d bytes, header %q", i, n, bins[0].Data[:4])
		}
		env, _ := file(e, "build-environment")
		if len(env) == 0 || env[len(env)-1] == '\n' || !bytes.HasSuffix(env, []byte("\nOS="+map[bool]string{true: "freebsd", false: "linux"}[strings.HasPrefix(e.Job.Platform, "freebsd")])) {
			t.Errorf("record %d: build-environment ends badly: %q", i, env[max(0, len(env)-30):])
		}
		sys, _ := file(e, "system-packages")
		lines := strings.Split(strings.TrimSuffix(string(sys), "\n"), "\n")
		if len(lines) < 45 || len(lines) > 70 {
			t.Errorf("record %d: %d system packages", i, len(lines))
		}
		sep := "="
		if strings.HasPrefix(e.Job.Platform, "freebsd") {
			sep = "-"
		}
		for _, l := range lines {
			if !strings.Contains(l, sep) || (sep == "-" && strings.Contains(l, "=")) {
				t.Fatalf("record %d (%s): system package line %q", i, e.Job.Platform, l)
			}
		}
		if _, ok := file(e, g.jobByName(e.Job.Name).hashesPath); !ok {
			t.Errorf("record %d: no .build-hashes file", i)
		}

		sw, _ := file(e, "opam-switch")
		if len(sw) < 15<<10 || len(sw) > 250<<10 {
			t.Errorf("record %d: opam-switch of %d bytes", i, len(sw))
		}
		s, err := opam.ParseSwitch(sw)
		if err != nil {
			t.Fatalf("record %d: opam-switch does not parse: %v", i, err)
		}
		root, err := s.Root()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if n := len(s.Installed); n < 50 || n > 300 {
			t.Errorf("record %d: %d installed packages", i, n)
		}
		if len(s.Overlays) != len(s.Installed) {
			t.Errorf("record %d: %d overlays for %d installed", i, len(s.Overlays), len(s.Installed))
		}
		if v, ok := s.InstalledVersion(root.Name); !ok || v != root.Version {
			t.Errorf("record %d: root %v not installed", i, root)
		}
		ov, ok := s.Overlay(root.Name)
		if !ok || ov.Synopsis() == "" {
			t.Fatalf("record %d: root has no overlay with a synopsis", i)
		}
		uni := strings.HasPrefix(root.Name, "mirage-unikernel-") || ov.HasExtension("x-mirage-opam-lock-location")
		j := g.jobByName(e.Job.Name)
		if uni != j.spec.unikernel {
			t.Errorf("record %d: job %s unikernel=%v but switch says %v", i, j.name, j.spec.unikernel, uni)
		}
		switch {
		case !uni:
			sections["Packages"] = true
		case s.IsInstalled("metrics-influx"):
			sections["Influx"] = true
		default:
			sections["Unikernels"] = true
		}
		for _, p := range s.Installed {
			f, ok := s.Overlay(p.Name)
			if !ok {
				t.Fatalf("record %d: %s has no overlay", i, p)
			}
			if v, _ := f.String("version"); v != p.Version {
				t.Fatalf("record %d: overlay of %s has version %q", i, p, v)
			}
		}
	}
	for _, sec := range []string{"Packages", "Influx", "Unikernels"} {
		if !sections[sec] {
			t.Errorf("no job lands in section %s", sec)
		}
	}
}

func (g *Generator) jobByName(name string) *job {
	for _, j := range g.jobs {
		if j.name == name {
			return j
		}
	}
	return nil
}

func TestFailuresAndReproducibility(t *testing.T) {
	g := New(Options{Jobs: 20, Platforms: 4, Builds: 60, Seed: 11, End: testEnd})
	type last struct {
		id  [32]byte
		bin [32]byte
		ok  bool
	}
	prev := map[string]last{}
	var failed, exited1, killed, noFiles, sameInput, diffInput, sameBin, sameInputDiffBin int
	for i := 0; i < g.Count(); i++ {
		e := g.Record(i)
		if !succeededRecord(e) {
			failed++
			if len(binFiles(e)) != 0 {
				t.Errorf("record %d: failed build with a bin/ file", i)
			}
			switch {
			case e.Result.Kind == builder.Exited && e.Result.Code == 1:
				exited1++
			case e.Result.Kind == builder.Signalled && e.Result.Code == -7:
				killed++
				if len(e.Files) != 0 {
					t.Errorf("record %d: signalled build with files", i)
				}
			default:
				t.Errorf("record %d: unexpected result %v", i, e.Result)
			}
			if len(e.Files) == 0 {
				noFiles++
			}
			continue
		}
		id, ok := inputID(e)
		if !ok {
			t.Fatalf("record %d: no input id", i)
		}
		bin := sha256.Sum256(binFiles(e)[0].Data)
		key := e.Job.Name + "/" + e.Job.Platform
		if p, ok := prev[key]; ok && p.ok {
			if p.id == id {
				sameInput++
				if p.bin == bin {
					sameBin++
				} else {
					sameInputDiffBin++
				}
			} else {
				diffInput++
			}
		}
		prev[key] = last{id, bin, true}
	}
	share := float64(failed) / float64(g.Count())
	t.Logf("failed %.1f%% (exit 1: %d, killed: %d, without files: %d); consecutive same input %d, different %d; same input same binary %d, different %d",
		100*share, exited1, killed, noFiles, sameInput, diffInput, sameBin, sameInputDiffBin)
	if share < 0.02 || share > 0.1 {
		t.Errorf("%.1f%% failed builds, want about 5%%", 100*share)
	}
	if exited1 == 0 || killed == 0 || noFiles == 0 || noFiles == failed {
		t.Error("want failures of every kind, with and without files")
	}
	if f := float64(sameInput) / float64(sameInput+diffInput); f < 0.4 || f > 0.95 {
		t.Errorf("consecutive builds share their input %.0f%% of the time", 100*f)
	}
	if sameInputDiffBin == 0 || float64(sameBin)/float64(sameInput) < 0.85 {
		t.Errorf("identical inputs: %d identical binaries, %d different", sameBin, sameInputDiffBin)
	}
}

func TestOptionsEdges(t *testing.T) {
	if n := New(Options{}).Count(); n != 0 {
		t.Errorf("zero options give %d records", n)
	}
	g := New(Options{Jobs: 1, Platforms: 1, Builds: 1, End: testEnd})
	if e := g.Record(0); !e.Finish.Equal(testEnd.Truncate(time.Millisecond)) {
		t.Errorf("single record finishes at %v", e.Finish)
	}
	// More jobs and platforms than the tables hold still get unique names.
	g = New(Options{Jobs: 300, Platforms: 12, Builds: 1, End: testEnd})
	names := map[string]bool{}
	for _, n := range g.Jobs() {
		if names[n] {
			t.Fatalf("duplicate job name %s", n)
		}
		names[n] = true
	}
	plats := map[string]bool{}
	for _, n := range g.Platforms() {
		if plats[n] {
			t.Fatalf("duplicate platform %s", n)
		}
		plats[n] = true
	}
	if _, err := g.Encode(g.Count() - 1); err != nil {
		t.Fatal(err)
	}
}

func TestParallelMatchesSequential(t *testing.T) {
	small := Options{Jobs: 6, Platforms: 3, Builds: 10, Seed: 21, End: testEnd}
	g := New(small)
	want := make([][]byte, g.Count())
	for i := range want {
		want[i], _ = g.Encode(i)
	}
	// A fresh generator, used from several goroutines in a scattered
	// order, must give the same bytes.
	g2 := New(small)
	const workers = 4
	errs := make(chan string, workers)
	for w := 0; w < workers; w++ {
		go func(w int) {
			for k := 0; k < g2.Count(); k++ {
				i := (k*7 + w*13) % g2.Count()
				if b, err := g2.Encode(i); err != nil || !bytes.Equal(b, want[i]) {
					errs <- "record differs when generated in parallel"
					return
				}
			}
			errs <- ""
		}(w)
	}
	for w := 0; w < workers; w++ {
		if e := <-errs; e != "" {
			t.Fatal(e)
		}
	}
}
