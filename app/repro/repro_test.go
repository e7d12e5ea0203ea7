package repro

import (
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// b makes a build of job "j" on platform "p" at t0+n hours.
func b(uuid, input, output, uploader string, n int) Build {
	return Build{UUID: uuid, Job: "j", Platform: "p", InputID: input, Output: output,
		Uploader: uploader, Start: t0.Add(time.Duration(n) * time.Hour)}
}

func uuids(bs []Build) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.UUID)
	}
	return out
}

func TestVerdictOf(t *testing.T) {
	for _, c := range []struct {
		builds, outputs int
		want            Verdict
	}{
		{1, 1, Unverified},
		{2, 1, Reproducible},
		{5, 1, Reproducible},
		{2, 2, NotReproducible},
		{7, 3, NotReproducible},
	} {
		if got := VerdictOf(c.builds, c.outputs); got != c.want {
			t.Errorf("VerdictOf(%d, %d) = %s, want %s", c.builds, c.outputs, got, c.want)
		}
	}
}

func TestStandingOf(t *testing.T) {
	other := b("o1", "I1", "X", "alice", 9)
	other.Platform = "other-platform"
	otherJob := b("o2", "I1", "X", "alice", 9)
	otherJob.Job = "k"
	all := []Build{
		b("a", "I1", "X", "alice", 1),
		b("b", "I1", "X", "bob", 2),
		b("c", "I1", "Y", "alice", 3),
		b("d", "I2", "X", "alice", 4), // other input, same output
		b("e", "I2", "X", "alice", 5), // newer build of I2 with X
		b("f", "I3", "Z", "alice", 6),
		b("g", "I4", "Z", "alice", 7),
		b("h", "I4", "Z", "alice", 8),
		other, otherJob,
		{UUID: "failed", Job: "j", Platform: "p", InputID: "I1", Uploader: "alice", Start: t0}, // no output
	}
	find := func(u string) Build {
		for _, x := range all {
			if x.UUID == u {
				return x
			}
		}
		t.Fatalf("no build %s", u)
		return Build{}
	}
	for _, c := range []struct {
		build        string
		verdict      Verdict
		reproducedBy []string
		differsFrom  []string
		unchangedBy  []string
		independent  bool
		line         string
	}{
		{"a", NotReproducible, []string{"b"}, []string{"c"}, []string{"e"}, true,
			"Reproduced by 1 build of the same input, differs from 1 (independently: 2 uploaders)"},
		{"c", NotReproducible, nil, []string{"b", "a"}, nil, false,
			"Differs from 2 builds of the same input"},
		{"d", Reproducible, []string{"e"}, nil, []string{"b"}, false,
			"Reproduced by 1 build of the same input"},
		{"f", Unverified, nil, nil, []string{"h"}, false, "No other build of the same input yet"},
		{"g", Reproducible, []string{"h"}, nil, []string{"f"}, false, "Reproduced by 1 build of the same input"},
		{"failed", Unverified, nil, nil, nil, false, "No other build of the same input yet"},
	} {
		t.Run(c.build, func(t *testing.T) {
			s := StandingOf(find(c.build), all)
			if s.Verdict != c.verdict {
				t.Errorf("verdict = %s, want %s", s.Verdict, c.verdict)
			}
			if got := uuids(s.ReproducedBy); !reflect.DeepEqual(got, c.reproducedBy) {
				t.Errorf("reproduced by %v, want %v", got, c.reproducedBy)
			}
			if got := uuids(s.DiffersFrom); !reflect.DeepEqual(got, c.differsFrom) {
				t.Errorf("differs from %v, want %v", got, c.differsFrom)
			}
			if got := uuids(s.UnchangedBy); !reflect.DeepEqual(got, c.unchangedBy) {
				t.Errorf("unchanged by %v, want %v", got, c.unchangedBy)
			}
			if s.Independent() != c.independent {
				t.Errorf("independent = %v, want %v", s.Independent(), c.independent)
			}
			if got := s.Line(); got != c.line {
				t.Errorf("line = %q, want %q", got, c.line)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	builds := []Build{
		b("a", "I1", "X", "alice", 1),
		b("b", "I1", "X", "bob", 2),
		b("c", "I1", "Y", "alice", 3),
		b("d", "I2", "X", "alice", 4),
		b("e", "I2", "X", "alice", 5),
		b("f", "I3", "Z", "alice", 6),
		{UUID: "failed", Job: "j", Platform: "p", InputID: "I3", Uploader: "x", Start: t0}, // ignored
		{UUID: "noinput", Job: "j", Platform: "p", Output: "Z", Uploader: "x", Start: t0},  // ignored
	}
	groups := Summarize(builds)
	type out struct {
		sha       string
		builds    int
		uploaders []string
		first     string
		latest    string
	}
	want := []struct {
		input   string
		verdict Verdict
		builds  int
		outputs []out
	}{
		{"I3", Unverified, 1, []out{{"Z", 1, []string{"alice"}, "f", "f"}}},
		{"I2", Reproducible, 2, []out{{"X", 2, []string{"alice"}, "d", "e"}}},
		{"I1", NotReproducible, 3, []out{
			{"Y", 1, []string{"alice"}, "c", "c"},
			{"X", 2, []string{"alice", "bob"}, "a", "b"},
		}},
	}
	if len(groups) != len(want) {
		t.Fatalf("got %d groups, want %d: %+v", len(groups), len(want), groups)
	}
	var sum Summary
	for i, w := range want {
		g := groups[i]
		sum.Add(g.Verdict)
		if g.InputID != w.input || g.Verdict != w.verdict || g.Builds != w.builds {
			t.Errorf("group %d = %s %s %d, want %s %s %d", i, g.InputID, g.Verdict, g.Builds, w.input, w.verdict, w.builds)
		}
		if len(g.Outputs) != len(w.outputs) {
			t.Fatalf("group %s: %d outputs, want %d", g.InputID, len(g.Outputs), len(w.outputs))
		}
		for j, wo := range w.outputs {
			o := g.Outputs[j]
			got := out{o.SHA256, o.Builds, o.Uploaders, o.First.UUID, o.Latest.UUID}
			if !reflect.DeepEqual(got, wo) {
				t.Errorf("group %s output %d = %+v, want %+v", g.InputID, j, got, wo)
			}
		}
	}
	if sum != (Summary{Reproducible: 1, NotReproducible: 1, Unverified: 1}) {
		t.Errorf("summary = %+v", sum)
	}
	if share, ok := sum.Share(); !ok || share < 33.3 || share > 33.4 {
		t.Errorf("share = %v %v, want 33.3 %%", share, ok)
	}
	if _, ok := (Summary{}).Share(); ok {
		t.Error("share of nothing is defined")
	}
}

func TestCompare(t *testing.T) {
	for _, c := range []struct {
		name            string
		l, r            Build
		identical, same bool
		line            string
	}{
		{"reproduced", b("a", "I", "X", "u", 1), b("b", "I", "X", "u", 2), true, true,
			"Same input, identical main binaries: the build reproduced"},
		{"not reproduced", b("a", "I", "X", "u", 1), b("b", "I", "Y", "u", 2), false, true,
			"Same input, different main binaries: not reproduced"},
		{"unchanged", b("a", "I", "X", "u", 1), b("b", "J", "X", "u", 2), true, false,
			"Different inputs, identical main binaries: output unchanged by the input change"},
		{"different", b("a", "I", "X", "u", 1), b("b", "J", "Y", "u", 2), false, false,
			"Different inputs, different main binaries"},
		{"failed", b("a", "I", "", "u", 1), b("b", "I", "", "u", 2), false, true,
			"Same input; a build without a main binary cannot be compared"},
		{"no input ids", b("a", "", "X", "u", 1), b("b", "", "X", "u", 2), true, false,
			"Inputs unknown, identical main binaries"},
	} {
		p := Compare(c.l, c.r)
		if p.IdenticalOutputs != c.identical || p.SameInput != c.same || p.Line() != c.line {
			t.Errorf("%s: identical %v same %v line %q, want %v %v %q", c.name,
				p.IdenticalOutputs, p.SameInput, p.Line(), c.identical, c.same, c.line)
		}
	}
}

func TestMarks(t *testing.T) {
	builds := []Build{
		b("a", "I1", "X", "alice", 1),
		b("b", "I1", "X", "bob", 2),
		b("c", "I1", "Y", "alice", 3),
		b("d", "I2", "X", "alice", 4),
		b("e", "I3", "X", "alice", 5),
		b("f", "I3", "X", "alice", 6),
		b("g", "", "X", "alice", 7),
	}
	got := Marks(builds)
	want := map[string]Mark{
		"a": {NotReproducible, 2, 2}, "b": {NotReproducible, 2, 2}, "c": {NotReproducible, 1, 1},
		"d": {Unverified, 1, 1}, "e": {Reproducible, 2, 1}, "f": {Reproducible, 2, 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Marks = %v, want %v", got, want)
	}
	if s := got["a"].Text(); s != "×2, 2 uploaders" {
		t.Errorf("text %q", s)
	}
	if s := got["e"].Text(); s != "×2" {
		t.Errorf("text %q", s)
	}
}

// db.ReproBuckets caps both counts at 2 before the rule sees them.
func TestVerdictOfCapped(t *testing.T) {
	for b := 1; b < 6; b++ {
		for o := 1; o <= b; o++ {
			if got, want := VerdictOf(min(b, 2), min(o, 2)), VerdictOf(b, o); got != want {
				t.Errorf("VerdictOf(%d, %d) = %s, capped %s", b, o, want, got)
			}
		}
	}
}
