package views

import "time"

// ComparePage is the Body of the "compare" page (reference §7.5, product
// §3.1): the two builds, the controls that change the comparison in place,
// and one Section per non-empty category.
type ComparePage struct {
	Left, Right CompareBuild
	URL         string // this comparison in this view, e.g. /compare/<l>/<r>?all=1
	ReverseURL  string // the other direction, same view
	// All is the "show unchanged too" view (?all=1); OnlyURL and AllURL
	// are this comparison in the "only differences" and "all" views.
	All     bool
	OnlyURL string
	AllURL  string
	// Binaries is the first line: are the main binaries identical, are
	// the inputs.
	Binaries CompareBinaries
	// SameBuild is set when both sides are one build: allowed (a link
	// may say so), but the page says there is nothing to compare.
	SameBuild bool
	// Identical is set when no section lists a difference.
	Identical  bool
	Sections   []CompareSection
	LeftPicks  []CompareOption // recent builds of the left build's job
	RightPicks []CompareOption // recent builds of the right build's job
}

// CompareBuild is one side of a comparison.
type CompareBuild struct {
	Job      string
	UUID     string
	URL      string // the build page
	Platform string
	Start    time.Time
}

// CompareSection is one category of differences. Rows are shown side by
// side (name | left build | right build); Diffs are opam-file diffs that
// open inline; Error replaces the content (duniverse parsing errors).
type CompareSection struct {
	ID    string // the reference's anchor, e.g. "opam-packages-removed"
	Title string
	Count int
	// NameHeader heads the first column ("Package", "Variable", "Directory").
	NameHeader string
	Rows       []CompareRow
	Diffs      []CompareOpamDiff
	Error      string
	// Same marks the "unchanged" sections of the ?all=1 view.
	Same bool
}

// CompareRow is one line of a section. An absent side (package not
// installed, variable not set) is shown as such, not as an empty value.
type CompareRow struct {
	Name                    string
	Left, Right             string
	LeftAbsent, RightAbsent bool
}

// CompareOpamDiff is a package whose opam files differ; its unified diff
// is loaded from URL when opened.
type CompareOpamDiff struct {
	Package          string // name.version
	URL              string // /compare/<l>/<r>/opam/<name>
	Added, Removed   int    // lines of the diff, for the summary
	EffectivelyEqual bool
}

// CompareOption is one build offered by the picker.
type CompareOption struct {
	UUID     string
	Label    string // start time, platform, short hash of the main binary
	Selected bool
}

// CompareOpamFile is the Body of the "compare_opam" page: one package's
// opam-file diff, whole page or (for htmx) only the <pre>.
type CompareOpamFile struct {
	Package    string // name.version
	Lines      []DiffLine
	CompareURL string
}

// DiffLine is one line of a unified diff; Kind is "add", "del", "hunk",
// "file" or "" (context) and picks its colour.
type DiffLine struct {
	Kind string
	Text string
}

// CompareBinaries says whether two builds' main binaries and inputs are
// identical (app/repro.Pair).
type CompareBinaries struct {
	Line        string // the sentence, e.g. "Same input, different main binaries: not reproduced"
	Identical   bool
	SameInput   bool
	Left, Right string // hex SHA-256, "" without a main binary
	// DiffoscopeURL explains the difference of two distinct main binaries.
	DiffoscopeURL string
	// SizesURL compares the sizes of the binaries' libraries and modules.
	SizesURL string
}

// CompareSizesPage is the Body of "compare_sizes" (GET
// /compare/:left/:right/sizes): the libraries and modules of the two main
// binaries whose size changed, largest change first.
type CompareSizesPage struct {
	Left, Right CompareBuild
	CompareURL  string
	// Available is false when a binary has no symbol table.
	Available bool
	Rows      []SizeRow
	Truncated bool // more changes than rows
}

// SizeRow is one library (Module empty) or module whose size changed.
type SizeRow struct {
	Library, Module     string
	Left, Right, Change string // formatted sizes
	Percent             string
	Grew                bool
}
