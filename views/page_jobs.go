package views

import (
	"html/template"
	"time"
)

// The overview pages: front page, job page, failed builds, API description
// (reference §6.1–6.3, product.md §3.1).

// BuildRow is a build as lists show it.
type BuildRow struct {
	Job      string
	JobURL   string
	UUID     string
	URL      string // the build page
	Platform string
	// PlatformURL is the job page filtered by the platform.
	PlatformURL string
	Start       time.Time
	Duration    time.Duration
	Result      Result
	Binary      *Binary // nil for a failed build
	// Count is how many builds produced Binary (job page); OutputURL lists
	// them.
	Count     int
	OutputURL string
}

// Binary is a build's main binary with its download link.
type Binary struct {
	Name   string // base name
	URL    string // /job/<job>/build/<uuid>/f/<path>
	SHA256 []byte
	Size   int64
}

// Chip is one choice of a filter shown as a link or a radio button.
type Chip struct {
	Text   string
	Value  string
	URL    string
	Active bool
}

// FrontPage is the Body of the "front" page (GET / and /all-builds).
type FrontPage struct {
	// AllBuilds is set on /all-builds (no expiry filter, other footer link).
	AllBuilds bool
	// Action is the filter form's target: "/" or "/all-builds".
	Action string
	// Query, Platform and Expired are the filter's current values.
	Query    string
	Platform string
	Expired  bool
	// ExpiredDays is the expiry rule (0: never).
	ExpiredDays int
	Platforms   []Chip
	Sections    []FrontSection
	// Matches counts the jobs shown.
	Matches int
	// Since is the newest build id when the page was made, for the "new
	// builds" banner.
	Since int64
}

// FrontSection is one section heading of the front page with its jobs.
type FrontSection struct {
	Name string
	Jobs []FrontJob
}

// FrontJob is one job of the front page with its newest successful build per
// platform.
type FrontJob struct {
	Name     string
	URL      string
	Synopsis string
	Builds   []BuildRow
}

// JobPage is the Body of the "job" page (GET /job/:job and /job/:job/failed).
type JobPage struct {
	Job      string
	URL      string // /job/<job>
	Platform string // the platform filter, "" for all
	Failed   bool   // failed builds included
	// ToggleURL switches failed builds on or off, keeping the platform.
	ToggleURL string
	Platforms []Chip
	Readme    template.HTML // rendered, safe; empty without README
	Rows      []BuildRow
	// NextURL loads the rows after the last one shown; empty at the end.
	NextURL string
	// NewBuildsURL is polled for the "new builds" banner.
	NewBuildsURL string
}

// OutputPage is the Body of the "output" page: the builds of a job that
// produced one main binary (the job page's "built N times").
type OutputPage struct {
	Job    string
	URL    string // the job page
	SHA256 []byte
	Rows   []BuildRow
}

// FailedPage is the Body of the "failed" page (GET /failed-builds).
type FailedPage struct {
	Platform  string
	Result    string
	Count     int // page size
	Platforms []Chip
	Results   []Chip
	Rows      []BuildRow
	// NextURL is the next page; empty at the end.
	NextURL string
	// Filtered is set when a filter is active (the empty state says so).
	Filtered bool
}

// NewBuilds is the Body of the "new builds" banner fragment.
type NewBuilds struct {
	Count int
	URL   string // where "show" goes: the page, reloaded
}
