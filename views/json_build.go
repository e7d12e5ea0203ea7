package views

import "github.com/builder-web/builder-web/app/solo5"

// JSON shapes of the build page (`/job/:job/build/:build`) for Accept: application/json; the
// handlers fill them, /api describes them.

// ResultJSON is the "result" object product.md §3.3 adds to build JSON.
type ResultJSON struct {
	Kind string `json:"kind"`
	Code *int64 `json:"code,omitempty"`
	Msg  string `json:"msg,omitempty"`
}

// BuildJSON is the build page's JSON (reference §6.5).
type BuildJSON struct {
	Job        string     `json:"job"`
	UUID       string     `json:"uuid"`
	Platform   string     `json:"platform"`
	StartTime  string     `json:"start_time"`
	FinishTime string     `json:"finish_time"`
	MainBinary bool       `json:"main_binary"`
	Result     ResultJSON `json:"result"`

	// New keys (the reference has none of them): the main binary's path and
	// hash, and the artifacts, as many per answer as the page shows;
	// ArtifactsNext continues the list (?artifacts_after=) when more follow.
	MainBinaryPath   string         `json:"main_binary_path,omitempty"`
	MainBinarySHA256 string         `json:"main_binary_sha256,omitempty"`
	Artifacts        []ArtifactJSON `json:"artifacts"`
	ArtifactsNext    string         `json:"artifacts_next,omitempty"`

	// The main binary's solo5 notes, each only when readable ([HEAD]).
	Solo5Manifest *solo5.Manifest `json:"solo5_manifest,omitempty"`
	Solo5ABI      *solo5.ABI      `json:"solo5_abi,omitempty"`
	// Reproducibility is absent for a failed build (issue 12).
	Reproducibility *BuildReproJSON `json:"reproducibility,omitempty"`
}

// ArtifactJSON is one file of a build; sha256 in hex.
type ArtifactJSON struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}
