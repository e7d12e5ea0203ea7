package views

import (
	"net/url"
	"time"
)

// BuildPage is the Body of the "build" page (reference §6.5).
type BuildPage struct {
	Job         string
	UUID        string
	URL         string // /job/<job>/build/<uuid>, escaped
	JobURL      string
	PlatformURL string // the job page filtered by this build's platform
	Platform    string
	Start       time.Time
	Finish      time.Time
	Duration    time.Duration
	Result      Result
	Successful  bool // has a main binary (reference §1)

	// Artifacts are one page of the build's artifacts, in database order:
	// the first ones, or (Later) those after an earlier page.
	// MoreArtifactsURL lists the next ones ("" when these are the last);
	// htmx gets only their rows.
	Artifacts        []Artifact
	ArtifactCount    int
	Later            bool
	MoreArtifactsURL string

	// Repro is the build's place in its group of builds from the same
	// input (app/repro); nil for a failed build, which has none.
	Repro *BuildRepro
	// Comparisons are the latest build and the nearest later and earlier
	// builds with a different output, on the same job and platform.
	Comparisons []BuildLink

	// Dependencies and Treemap are set when the build's visualization is
	// cached or can be drawn (app/viz): its opam-switch has a single root;
	// its debug binary, or else main binary, is an ELF file with symbols.
	// The Frame variants say the cached file is one of the reference's
	// tools, shown in a sandboxed frame rather than as our preview image.
	Dependencies, DependenciesFrame bool
	Treemap, TreemapFrame           bool
}

// Artifact is one stored output file of a build.
type Artifact struct {
	Path   string
	SHA256 []byte
	Size   int64
	Main   bool
	// Devices is the main binary's solo5 devices line (reference §6.5),
	// "" when it has no readable solo5 manifest.
	Devices string
}

// BuildLink is another build named on the build page.
type BuildLink struct {
	// Label says how it relates: "Latest build", ….
	Label string
	// Job is set only when the build belongs to another job than the page's.
	Job      string
	Platform string
	Start    time.Time
	URL      string // the build's page or the comparison with it
	// Uploader and CompareURL are set in the reproducibility lists.
	Uploader   string
	CompareURL string
}

// BuildRepro is the reproducibility part of the build page: the verdict,
// the header line naming it with the counts, and the three lists the line
// counts (so words and lists cannot disagree).
type BuildRepro struct {
	Verdict     Verdict
	Line        string // e.g. "Reproduced by 1 build of the same input, differs from 1"
	Uploader    string
	Independent bool
	Uploaders   string // of this build and those that reproduced it
	ViewURL     string // the job's reproducibility view
	// ReproducedBy: same input, same main binary. DiffersFrom: same
	// input, another main binary. UnchangedBy: another input, the same
	// main binary (newest per input) — never counted as reproduced.
	ReproducedBy, DiffersFrom, UnchangedBy []BuildLink
}

// ConsolePage is the Body of the "console" page: a build's console output,
// filtered and shortened on the server.
type ConsolePage struct {
	Job      string
	Start    time.Time
	BuildURL string
	RawURL   string // the whole console as text/plain
	ViewURL  string // this page, without query
	// Query is the filter: lines containing it (ignoring case) are shown.
	Query string
	// All shows every (matching) line instead of the last Tail.
	All  bool
	Tail int
	// Total counts all lines, Matching those that pass the filter, and
	// Lines holds those shown.
	Total    int
	Matching int
	Lines    []ConsoleLine
	// Truncated is set when All hit the page's line or byte limit.
	Truncated bool
	// Standalone marks the console's own page (filters change its URL)
	// as opposed to the panel loaded into the build page.
	Standalone bool
}

// FilterURL is the console page showing what this one shows, with only the
// parameters that are set, so a filtered console can be linked.
func (c ConsolePage) FilterURL() string {
	v := url.Values{}
	if c.Query != "" {
		v.Set("q", c.Query)
	}
	if c.All {
		v.Set("lines", "all")
	}
	if len(v) == 0 {
		return c.ViewURL
	}
	return c.ViewURL + "?" + v.Encode()
}

// ConsoleLine is one console line: its number in the whole output, the
// seconds since the build started as printed in console.txt, and the text.
type ConsoleLine struct {
	N    int
	Time string
	Text string
}
