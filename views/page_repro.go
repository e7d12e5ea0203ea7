package views

import "time"

// Verdict is a reproducibility verdict as pages show it: a mark and a word,
// never colour alone. Key is the JSON value (a CSS class suffix too).
type Verdict struct {
	Key   string // reproducible, not-reproducible, unverified
	Mark  string
	Label string
}

// ReproSummary counts input ids by verdict.
type ReproSummary struct {
	Reproducible, NotReproducible, Unverified, Total int
	Share                                            string // "75 %", or "–" without inputs
}

// ReproOutput is one distinct main binary of an input id.
type ReproOutput struct {
	SHA256      string
	Builds      int
	Uploaders   string // comma-separated names
	Independent bool   // built by two or more uploaders
	FirstURL    string
	LatestURL   string
	First       time.Time
	Latest      time.Time
}

// ReproInput is one input id of the per-job view.
type ReproInput struct {
	Platform string
	// PlatformStart marks the first input of a platform on this page.
	PlatformStart bool
	InputID       string
	Verdict       Verdict
	Builds        int
	First, Latest time.Time
	Outputs       []ReproOutput
	// CompareURL compares the newest build of the previous (older) input
	// id with this one's: what changed in the input.
	CompareURL string
}

// JobReproPage is the Body of "job_repro" (GET /job/:job/reproducibility).
type JobReproPage struct {
	Job     string
	JobURL  string
	URL     string // this view
	Query   string // the filter
	Summary ReproSummary
	Inputs  []ReproInput
	NextURL string // the next inputs, "" on the last page
}

// SiteReproJob is one job of the site view.
type SiteReproJob struct {
	Job              string
	URL              string // the job's reproducibility view
	AllTime, Last30d ReproSummary
}

// SiteReproPage is the Body of "site_repro" (GET /reproducibility).
type SiteReproPage struct {
	Query            string
	Sort             string
	SortLinks        []Chip
	AllTime, Last30d ReproSummary
	Jobs             []SiteReproJob
}
