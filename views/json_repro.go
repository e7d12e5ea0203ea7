package views

import "github.com/builder-web/builder-web/app/repro"

// JSON shapes of the reproducibility views (`/job/:job/reproducibility`,
// `/reproducibility`, the build page) for Accept: application/json; the
// handlers fill them, /api describes them.

// ReproOutputJSON is one distinct main binary of an input id.
type ReproOutputJSON struct {
	SHA256     string   `json:"sha256"`
	Builds     int      `json:"builds"`
	Uploaders  []string `json:"uploaders"`
	FirstUUID  string   `json:"first_uuid"`
	LatestUUID string   `json:"latest_uuid"`
}

// ReproInputJSON is one input id of a platform, with its verdict.
type ReproInputJSON struct {
	InputID string            `json:"input_id"`
	Verdict repro.Verdict     `json:"verdict"`
	Outputs []ReproOutputJSON `json:"outputs"`
}

// ReproPlatformJSON is a platform of the per-job view.
type ReproPlatformJSON struct {
	Platform string           `json:"platform"`
	Inputs   []ReproInputJSON `json:"inputs"`
}

// JobReproJSON is GET /job/:job/reproducibility as JSON.
type JobReproJSON struct {
	Job        string              `json:"job"`
	Platforms  []ReproPlatformJSON `json:"platforms"`
	Summary    repro.Summary       `json:"summary"`
	NextCursor string              `json:"next_cursor,omitempty"`
}

// SiteReproJobJSON is one job of the site view.
type SiteReproJobJSON struct {
	Job      string        `json:"job"`
	AllTime  repro.Summary `json:"all_time"`
	Last30d  repro.Summary `json:"last_30_days"`
	Share    *float64      `json:"share"`
	Share30d *float64      `json:"share_30_days"`
}

// SiteReproJSON is GET /reproducibility as JSON.
type SiteReproJSON struct {
	Jobs    []SiteReproJobJSON `json:"jobs"`
	AllTime repro.Summary      `json:"all_time"`
	Last30d repro.Summary      `json:"last_30_days"`
}

// ComparePairJSON is "main_binary" of the compare JSON: both main binaries'
// SHA-256 (null without one) and whether they are identical.
type ComparePairJSON struct {
	Left      *string `json:"left"`
	Right     *string `json:"right"`
	Identical bool    `json:"identical"`
}

// BuildReproJSON is "reproducibility" of the build JSON (issue 12): the
// verdict of the build's input and the builds that reproduced it, differ
// from it, or made the same binary from another input.
type BuildReproJSON struct {
	Verdict      repro.Verdict `json:"verdict"`
	Uploader     string        `json:"uploader"`
	Independent  bool          `json:"independent"`
	ReproducedBy []string      `json:"reproduced_by"`
	DiffersFrom  []string      `json:"differs_from"`
	UnchangedBy  []string      `json:"same_output_other_input"`
}

// RowReproJSON is "reproducibility" of a list entry: the verdict of the
// build's input, and how many builds by how many uploaders made its binary.
type RowReproJSON struct {
	Verdict   repro.Verdict `json:"verdict"`
	Builds    int           `json:"builds"`
	Uploaders int           `json:"uploaders"`
}
