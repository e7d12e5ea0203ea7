package db

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"
	"time"
)

// BuildRef names another build on the build page: enough to link to it and
// to say when and where it ran.
type BuildRef struct {
	UUID     string
	JobName  string
	Platform string
	Start    time.Time
}

// Reproducibility holds the lists of reference §6.5 with the exact relations
// of product.md §2.15. All lists are newest first and never contain the build
// itself; all are empty for a build without a main binary or input id.
type Reproducibility struct {
	// SameInputSameOutput: every other build with this input id whose main
	// binary has the same SHA-256.
	SameInputSameOutput []BuildRef
	// DifferentInputSameOutput: per other (known) input id, the newest
	// build with that input id whose main binary has the same SHA-256.
	DifferentInputSameOutput []BuildRef
	// SameInputDifferentOutput: per other main-binary SHA-256, the newest
	// build with this input id whose main binary has that hash.
	SameInputDifferentOutput []BuildRef
}

// Neighbours are the builds the build page compares with: the latest
// successful build of the same job and platform, and the nearest later and
// earlier successful ones whose main binary differs (reference §6.5).
type Neighbours struct {
	Latest, Next, Previous *BuildRef
}

// The build page's queries; plan_test.go checks each uses an index.
const (
	// Successful builds from the same input, with their output. Driven by
	// idx_build_input_id; an input id is shared by a handful of builds.
	sqlBuildsWithInput = `SELECT b.uuid, j.name, b.platform, b.start_d, b.start_ps, a.sha256
	FROM build b
	JOIN build_artifact a ON a.id = b.main_binary
	JOIN job j ON j.id = b.job
	WHERE b.input_id = ? AND b.id <> ?
	ORDER BY b.start_d DESC, b.start_ps DESC`

	// Builds whose main binary has this hash, from another known input.
	// Driven by idx_build_artifact_sha256, then idx_build_main_binary, so it
	// reads only artifacts with this exact content.
	sqlBuildsWithOutput = `SELECT b.uuid, j.name, b.platform, b.start_d, b.start_ps, b.input_id
	FROM build_artifact a
	JOIN build b ON b.main_binary = a.id
	JOIN job j ON j.id = b.job
	WHERE a.sha256 = ? AND b.input_id IS NOT NULL AND b.input_id <> ?
	ORDER BY b.start_d DESC, b.start_ps DESC`

	// idx_build_job_platform (migration 0004) orders a job's builds per
	// platform by start and carries main_binary, so these skip failed
	// builds without reading their rows.
	sqlLatestSuccessful = `SELECT b.uuid, j.name, b.platform, b.start_d, b.start_ps
	FROM build b
	JOIN job j ON j.id = b.job
	WHERE b.job = ? AND b.platform = ? AND b.main_binary IS NOT NULL
	ORDER BY b.start_d DESC, b.start_ps DESC
	LIMIT 1`

	sqlNextDifferentOutput = `SELECT b.uuid, j.name, b.platform, b.start_d, b.start_ps
	FROM build b
	JOIN build_artifact a ON a.id = b.main_binary
	JOIN job j ON j.id = b.job
	WHERE b.job = ? AND b.platform = ? AND b.main_binary IS NOT NULL
		AND (b.start_d, b.start_ps) > (?, ?) AND a.sha256 <> ?
	ORDER BY b.start_d ASC, b.start_ps ASC
	LIMIT 1`

	sqlPreviousDifferentOutput = `SELECT b.uuid, j.name, b.platform, b.start_d, b.start_ps
	FROM build b
	JOIN build_artifact a ON a.id = b.main_binary
	JOIN job j ON j.id = b.job
	WHERE b.job = ? AND b.platform = ? AND b.main_binary IS NOT NULL
		AND (b.start_d, b.start_ps) < (?, ?) AND a.sha256 <> ?
	ORDER BY b.start_d DESC, b.start_ps DESC
	LIMIT 1`

	// The debug binary of reference §10: the artifact whose basename is the
	// main binary's basename plus ".debug" (the DREAM rule). substr instead
	// of LIKE, because LIKE ignores ASCII case and treats _ and % specially.
	sqlDebugArtifact = `SELECT id, filepath, sha256, size, build FROM build_artifact
	WHERE build = ? AND (filepath = ? OR substr(filepath, -length(?) - 1) = '/' || ?)
	ORDER BY id
	LIMIT 1`
)

// Reproducibility gathers the reproducibility lists of a build.
func (d *DB) Reproducibility(ctx context.Context, b *BuildInfo) (*Reproducibility, error) {
	r := &Reproducibility{}
	if b.Main == nil || len(b.InputID) == 0 {
		return r, nil
	}
	out := b.Main.SHA256

	rows, err := d.Read.QueryContext(ctx, sqlBuildsWithInput, b.InputID, b.ID)
	if err != nil {
		return nil, fmt.Errorf("builds with the input of %s: %w", b.UUID, err)
	}
	seenOutput := map[string]bool{}
	err = scanRefs(rows, func(ref BuildRef, sha []byte) {
		if bytes.Equal(sha, out) {
			r.SameInputSameOutput = append(r.SameInputSameOutput, ref)
			return
		}
		if !seenOutput[string(sha)] { // rows are newest first
			seenOutput[string(sha)] = true
			r.SameInputDifferentOutput = append(r.SameInputDifferentOutput, ref)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("builds with the input of %s: %w", b.UUID, err)
	}

	rows, err = d.Read.QueryContext(ctx, sqlBuildsWithOutput, out, b.InputID)
	if err != nil {
		return nil, fmt.Errorf("builds with the output of %s: %w", b.UUID, err)
	}
	seenInput := map[string]bool{}
	err = scanRefs(rows, func(ref BuildRef, input []byte) {
		if !seenInput[string(input)] {
			seenInput[string(input)] = true
			r.DifferentInputSameOutput = append(r.DifferentInputSameOutput, ref)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("builds with the output of %s: %w", b.UUID, err)
	}
	return r, nil
}

// scanRefs reads rows of (uuid, job, platform, start_d, start_ps, blob) and
// closes them.
func scanRefs(rows *sql.Rows, each func(BuildRef, []byte)) error {
	defer rows.Close()
	for rows.Next() {
		var (
			ref    BuildRef
			sd, sp int64
			blob   []byte
		)
		if err := rows.Scan(&ref.UUID, &ref.JobName, &ref.Platform, &sd, &sp, &blob); err != nil {
			return err
		}
		ref.Start = TimeFromPtime(sd, sp)
		each(ref, blob)
	}
	return rows.Err()
}

// Neighbours finds the builds the build page offers to compare with. A
// build that is itself the latest gets no Latest. A failed build has no
// output, so every successful build differs from it.
func (d *DB) Neighbours(ctx context.Context, b *BuildInfo) (*Neighbours, error) {
	var n Neighbours
	var err error
	if n.Latest, err = d.buildRef(ctx, sqlLatestSuccessful, b.JobID, b.Platform); err != nil {
		return nil, fmt.Errorf("latest build of job %d on %s: %w", b.JobID, b.Platform, err)
	}
	if n.Latest != nil && n.Latest.UUID == b.UUID {
		n.Latest = nil
	}
	out := []byte{} // never equal to a 32-byte hash; NULL would match nothing
	if b.Main != nil {
		out = b.Main.SHA256
	}
	if n.Next, err = d.buildRef(ctx, sqlNextDifferentOutput, b.JobID, b.Platform, b.StartD, b.StartPS, out); err != nil {
		return nil, fmt.Errorf("next build after %s: %w", b.UUID, err)
	}
	if n.Previous, err = d.buildRef(ctx, sqlPreviousDifferentOutput, b.JobID, b.Platform, b.StartD, b.StartPS, out); err != nil {
		return nil, fmt.Errorf("previous build before %s: %w", b.UUID, err)
	}
	return &n, nil
}

// buildRef runs a query for at most one (uuid, job, platform, start) row;
// no row is nil, not an error.
func (d *DB) buildRef(ctx context.Context, query string, args ...any) (*BuildRef, error) {
	var (
		ref    BuildRef
		sd, sp int64
	)
	err := d.Read.QueryRowContext(ctx, query, args...).Scan(&ref.UUID, &ref.JobName, &ref.Platform, &sd, &sp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ref.Start = TimeFromPtime(sd, sp)
	return &ref, nil
}

// DebugArtifact returns the debug binary of a build whose main binary is
// stored at mainPath (reference §10, §15.23), or ErrNotFound.
func (d *DB) DebugArtifact(ctx context.Context, buildID int64, mainPath string) (*BuildArtifact, error) {
	name := path.Base(mainPath) + ".debug"
	var a BuildArtifact
	if err := d.Read.NewRaw(sqlDebugArtifact, buildID, name, name, name).Scan(ctx, &a); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("debug binary %s of build %d: %w", name, buildID, ErrNotFound)
		}
		return nil, fmt.Errorf("debug binary %s of build %d: %w", name, buildID, err)
	}
	return &a, nil
}

// IsDebugArtifact reports whether filepath is the debug binary of a main
// binary stored at mainPath, by the rule DebugArtifact uses.
func IsDebugArtifact(filepath, mainPath string) bool {
	return path.Base(filepath) == path.Base(mainPath)+".debug"
}
