package db

import (
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

// Neighbours are the builds the build page compares with: the latest
// successful build of the same job and platform, and the nearest later and
// earlier successful ones whose main binary differs (reference §6.5).
type Neighbours struct {
	Latest, Next, Previous *BuildRef
}

// The build page's queries; plan_test.go checks each uses an index.
const (
	// The other successful builds of the same job and platform from the
	// same input, with output and uploader. Driven by idx_build_input_id;
	// an input id is shared by a handful of builds.
	sqlBuildsWithInput = `SELECT b.uuid, b.platform, b.input_id, a.sha256, u.username, b.start_d, b.start_ps
	FROM build b
	JOIN build_artifact a ON a.id = b.main_binary
	JOIN "user" u ON u.id = b."user"
	WHERE b.input_id = ? AND b.id <> ? AND +b.job = ? AND +b.platform = ?`

	// The builds of the same job and platform whose main binary has this
	// hash, from another known input. Driven by idx_build_artifact_sha256,
	// then idx_build_main_binary, so it reads only artifacts with this
	// exact content.
	sqlBuildsWithOutput = `SELECT b.uuid, b.platform, b.input_id, a.sha256, u.username, b.start_d, b.start_ps
	FROM build_artifact a
	JOIN build b ON b.main_binary = a.id
	JOIN "user" u ON u.id = b."user"
	WHERE a.sha256 = ? AND b.input_id IS NOT NULL AND b.input_id <> ? AND +b.job = ? AND +b.platform = ?`

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

// ReproRelatives returns what the reproducibility model (app/repro) needs
// to place a build: the other successful builds of its job and platform
// from the same input, and those from other inputs with the same main
// binary. None for a build without a main binary or input id.
func (d *DB) ReproRelatives(ctx context.Context, b *BuildInfo) ([]ReproBuild, error) {
	if b.Main == nil || len(b.InputID) == 0 {
		return nil, nil
	}
	var out []ReproBuild
	for _, q := range []struct {
		what  string
		query string
		key   []byte
	}{
		{"input", sqlBuildsWithInput, b.InputID},
		{"output", sqlBuildsWithOutput, b.Main.SHA256},
	} {
		args := []any{q.key, b.ID, b.JobID, b.Platform}
		if q.what == "output" {
			args = []any{q.key, b.InputID, b.JobID, b.Platform}
		}
		rows, err := d.read.QueryContext(ctx, d.sql(q.query), args...)
		if err != nil {
			return nil, fmt.Errorf("builds with the %s of %s: %w", q.what, b.UUID, err)
		}
		if out, err = scanReproBuilds(rows, out, false); err != nil {
			return nil, fmt.Errorf("builds with the %s of %s: %w", q.what, b.UUID, err)
		}
	}
	return out, nil
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
	err := d.read.QueryRowContext(ctx, d.sql(query), args...).Scan(&ref.UUID, &ref.JobName, &ref.Platform, &sd, &sp)
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
	if err := d.read.NewRaw(d.sql(sqlDebugArtifact), buildID, name, name, name).Scan(ctx, &a); err != nil {
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
