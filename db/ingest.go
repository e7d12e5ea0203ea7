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
func (d *DB) InsertBuild(ctx context.Context, tx *Tx, b NewBuild) (int64, error) {
	w := NewBuildWriter(tx)
	defer w.Close()
	return w.Insert(ctx, b)
}

// BuildWriter is InsertBuild for several builds in one transaction (a
// batch of builder-db generate): each statement is prepared once for all
// of them instead of once per build, which was half the time of a
// batch's commit. It writes exactly the rows InsertBuild writes, with the
// same statements, so the same triggers fire. Close it before the
// transaction ends.
type BuildWriter struct {
	tx bun.Tx
	// dialect binds the statements' parameters, which go to the driver
	// as they are, without bun.
	dialect dialect
	stmts   map[string]*sql.Stmt
	// Ids looked up or created in this transaction, which no one else
	// can change while it runs.
	jobs    map[string]int64
	tags    map[string]int64
	jobTags map[jobTagKey]string // values written or read
}

type jobTagKey struct{ job, tag int64 }

// NewBuildWriter returns a BuildWriter for tx.
func NewBuildWriter(wtx *Tx) *BuildWriter {
	tx := wtx.tx
	return &BuildWriter{tx: tx, dialect: wtx.dialect, stmts: map[string]*sql.Stmt{}, jobs: map[string]int64{}, tags: map[string]int64{},
		jobTags: map[jobTagKey]string{}}
}

// Close releases the prepared statements.
func (w *BuildWriter) Close() error {
	var errs []error
	for _, st := range w.stmts {
		errs = append(errs, st.Close())
	}
	clear(w.stmts)
	return errors.Join(errs...)
}

func (w *BuildWriter) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.tx.Tx.PrepareContext(ctx, w.dialect.bind(query))
	if err != nil {
		return nil, err
	}
	w.stmts[query] = st
	return st, nil
}

func (w *BuildWriter) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// insert runs an INSERT and returns the new row's id. RETURNING works on
// both backends (SQLite since 3.35); PostgreSQL's driver has no
// LastInsertId.
func (w *BuildWriter) insert(ctx context.Context, query string, args ...any) (int64, error) {
	st, err := w.stmt(ctx, query+" RETURNING id")
	if err != nil {
		return 0, err
	}
	var id int64
	if err := st.QueryRowContext(ctx, args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// insertIfAbsent runs an INSERT that does nothing when a unique key is
// taken, and returns the new row's id, or inserted false. Only
// PostgreSQL, where another node may insert the same job or tag name
// between our look-up and our insert, ever takes that way: a plain INSERT
// would abort the whole transaction (and the upload) there. SQLite's one
// writer never races.
func (w *BuildWriter) insertIfAbsent(ctx context.Context, query string, args ...any) (id int64, inserted bool, err error) {
	st, err := w.stmt(ctx, query+" ON CONFLICT DO NOTHING RETURNING id")
	if err != nil {
		return 0, false, err
	}
	err = st.QueryRowContext(ctx, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// lookup runs a query for one id; found is false when there is no row.
func (w *BuildWriter) lookup(ctx context.Context, query string, arg any) (id int64, found bool, err error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return 0, false, err
	}
	err = st.QueryRowContext(ctx, arg).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

const (
	sqlInsertBuild = "INSERT INTO build (uuid, start_d, start_ps, finish_d, finish_ps, result_code, result_msg, " +
		`console, script, platform, main_binary, input_id, "user", job) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`
	sqlInsertArtifact = "INSERT INTO build_artifact (filepath, sha256, size, build) VALUES (?, ?, ?, ?)"
	sqlSetMainBinary  = "UPDATE build SET main_binary = ? WHERE id = ?"
	sqlJobIDByName    = "SELECT id FROM job WHERE name = ?"
	sqlInsertJob      = "INSERT INTO job (name) VALUES (?)"
	sqlTagByName      = "SELECT id FROM tag WHERE tag = ?"
	sqlInsertTag      = "INSERT INTO tag (tag) VALUES (?)"
	sqlJobTagValue    = "SELECT value FROM job_tag WHERE tag = ? AND job = ?"
	sqlUpdateJobTag   = "UPDATE job_tag SET value = ? WHERE tag = ? AND job = ?"
	sqlInsertJobTag   = "INSERT INTO job_tag (tag, value, job) VALUES (?, ?, ?)"
)

// Insert stores b as InsertBuild does and returns the new build's id.
func (w *BuildWriter) Insert(ctx context.Context, b NewBuild) (int64, error) {
	uuid := NormalizeUUID(b.UUID)
	// A cancelled context stops before the build, not inside it: the
	// driver runs every statement with a cancellable context in a
	// goroutine of its own, which was a tenth of the single writer's time
	// in a bulk load, to interrupt statements that take microseconds.
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("insert build %s: %w", uuid, err)
	}
	ctx = context.WithoutCancel(ctx)
	if b.MainBinary < -1 || b.MainBinary >= len(b.Artifacts) {
		return 0, fmt.Errorf("insert build %s: main binary index %d out of range", uuid, b.MainBinary)
	}
	jobID, err := w.ensureJob(ctx, b.Job)
	if err != nil {
		return 0, fmt.Errorf("insert build %s: %w", uuid, err)
	}
	startD, startPS := PtimeFromTime(b.Start)
	finishD, finishPS := PtimeFromTime(b.Finish)
	var inputID any // a nil []byte would be stored as an empty blob by some drivers
	if b.InputID != nil {
		inputID = b.InputID
	}
	id, err := w.insert(ctx, sqlInsertBuild, uuid, startD, startPS, finishD, finishPS, b.ResultCode, b.ResultMsg,
		b.Console, b.Script, b.Platform, inputID, b.UserID, jobID)
	if err != nil {
		if isUniqueViolation(err) {
			return 0, fmt.Errorf("insert build %s: %w", uuid, ErrDuplicate)
		}
		return 0, fmt.Errorf("insert build %s: %w", uuid, err)
	}
	addArtifact := func(a NewArtifact) (int64, error) {
		aid, err := w.insert(ctx, sqlInsertArtifact, a.Path, a.SHA256, a.Size, id)
		if err != nil {
			return 0, fmt.Errorf("insert build %s: artifact %s: %w", uuid, a.Path, err)
		}
		return aid, nil
	}
	if b.MainBinary >= 0 {
		aid, err := addArtifact(b.Artifacts[b.MainBinary])
		if err != nil {
			return 0, err
		}
		if _, err := w.exec(ctx, sqlSetMainBinary, aid, id); err != nil {
			return 0, fmt.Errorf("insert build %s: set main binary: %w", uuid, err)
		}
	}
	for i, a := range b.Artifacts {
		if i != b.MainBinary {
			if _, err := addArtifact(a); err != nil {
				return 0, err
			}
		}
	}
	if err := w.upsertJobTags(ctx, jobID, b.Tags); err != nil {
		return 0, fmt.Errorf("insert build %s: %w", uuid, err)
	}
	return id, nil
}

// The helpers below look a row up before inserting it instead of using
// INSERT OR IGNORE / ON CONFLICT: with AUTOINCREMENT, SQLite spends an id on
// every ignored insert, which would leave gaps in job and tag ids on every
// upload. Inside the write transaction the look-up cannot race.

// ensureJob returns the id of the named job, creating it if needed.
func (w *BuildWriter) ensureJob(ctx context.Context, name string) (int64, error) {
	return w.ensureNamed(ctx, w.jobs, sqlJobIDByName, sqlInsertJob, "job", name, ErrJobNotFound)
}

// ensureTag returns the id of the named tag, creating it if needed.
func (w *BuildWriter) ensureTag(ctx context.Context, name string) (int64, error) {
	return w.ensureNamed(ctx, w.tags, sqlTagByName, sqlInsertTag, "tag", name, ErrNotFound)
}

// ensureNamed returns the id of the row called name (a job or a tag),
// inserting it when lookup finds none; ids are remembered in seen for the
// rest of the transaction. missing is the error when another node's
// concurrent insert took the name but its row cannot be found.
func (w *BuildWriter) ensureNamed(ctx context.Context, seen map[string]int64, lookup, insert, kind, name string, missing error) (int64, error) {
	if id, ok := seen[name]; ok {
		return id, nil
	}
	id, found, err := w.lookup(ctx, lookup, name)
	if err != nil {
		return 0, fmt.Errorf("find %s %s: %w", kind, name, err)
	}
	if !found {
		if id, found, err = w.insertIfAbsent(ctx, insert, name); err != nil {
			return 0, fmt.Errorf("add %s %s: %w", kind, name, err)
		}
	}
	if !found { // another node added it since the look-up
		if id, found, err = w.lookup(ctx, lookup, name); err != nil || !found {
			return 0, fmt.Errorf("find %s %s after a concurrent insert: %w", kind, name, errors.Join(err, missing))
		}
	}
	seen[name] = id
	return id, nil
}

// upsertJobTags sets the given job_tag values, adding missing tag names.
// Existing rows are updated in place (as the reference does), so job_tag ids
// stay stable.
func (w *BuildWriter) upsertJobTags(ctx context.Context, jobID int64, tags map[string]string) error {
	for name, value := range tags {
		tagID, err := w.ensureTag(ctx, name)
		if err != nil {
			return err
		}
		// Most uploads repeat the job's tags: an UPDATE that changes
		// nothing still writes the row and bumps the data version, so an
		// unchanged value (known from this transaction, or read) is left
		// alone.
		key := jobTagKey{jobID, tagID}
		old, known := w.jobTags[key]
		if !known {
			var v sql.NullString
			st, err := w.stmt(ctx, sqlJobTagValue)
			if err == nil {
				err = st.QueryRowContext(ctx, tagID, jobID).Scan(&v)
			}
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("read tag %s: %w", name, err)
			}
			old, known = v.String, v.Valid
		}
		w.jobTags[key] = value
		if known && old == value {
			continue
		}
		res, err := w.exec(ctx, sqlUpdateJobTag, value, tagID, jobID)
		if err != nil {
			return fmt.Errorf("set tag %s: %w", name, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("set tag %s: %w", name, err)
		} else if n > 0 {
			continue
		}
		_, inserted, err := w.insertIfAbsent(ctx, sqlInsertJobTag, tagID, value, jobID)
		if err != nil {
			return fmt.Errorf("add tag %s: %w", name, err)
		}
		if !inserted { // another node added the row since: ours is newer
			if _, err := w.exec(ctx, sqlUpdateJobTag, value, tagID, jobID); err != nil {
				return fmt.Errorf("set tag %s: %w", name, err)
			}
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
	return buildExists(ctx, d.read, d.dialect, uuid)
}

// BuildExists is DB.BuildExists inside the write transaction.
func (t *Tx) BuildExists(ctx context.Context, uuid string) (bool, error) {
	return buildExists(ctx, t.tx, t.dialect, uuid)
}

func buildExists(ctx context.Context, q bun.IDB, dl dialect, uuid string) (bool, error) {
	uuid = NormalizeUUID(uuid)
	ok, err := exists(ctx, q, dl, sqlBuildExists, uuid)
	if err != nil {
		return false, fmt.Errorf("build %s: %w", uuid, err)
	}
	return ok, nil
}

// ExistingBuilds returns which of the given UUIDs are stored, normalized,
// in one read per few hundred UUIDs: builder-db generate checks its
// records in bulk instead of one read transaction per record, each of
// which made a reader drop its page cache after the writer's last commit.
func (d *DB) ExistingBuilds(ctx context.Context, uuids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for len(uuids) > 0 {
		chunk := uuids[:min(len(uuids), 500)]
		uuids = uuids[len(chunk):]
		norm := make([]string, len(chunk))
		for i, u := range chunk {
			norm[i] = NormalizeUUID(u)
		}
		var found []string
		if err := d.read.NewSelect().Table("build").Column("uuid").Where("uuid IN (?)", bun.In(norm)).
			Scan(ctx, &found); err != nil {
			return nil, fmt.Errorf("find stored builds: %w", err)
		}
		for _, u := range found {
			out[u] = true
		}
	}
	return out, nil
}

// ArtifactExists reports whether any artifact row has this sha256, i.e.
// whether _artifacts/ must keep (or already has) the file.
func (d *DB) ArtifactExists(ctx context.Context, sha256 []byte) (bool, error) {
	return artifactExistsIn(ctx, d.read, d.dialect, sha256)
}

// ArtifactExistsIn is ArtifactExists inside a transaction, for the garbage
// collector, which decides about a file under the same write lock in which it
// deletes it.
func artifactExistsIn(ctx context.Context, q bun.IDB, dl dialect, sha256 []byte) (bool, error) {
	ok, err := exists(ctx, q, dl, sqlArtifactExists, sha256)
	if err != nil {
		return false, fmt.Errorf("artifact %x: %w", sha256, err)
	}
	return ok, nil
}

// exists runs a SELECT EXISTS (...) query.
func exists(ctx context.Context, q bun.IDB, dl dialect, query string, args ...any) (bool, error) {
	var ok bool
	if err := q.NewRaw(dl.sql(query), args...).Scan(ctx, &ok); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return false, err
	}
	return ok, nil
}
