package views

import "github.com/builder-web/builder-web/app/diffoscope"

// JSON shapes of the diffoscope comparison (`/compare/:left/:right/diffoscope`) for Accept: application/json; the
// handlers fill them, /api describes them.

// DiffoscopeJSON is GET /compare/:left/:right/diffoscope as JSON.
type DiffoscopeJSON struct {
	State     diffoscope.State `json:"state"`
	ReportURL string           `json:"report_url,omitempty"`
	Seconds   float64          `json:"seconds"`
	Reason    string           `json:"reason,omitempty"`
}
