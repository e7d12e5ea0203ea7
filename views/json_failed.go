package views

// JSON shapes of the failed builds (`/failed-builds`, `/job/:job/failed`) for Accept: application/json; the
// handlers fill them, /api describes them.

// FailedBuildJSON is one build of the /failed-builds JSON (product.md §3.3).
type FailedBuildJSON struct {
	Job        string     `json:"job"`
	UUID       string     `json:"uuid"`
	Platform   string     `json:"platform"`
	StartTime  string     `json:"start_time"`
	FinishTime string     `json:"finish_time"`
	Result     ResultJSON `json:"result"`
	// Reason says why the build counts as failed, as the page does: the
	// result, or "exited 0, no main binary" for a build that succeeded but
	// uploaded no main binary.
	Reason string `json:"reason"`
}

// FailedJSON is the /failed-builds JSON; NextCursor is absent on the last page.
type FailedJSON struct {
	Builds     []FailedBuildJSON `json:"builds"`
	NextCursor string            `json:"next_cursor,omitempty"`
}
