// Package repro is the one model of reproducibility (issue 12, product.md
// §3.4): builds of one job and platform from the same input id form a
// group, and whether a group reproduces, and who reproduced whom, is
// computed here and nowhere else, so that no two pages can disagree.
package repro

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Verdict is what a group of builds from one input says.
type Verdict string

// The three verdicts; the strings are the JSON values.
const (
	// Reproducible: at least two builds, all with the same main binary.
	Reproducible Verdict = "reproducible"
	// NotReproducible: at least two distinct main binaries.
	NotReproducible Verdict = "not-reproducible"
	// Unverified: a single build.
	Unverified Verdict = "unverified"
)

// Label is the verdict as a page shows it.
func (v Verdict) Label() string {
	switch v {
	case Reproducible:
		return "reproducible"
	case NotReproducible:
		return "not reproducible"
	default:
		return "unverified"
	}
}

// Mark is the verdict's sign, always shown next to the label (never colour
// alone).
func (v Verdict) Mark() string {
	switch v {
	case Reproducible:
		return "✓"
	case NotReproducible:
		return "✗"
	default:
		return "?"
	}
}

// Build is one successful build as the model needs it. Failed builds
// (no main binary) never enter the model.
type Build struct {
	UUID     string
	Job      string
	Platform string
	InputID  string // hex; "" when the build has none
	Output   string // hex SHA-256 of the main binary
	Uploader string
	Start    time.Time
}

// groupKey is what groups builds: job, platform and input id.
type groupKey struct{ job, platform, input string }

func keyOf(b Build) groupKey { return groupKey{b.Job, b.Platform, b.InputID} }

// Output is one distinct main binary of a group.
type Output struct {
	SHA256    string
	Builds    int
	Uploaders []string // distinct, sorted
	First     Build    // oldest build with this output
	Latest    Build    // newest build with this output
}

// Independent reports whether this output was built by at least two
// different uploaders.
func (o Output) Independent() bool { return len(o.Uploaders) >= 2 }

// Group is the builds of one job, platform and input id.
type Group struct {
	Job, Platform, InputID string
	Verdict                Verdict
	Builds                 int
	// Outputs are ordered by their newest build, newest first.
	Outputs []Output
	First   time.Time // oldest build of the group
	Latest  time.Time // newest build of the group
}

// VerdictOf returns the verdict for a number of builds and distinct
// outputs; the single rule every other function uses. Only whether each
// count reaches 2 matters, which lets db.ReproBuckets count groups with
// the counts capped at 2 (TestVerdictOfCapped holds it to that).
func VerdictOf(builds, outputs int) Verdict {
	switch {
	case outputs >= 2:
		return NotReproducible
	case builds >= 2:
		return Reproducible
	default:
		return Unverified
	}
}

// Summarize groups builds by job, platform and input id. Builds without an
// input id are left out: nothing can be said of what they reproduce. The
// groups come newest first (by their newest build).
func Summarize(builds []Build) []Group {
	byKey, order := accumulate(builds)
	groups := make([]Group, 0, len(order))
	for _, k := range order {
		groups = append(groups, byKey[k].group(k))
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Latest.After(groups[j].Latest) })
	return groups
}

// accumulate groups builds, in the order their groups first appear.
func accumulate(builds []Build) (map[groupKey]*groupAcc, []groupKey) {
	byKey := map[groupKey]*groupAcc{}
	var order []groupKey
	for _, b := range builds {
		if b.InputID == "" || b.Output == "" {
			continue
		}
		k := keyOf(b)
		g := byKey[k]
		if g == nil {
			g = &groupAcc{outputs: map[string]*outputAcc{}}
			byKey[k] = g
			order = append(order, k)
		}
		g.add(b)
	}
	return byKey, order
}

// Mark is what a list row shows of a build: its group's verdict, and how
// many builds of the group, by how many uploaders, made its binary.
type Mark struct {
	Verdict   Verdict
	Builds    int
	Uploaders int
}

// Marks returns the mark of every build of builds, by UUID; builds must
// hold whole groups (all builds of the same job, platform and input id).
// Builds without output or input id get none.
func Marks(builds []Build) map[string]Mark {
	byKey, _ := accumulate(builds)
	out := make(map[string]Mark, len(builds))
	for _, b := range builds {
		g := byKey[keyOf(b)]
		if g == nil || b.Output == "" {
			continue
		}
		o := g.outputs[b.Output]
		out[b.UUID] = Mark{Verdict: VerdictOf(g.builds, len(g.outputs)), Builds: o.builds, Uploaders: len(o.uploaders)}
	}
	return out
}

// Text is the mark's count as a list shows it: "×3, 2 uploaders".
func (m Mark) Text() string {
	s := fmt.Sprintf("×%d", m.Builds)
	if m.Uploaders > 1 {
		s += fmt.Sprintf(", %d uploaders", m.Uploaders)
	}
	return s
}

type groupAcc struct {
	builds        int
	first, latest time.Time
	outputs       map[string]*outputAcc
	outputOrder   []string
}

type outputAcc struct {
	builds        int
	uploaders     map[string]bool
	first, latest Build
}

func (g *groupAcc) add(b Build) {
	if g.builds == 0 || b.Start.Before(g.first) {
		g.first = b.Start
	}
	if g.builds == 0 || b.Start.After(g.latest) {
		g.latest = b.Start
	}
	g.builds++
	o := g.outputs[b.Output]
	if o == nil {
		o = &outputAcc{uploaders: map[string]bool{}, first: b, latest: b}
		g.outputs[b.Output] = o
		g.outputOrder = append(g.outputOrder, b.Output)
	}
	o.builds++
	o.uploaders[b.Uploader] = true
	if b.Start.Before(o.first.Start) {
		o.first = b
	}
	if b.Start.After(o.latest.Start) {
		o.latest = b
	}
}

func (g *groupAcc) group(k groupKey) Group {
	out := Group{Job: k.job, Platform: k.platform, InputID: k.input, Builds: g.builds,
		First: g.first, Latest: g.latest, Verdict: VerdictOf(g.builds, len(g.outputs))}
	for _, sha := range g.outputOrder {
		o := g.outputs[sha]
		out.Outputs = append(out.Outputs, Output{SHA256: sha, Builds: o.builds,
			Uploaders: sortedKeys(o.uploaders), First: o.first, Latest: o.latest})
	}
	sort.SliceStable(out.Outputs, func(i, j int) bool {
		return out.Outputs[i].Latest.Start.After(out.Outputs[j].Latest.Start)
	})
	return out
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Standing is one build's place in its group: the build page's header line
// and its lists.
type Standing struct {
	Verdict Verdict
	// ReproducedBy: the other builds of its group with the same binary.
	ReproducedBy []Build
	// DiffersFrom: the builds of its group with another binary.
	DiffersFrom []Build
	// UnchangedBy: builds of the same job and platform from another input
	// id with the same binary ("output unchanged by an input change");
	// never counted as reproduction.
	UnchangedBy []Build
	// Uploaders of this build and of ReproducedBy, distinct and sorted.
	Uploaders []string
}

// Independent reports whether the build's binary was built by at least two
// different uploaders from the same input.
func (s Standing) Independent() bool { return len(s.Uploaders) >= 2 }

// Line is the header line of a build's reproducibility, naming the verdict
// and the counts, e.g. "Reproduced by 1 build of the same input, differs
// from 1". The lists under it are the same slices, so the words and the
// lists cannot disagree.
func (s Standing) Line() string {
	var parts []string
	if n := len(s.ReproducedBy); n > 0 {
		parts = append(parts, fmt.Sprintf("Reproduced by %d %s of the same input", n, plural(n, "build", "builds")))
	}
	if n := len(s.DiffersFrom); n > 0 {
		if len(parts) == 0 {
			parts = append(parts, fmt.Sprintf("Differs from %d %s of the same input", n, plural(n, "build", "builds")))
		} else {
			parts = append(parts, fmt.Sprintf("differs from %d", n))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "No other build of the same input yet")
	}
	line := strings.Join(parts, ", ")
	if s.Independent() {
		line += fmt.Sprintf(" (independently: %d uploaders)", len(s.Uploaders))
	}
	return line
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// StandingOf places build b among others: the builds of the same job and
// platform (any input id; b itself may be among them and is skipped).
// Lists are newest first. A build without a main binary or input id has no
// standing: its verdict is unverified and its lists are empty.
func StandingOf(b Build, others []Build) Standing {
	s := Standing{Verdict: Unverified}
	if b.Output == "" || b.InputID == "" {
		return s
	}
	uploaders := map[string]bool{b.Uploader: true}
	seenInput := map[string]bool{}
	sorted := append([]Build(nil), others...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start.After(sorted[j].Start) })
	for _, o := range sorted {
		if o.UUID == b.UUID || o.Output == "" || o.Job != b.Job || o.Platform != b.Platform {
			continue
		}
		switch {
		case o.InputID == b.InputID && o.Output == b.Output:
			s.ReproducedBy = append(s.ReproducedBy, o)
			uploaders[o.Uploader] = true
		case o.InputID == b.InputID:
			s.DiffersFrom = append(s.DiffersFrom, o)
		case o.InputID != "" && o.Output == b.Output && !seenInput[o.InputID]:
			// Per other input id, its newest build with this binary.
			seenInput[o.InputID] = true
			s.UnchangedBy = append(s.UnchangedBy, o)
		}
	}
	outputs := 1
	if len(s.DiffersFrom) > 0 {
		outputs = 2
	}
	s.Verdict = VerdictOf(1+len(s.ReproducedBy)+len(s.DiffersFrom), outputs)
	s.Uploaders = sortedKeys(uploaders)
	return s
}

// Summary counts groups by verdict.
type Summary struct {
	Reproducible    int `json:"reproducible"`
	NotReproducible int `json:"not_reproducible"`
	Unverified      int `json:"unverified"`
}

// Add counts one verdict.
func (s *Summary) Add(v Verdict) { s.AddN(v, 1) }

// AddN counts n groups with the same verdict.
func (s *Summary) AddN(v Verdict, n int) {
	switch v {
	case Reproducible:
		s.Reproducible += n
	case NotReproducible:
		s.NotReproducible += n
	default:
		s.Unverified += n
	}
}

// Total is the number of groups counted.
func (s Summary) Total() int { return s.Reproducible + s.NotReproducible + s.Unverified }

// Verified is the number of groups with at least two builds.
func (s Summary) Verified() int { return s.Reproducible + s.NotReproducible }

// Share is the part of all inputs that reproduce, in percent, and false
// when there is no input (a share of nothing is not 0 %).
func (s Summary) Share() (float64, bool) {
	if s.Total() == 0 {
		return 0, false
	}
	return 100 * float64(s.Reproducible) / float64(s.Total()), true
}

// Pair is what two builds' main binaries and inputs say of each other: the
// compare page's first line.
type Pair struct {
	// LeftOutput and RightOutput are the main binaries' hex SHA-256, ""
	// for a build without one.
	LeftOutput, RightOutput string
	// IdenticalOutputs: both have a main binary and they are equal.
	IdenticalOutputs bool
	// SameInput: both have an input id and they are equal.
	SameInput bool
	// KnownInputs: both have an input id (bare binary uploads have none).
	KnownInputs bool
}

// Compare relates two builds.
func Compare(left, right Build) Pair {
	return Pair{
		LeftOutput: left.Output, RightOutput: right.Output,
		IdenticalOutputs: left.Output != "" && left.Output == right.Output,
		SameInput:        left.InputID != "" && left.InputID == right.InputID,
		KnownInputs:      left.InputID != "" && right.InputID != "",
	}
}

// Line is the pair as one sentence, e.g. "Same input, different main
// binaries: not reproduced".
func (p Pair) Line() string {
	input := "Different inputs"
	switch {
	case p.SameInput:
		input = "Same input"
	case !p.KnownInputs:
		input = "Inputs unknown"
	}
	switch {
	case p.LeftOutput == "" || p.RightOutput == "":
		return input + "; a build without a main binary cannot be compared"
	case p.IdenticalOutputs && p.SameInput:
		return input + ", identical main binaries: the build reproduced"
	case p.IdenticalOutputs && p.KnownInputs:
		return input + ", identical main binaries: output unchanged by the input change"
	case p.IdenticalOutputs:
		return input + ", identical main binaries"
	case p.SameInput:
		return input + ", different main binaries: not reproduced"
	default:
		return input + ", different main binaries"
	}
}
