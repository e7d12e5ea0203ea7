package ingest

import (
	"fmt"

	"github.com/builder-web/builder-web/db"
)

// UUID, Job and Artifacts describe a prepared upload, so that a caller can
// check it against what it expected before Commit (builder-db pull compares
// a mirrored record with the source's JSON).
func (p *Pending) UUID() string { return p.up.uuid }

// Job is the job named in the record.
func (p *Pending) Job() string { return p.nb.Job }

// Order puts the artifacts in the order of paths, which must name each of
// them once: a mirrored build then lists its files in its source's order
// (the record of /exec holds them in reverse, as the reference's does).
func (p *Pending) Order(paths []string) error {
	if len(paths) != len(p.up.artifacts) {
		return fmt.Errorf("order of %s: %d paths for %d artifacts", p.up.uuid, len(paths), len(p.up.artifacts))
	}
	at := make(map[string]int, len(paths))
	for i, a := range p.up.artifacts {
		at[a.Path] = i
	}
	out := make([]db.NewArtifact, 0, len(paths))
	for _, path := range paths {
		i, ok := at[path]
		if !ok {
			return fmt.Errorf("order of %s: no artifact %q", p.up.uuid, path)
		}
		delete(at, path)
		out = append(out, p.up.artifacts[i])
	}
	p.up.artifacts, p.nb.Artifacts, p.nb.MainBinary = out, out, mainBinary(out)
	return nil
}

// Artifacts lists the stored output files with the hashes computed while
// staging them (README.md and *.build-hashes are not stored).
func (p *Pending) Artifacts() []Artifact {
	out := make([]Artifact, len(p.up.artifacts))
	for i, a := range p.up.artifacts {
		out[i] = Artifact{Path: a.Path, SHA256: a.SHA256, Size: a.Size}
	}
	return out
}
