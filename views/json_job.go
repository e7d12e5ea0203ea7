package views

// JSON shapes of the job page (`/job/:job`) for Accept: application/json; the
// handlers fill them, /api describes them.

// JobBuildJSON is one entry of the job JSON (reference §6.3) plus our fields.
type JobBuildJSON struct {
	UUID       string          `json:"uuid"`
	MainBinary *MainBinaryJSON `json:"main_binary"`
	Platform   string          `json:"platform"`
	StartTime  string          `json:"start_time"`
	FinishTime string          `json:"finish_time"`
	Result     ResultJSON      `json:"result"`
	// Builds is how many builds produced this main binary (1 for a failed
	// build).
	Builds int `json:"builds"`
	// Reproducibility of the build's input (issue 12); absent for failed
	// builds and builds without an input id.
	Reproducibility *RowReproJSON `json:"reproducibility,omitempty"`
}

// MainBinaryJSON is a main binary in list JSON.
type MainBinaryJSON struct {
	Filename string `json:"filename"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
}

// JobJSON is the job page's JSON. NextCursor is set only with ?limit= when
// more entries follow (product.md §3.3).
type JobJSON struct {
	Builds     []JobBuildJSON `json:"builds"`
	NextCursor string         `json:"next_cursor,omitempty"`
}
