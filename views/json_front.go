package views

import "github.com/builder-web/builder-web/app/solo5"

// JSON shapes of the front page (`/`) for Accept: application/json; the
// handlers fill them, /api describes them.

// OverviewJobJSON is one job of the overview JSON (reference §6.1, HEAD
// shape); "platforms" is ours.
type OverviewJobJSON struct {
	Name      string               `json:"name"`
	Synopsis  *string              `json:"synopsis"`
	Platforms []OverviewLatestJSON `json:"platforms"`
	Latest    *OverviewSolo5JSON   `json:"latest,omitempty"`
}

// OverviewSolo5JSON is a job's newest successful build when its main binary
// is a unikernel whose solo5 manifest and ABI are both readable.
type OverviewSolo5JSON struct {
	UUID          string          `json:"uuid"`
	Solo5Manifest *solo5.Manifest `json:"solo5_manifest"`
	Solo5ABI      *solo5.ABI      `json:"solo5_abi"`
}

// OverviewLatestJSON is the newest successful build of a job on a platform.
type OverviewLatestJSON struct {
	Platform   string          `json:"platform"`
	UUID       string          `json:"uuid"`
	StartTime  string          `json:"start_time"`
	FinishTime string          `json:"finish_time"`
	MainBinary *MainBinaryJSON `json:"main_binary"`
}
