package views

// JSON shapes of the size comparison (`/compare/:left/:right/sizes`) for Accept: application/json; the
// handlers fill them, /api describes them.

// SizeDeltaJSON is one library or module ("module" empty for the library
// as a whole) whose size differs between the two main binaries.
type SizeDeltaJSON struct {
	Library string  `json:"library"`
	Module  string  `json:"module,omitempty"`
	Left    int64   `json:"left"`
	Right   int64   `json:"right"`
	Change  int64   `json:"change"`
	Percent float64 `json:"percent"`
}

// CompareSizesJSON is GET /compare/:left/:right/sizes as JSON. Available
// is false when a binary has no symbol table to attribute bytes with.
type CompareSizesJSON struct {
	Available bool            `json:"available"`
	Sizes     []SizeDeltaJSON `json:"sizes"`
}
