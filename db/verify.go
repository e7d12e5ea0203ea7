package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// The walks of `builder-db verify-*` read whole tables, but in pages by
// primary key (or by index key), so each query is an index search and no
// read transaction stays open while files are hashed: a verify of a large
// data directory takes minutes and must not hold back WAL checkpoints or
// see one snapshot while uploads continue.
const (
	sqlVerifyArtifacts = `SELECT a.id, a.filepath, a.sha256, a.size, a.build, b.uuid, j.name
	FROM build_artifact a
	LEFT JOIN build b ON b.id = a.build
	LEFT JOIN job j ON j.id = b.job
	WHERE a.id > ?
	ORDER BY a.id
	LIMIT ?`

	sqlVerifyBuilds = `SELECT b.id, b.uuid, b.console, b.script, b.job, j.name, b.main_binary, m.build
	FROM build b
	LEFT JOIN job j ON j.id = b.job
	LEFT JOIN build_artifact m ON m.id = b.main_binary
	WHERE b.id > ?
	ORDER BY b.id
	LIMIT ?`

	// Distinct input ids after a given one (x'' sorts before every blob);
	// NULL is never greater, so builds without an input id are left out.
	sqlInputIDsAfter = `SELECT DISTINCT input_id FROM build
	WHERE input_id > ?
	ORDER BY input_id
	LIMIT ?`

	sqlInputIDBuilds = `SELECT b.uuid, j.name, a.sha256
	FROM build b
	JOIN job j ON j.id = b.job
	JOIN build_artifact a ON a.id = b.main_binary
	WHERE b.input_id = ?
	ORDER BY b.id`

	// Successful builds and their main binary's path, for the
	// visualization cache check. The reference's query for this put WHERE
	// before its LEFT JOINs and never ran (reference §15.25).
	sqlVizBuilds = `SELECT b.id, b.uuid, j.name, m.filepath
	FROM build b
	JOIN job j ON j.id = b.job
	JOIN build_artifact m ON m.id = b.main_binary
	WHERE b.id > ? AND b.main_binary IS NOT NULL
	ORDER BY b.id
	LIMIT ?`

	// The visualization inputs among the artifacts of some builds: the
	// opam switch and the candidates for the debug binary, which the caller
	// narrows with IsDebugArtifact.
	sqlVizArtifacts = `SELECT a.build, a.filepath, a.sha256
	FROM json_each(?) ids
	JOIN build_artifact a ON a.build = ids.value
	WHERE a.filepath = '` + OpamSwitch + `' OR substr(a.filepath, -6) = '.debug'
	ORDER BY a.id`
)

// VerifyArtifact is an artifact row with the build it belongs to. Job and
// UUID are empty when the build row (or its job) is missing.
type VerifyArtifact struct {
	ID       int64
	Filepath string
	SHA256   []byte
	Size     int64
	BuildID  int64
	UUID     string
	Job      string
}

// VerifyArtifacts returns up to limit artifact rows with an id above
// afterID, by id.
func (d *DB) VerifyArtifacts(ctx context.Context, afterID int64, limit int) ([]VerifyArtifact, error) {
	rows, err := d.read.QueryContext(ctx, d.sql(sqlVerifyArtifacts), afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("artifacts after %d: %w", afterID, err)
	}
	defer rows.Close()
	var out []VerifyArtifact
	for rows.Next() {
		var a VerifyArtifact
		var uuid, job sql.NullString
		if err := rows.Scan(&a.ID, &a.Filepath, &a.SHA256, &a.Size, &a.BuildID, &uuid, &job); err != nil {
			return nil, fmt.Errorf("artifacts after %d: %w", afterID, err)
		}
		a.UUID, a.Job = uuid.String, job.String
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("artifacts after %d: %w", afterID, err)
	}
	return out, nil
}

// VerifyBuild is a build row with what verify-data-dir checks about it.
type VerifyBuild struct {
	ID      int64
	UUID    string
	Console string
	Script  string
	JobID   int64
	Job     string // empty when the job row is missing
	// MainBinary is the build's main_binary (nil for a failed build);
	// MainBuild the build that artifact belongs to, nil when there is no
	// such artifact row.
	MainBinary *int64
	MainBuild  *int64
}

// VerifyBuilds returns up to limit builds with an id above afterID, by id.
func (d *DB) VerifyBuilds(ctx context.Context, afterID int64, limit int) ([]VerifyBuild, error) {
	rows, err := d.read.QueryContext(ctx, d.sql(sqlVerifyBuilds), afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("builds after %d: %w", afterID, err)
	}
	defer rows.Close()
	var out []VerifyBuild
	for rows.Next() {
		var b VerifyBuild
		var job sql.NullString
		if err := rows.Scan(&b.ID, &b.UUID, &b.Console, &b.Script, &b.JobID, &job, &b.MainBinary, &b.MainBuild); err != nil {
			return nil, fmt.Errorf("builds after %d: %w", afterID, err)
		}
		b.Job = job.String
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("builds after %d: %w", afterID, err)
	}
	return out, nil
}

// InputIDsAfter returns up to limit distinct input ids greater than after
// (nil or empty to start), in byte order.
func (d *DB) InputIDsAfter(ctx context.Context, after []byte, limit int) ([][]byte, error) {
	if after == nil {
		after = []byte{}
	}
	var ids [][]byte
	if err := d.read.NewRaw(d.sql(sqlInputIDsAfter), after, limit).Scan(ctx, &ids); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("input ids after %x: %w", after, err)
	}
	return ids, nil
}

// InputBuild is a successful build with a given input id.
type InputBuild struct {
	UUID   string
	Job    string
	SHA256 []byte // of its main binary
}

// InputIDBuilds returns the successful builds with this input id, in the
// order they were stored.
func (d *DB) InputIDBuilds(ctx context.Context, inputID []byte) ([]InputBuild, error) {
	rows, err := d.read.QueryContext(ctx, d.sql(sqlInputIDBuilds), inputID)
	if err != nil {
		return nil, fmt.Errorf("builds with input id %x: %w", inputID, err)
	}
	defer rows.Close()
	var out []InputBuild
	for rows.Next() {
		var b InputBuild
		if err := rows.Scan(&b.UUID, &b.Job, &b.SHA256); err != nil {
			return nil, fmt.Errorf("builds with input id %x: %w", inputID, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("builds with input id %x: %w", inputID, err)
	}
	return out, nil
}

// VizBuild is a successful build with the inputs of its visualizations
// (reference §10): the opam switch's hash, and the debug binary's hash
// when it has one. Either is nil when missing.
type VizBuild struct {
	ID         int64
	UUID       string
	Job        string
	MainPath   string
	OpamSwitch []byte
	Debug      []byte
}

// VizBuilds returns up to limit successful builds with an id above afterID,
// by id, with their visualization inputs.
func (d *DB) VizBuilds(ctx context.Context, afterID int64, limit int) ([]VizBuild, error) {
	rows, err := d.read.QueryContext(ctx, d.sql(sqlVizBuilds), afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("successful builds after %d: %w", afterID, err)
	}
	var out []VizBuild
	index := map[int64]int{}
	for rows.Next() {
		var b VizBuild
		if err := rows.Scan(&b.ID, &b.UUID, &b.Job, &b.MainPath); err != nil {
			rows.Close()
			return nil, fmt.Errorf("successful builds after %d: %w", afterID, err)
		}
		index[b.ID] = len(out)
		out = append(out, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("successful builds after %d: %w", afterID, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(out))
	for i, b := range out {
		ids[i] = b.ID
	}
	arr, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err = d.read.QueryContext(ctx, d.sql(sqlVizArtifacts), string(arr))
	if err != nil {
		return nil, fmt.Errorf("visualization inputs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			build int64
			fp    string
			sha   []byte
		)
		if err := rows.Scan(&build, &fp, &sha); err != nil {
			return nil, fmt.Errorf("visualization inputs: %w", err)
		}
		b := &out[index[build]]
		switch {
		case fp == OpamSwitch:
			b.OpamSwitch = sha
		case b.Debug == nil && IsDebugArtifact(fp, b.MainPath):
			b.Debug = sha // the first, as DebugArtifact picks it
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("visualization inputs: %w", err)
	}
	return out, nil
}
