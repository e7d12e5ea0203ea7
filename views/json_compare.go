package views

// JSON shapes of the compare page (`/compare/:left/:right`) for Accept: application/json; the
// handlers fill them, /api describes them.

// CompareJSON is the comparison's JSON (reference §7.6). Every key of the
// reference is kept with its meaning, including the inverted naming of
// left_packages/right_packages and the descending orders (§15.8, §15.20);
// keys added beside them say plainly what they hold.
type CompareJSON struct {
	Left        CompareBuildJSON `json:"left"`
	Right       CompareBuildJSON `json:"right"`
	EnvDiff     KVDiffJSON       `json:"env_diff"`
	PackageDiff KVDiffJSON       `json:"package_diff"`
	OpamDiff    OpamDiffJSON     `json:"opam_diff"`
	// OpamError says why opam_diff is empty when a switch export does not
	// parse (the reference answers 500 instead).
	OpamError string `json:"opam_error,omitempty"`
	// MainBinary and SameInput (issue 12) say whether the two builds
	// reproduce each other.
	MainBinary ComparePairJSON `json:"main_binary"`
	SameInput  bool            `json:"same_input"`
}

// CompareBuildJSON is one side of a comparison.
type CompareBuildJSON struct {
	Job            string `json:"job"`
	UUID           string `json:"uuid"`
	Platform       string `json:"platform"`
	StartTime      string `json:"start_time"`
	FinishTime     string `json:"finish_time"`
	MainBinary     bool   `json:"main_binary"`
	MainBinarySize *int64 `json:"main_binary_size"` // null without a main binary
}

// NameVersionJSON is an entry of the reference's lists: for the
// environment "version" holds the variable's value.
type NameVersionJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// VersionChangeJSON is a key with a different value on each side.
type VersionChangeJSON struct {
	Name         string `json:"name"`
	VersionLeft  string `json:"version_left"`
	VersionRight string `json:"version_right"`
}

// KVDiffJSON is env_diff or package_diff.
type KVDiffJSON struct {
	// LeftPackages holds what only the RIGHT build has, RightPackages what
	// only the left has: the reference's naming, kept for its clients.
	LeftPackages      []NameVersionJSON   `json:"left_packages"`
	RightPackages     []NameVersionJSON   `json:"right_packages"`
	DifferentVersions []VersionChangeJSON `json:"different_versions"`

	// Added (only in the right build), Removed (only in the left) and
	// Changed are the same data under names that say what they hold.
	Added   []EntryJSON  `json:"added"`
	Removed []EntryJSON  `json:"removed"`
	Changed []ChangeJSON `json:"changed"`
}

// EntryJSON is a variable or system package with its value or version.
type EntryJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ChangeJSON is a variable or system package whose value changed.
type ChangeJSON struct {
	Name  string `json:"name"`
	Left  string `json:"left"`
	Right string `json:"right"`
}

// OpamDiffJSON is the opam part of the comparison.
type OpamDiffJSON struct {
	OpamDiff    []OpamFileDiffJSON  `json:"opam_diff"`    // descending
	VersionDiff []VersionChangeJSON `json:"version_diff"` // ascending
	OnlyInLeft  []NameVersionJSON   `json:"only_in_left"` // descending
	OnlyInRight []NameVersionJSON   `json:"only_in_right"`
	// DuniverseDiff is a *DuniverseDiffJSON, or the error message as a
	// string when either side's duniverse could not be read.
	DuniverseDiff any `json:"duniverse_diff"`
}

// OpamFileDiffJSON is a package whose opam files differ.
type OpamFileDiffJSON struct {
	PackageVersion   string `json:"package_version"`
	EffectivelyEqual bool   `json:"effectively_equal"`
	Diff             string `json:"diff"`
}

// DuniverseDiffJSON compares the opam-monorepo directories.
type DuniverseDiffJSON struct {
	Left         []DuniverseDirJSON    `json:"left"`
	Right        []DuniverseDirJSON    `json:"right"`
	DetailedDiff []DuniverseChangeJSON `json:"detailed_diff"` // descending
}

// DuniverseDirJSON is a directory and its source URL.
type DuniverseDirJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DuniverseChangeJSON is a directory whose content changed. The reference
// gives only the name; the URLs and hashes are our addition.
type DuniverseChangeJSON struct {
	Name     string         `json:"name"`
	URLLeft  string         `json:"url_left"`
	URLRight string         `json:"url_right"`
	Hashes   []HashDiffJSON `json:"hashes"`
}

// HashDiffJSON is one hash kind that differs; null where a side lacks it.
type HashDiffJSON struct {
	Kind  string  `json:"kind"`
	Left  *string `json:"left"`
	Right *string `json:"right"`
}
