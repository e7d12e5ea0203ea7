package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// NewBuild is everything InsertBuild stores for one uploaded build.
type NewBuild struct {
	Job      string
	UUID     string
	Platform string
	// Script and Console are paths relative to the data directory:
	// "<job>/<uuid>/script.txt" and "<job>/<uuid>/console.txt".
	Script  string
	Console string

	Start, Finish time.Time
	// ResultCode is the packed execution result (reference §2.3);
	// ResultMsg is set only for aborted builds.
	ResultCode int64
	ResultMsg  *string

	UserID  int64
	InputID []byte // 32 bytes, or nil when the build has no input id

	Artifacts []NewArtifact
	// MainBinary indexes Artifacts, or is -1 when the build has none.
	MainBinary int
	// Tags are upserted into job_tag; keys not given keep their old value.
	Tags map[string]string
}

// NewArtifact is one stored file of a NewBuild.
type NewArtifact struct {
	Path   string
	SHA256 []byte
	Size   int64
}

// InsertBuild stores b in tx, in the reference's order (reference §4.3): the
// job (created if missing), the build without main binary, the main binary's
// artifact first and then the others in upload order, the main binary link,
// and the tags. A build whose UUID exists already fails with ErrDuplicate.
// It returns the new build's id. Moving files into place is the caller's
// job, inside the same transaction.
func (d *DB) InsertBuild(ctx context.Context, tx bun.Tx, b NewBuild) (int64, error) {
	uuid := NormalizeUUID(b.UUID)
	if b.MainBinary < -1 || b.MainBinary >= len(b.Artifacts) {
		return 0, fmt.Errorf("insert build %s: main binary index %d out of range", uuid, b.MainBinary)
	}
	jobID, err := ensureJob(ctx, tx, b.Job)
	if err != nil {
		return 0, fmt.Errorf("insert build %s: %w", uuid, err)
	}

	row := Build{
		UUID:       uuid,
		ResultCode: b.ResultCode,
		ResultMsg:  b.ResultMsg,
		Console:    b.Console,
		Script:     b.Script,
		Platform:   b.Platform,
		UserID:     b.UserID,
		JobID:      jobID,
		InputID:    b.InputID,
	}
	row.StartD, row.StartPS = PtimeFromTime(b.Start)
	row.FinishD, row.FinishPS = PtimeFromTime(b.Finish)
	if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return 0, fmt.Errorf("insert build %s: %w", uuid, ErrDuplicate)
		}
		return 0, fmt.Errorf("insert build %s: %w", uuid, err)
	}

	insert := func(a NewArtifact) (int64, error) {
		art := BuildArtifact{Filepath: a.Path, SHA256: a.SHA256, Size: a.Size, BuildID: row.ID}
		if _, err := tx.NewInsert().Model(&art).Exec(ctx); err != nil {
			return 0, fmt.Errorf("insert build %s: artifact %s: %w", uuid, a.Path, err)
		}
		return art.ID, nil
	}
	if b.MainBinary >= 0 {
		id, err := insert(b.Artifacts[b.MainBinary])
		if err != nil {
			return 0, err
		}
		if _, err := tx.NewUpdate().Model((*Build)(nil)).
			Set("main_binary = ?", id).Where("id = ?", row.ID).Exec(ctx); err != nil {
			return 0, fmt.Errorf("insert build %s: set main binary: %w", uuid, err)
		}
	}
	// The other artifacts go in one multi-row INSERT, in order: a build
	// has half a dozen, and a statement each was a tenth of the time of
	// `builder-db generate`.
	rest := make([]BuildArtifact, 0, len(b.Artifacts))
	for i, a := range b.Artifacts {
		if i != b.MainBinary {
			rest = append(rest, BuildArtifact{Filepath: a.Path, SHA256: a.SHA256, Size: a.Size, BuildID: row.ID})
		}
	}
	if len(rest) > 0 {
		if _, err := tx.NewInsert().Model(&rest).Exec(ctx); err != nil {
			return 0, fmt.Errorf("insert build %s: artifacts: %w", uuid, err)
		}
	}

	if err := upsertJobTags(ctx, tx, jobID, b.Tags); err != nil {
		return 0, fmt.Errorf("insert build %s: %w", uuid, err)
	}
	return row.ID, nil
}

// The helpers below look a row up before inserting it instead of using
// INSERT OR IGNORE / ON CONFLICT: with AUTOINCREMENT, SQLite spends an id on
// every ignored insert, which would leave gaps in job and tag ids on every
// upload. Inside the write transaction the look-up cannot race.

// ensureJob returns the id of the named job, creating it if needed.
func ensureJob(ctx context.Context, tx bun.Tx, name string) (int64, error) {
	j, err := jobBy(ctx, tx, sqlJobByName, name)
	if err == nil {
		return j.ID, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return 0, err
	}
	job := Job{Name: name}
	if _, err := tx.NewInsert().Model(&job).Exec(ctx); err != nil {
		return 0, fmt.Errorf("add job %s: %w", name, err)
	}
	return job.ID, nil
}

// ensureTag returns the id of the named tag, creating it if needed.
func ensureTag(ctx context.Context, tx bun.Tx, name string) (int64, error) {
	var id int64
	err := tx.NewRaw("SELECT id FROM tag WHERE tag = ?", name).Scan(ctx, &id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("find tag %s: %w", name, err)
	}
	tag := Tag{Tag: name}
	if _, err := tx.NewInsert().Model(&tag).Exec(ctx); err != nil {
		return 0, fmt.Errorf("add tag %s: %w", name, err)
	}
	return tag.ID, nil
}

// upsertJobTags sets the given job_tag values, adding missing tag names.
// Existing rows are updated in place (as the reference does), so job_tag ids
// stay stable.
func upsertJobTags(ctx context.Context, tx bun.Tx, jobID int64, tags map[string]string) error {
	for name, value := range tags {
		tagID, err := ensureTag(ctx, tx, name)
		if err != nil {
			return err
		}
		res, err := tx.NewRaw("UPDATE job_tag SET value = ? WHERE tag = ? AND job = ?", value, tagID, jobID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("set tag %s: %w", name, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("set tag %s: %w", name, err)
		} else if n > 0 {
			continue
		}
		jt := JobTag{TagID: tagID, Value: value, JobID: jobID}
		if _, err := tx.NewInsert().Model(&jt).Exec(ctx); err != nil {
			return fmt.Errorf("add tag %s: %w", name, err)
		}
	}
	return nil
}

const (
	sqlBuildExists    = "SELECT EXISTS (SELECT 1 FROM build WHERE uuid = ?)"
	sqlArtifactExists = "SELECT EXISTS (SELECT 1 FROM build_artifact WHERE sha256 = ?)"
)

// BuildExists reports whether a build with this UUID is stored.
func (d *DB) BuildExists(ctx context.Context, uuid string) (bool, error) {
	uuid = NormalizeUUID(uuid)
	ok, err := exists(ctx, d.Read, sqlBuildExists, uuid)
	if err != nil {
		return false, fmt.Errorf("build %s: %w", uuid, err)
	}
	return ok, nil
}

// ArtifactExists reports whether any artifact row has this sha256, i.e.
// whether _artifacts/ must keep (or already has) the file.
func (d *DB) ArtifactExists(ctx context.Context, sha256 []byte) (bool, error) {
	return ArtifactExistsIn(ctx, d.Read, sha256)
}

// ArtifactExistsIn is ArtifactExists inside a transaction, for the garbage
// collector, which decides about a file under the same write lock in which it
// deletes it.
func ArtifactExistsIn(ctx context.Context, q bun.IDB, sha256 []byte) (bool, error) {
	ok, err := exists(ctx, q, sqlArtifactExists, sha256)
	if err != nil {
		return false, fmt.Errorf("artifact %x: %w", sha256, err)
	}
	return ok, nil
}

// exists runs a SELECT EXISTS (...) query.
func exists(ctx context.Context, q bun.IDB, query string, args ...any) (bool, error) {
	var ok bool
	if err := q.NewRaw(query, args...).Scan(ctx, &ok); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return false, err
	}
	return ok, nil
}
