package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// copyTables are the tables CopyTo copies, parents first. build_artifact
// and build refer to each other (the main binary's key is deferred to the
// commit). Where the destination cannot switch the build table's triggers
// off (SQLite), builds are copied without their main binary, which is set
// once the artifacts are there, so that the triggers of repro_group and
// latest_build see each build complete, as after an upload; otherwise
// (PostgreSQL) the dialect fills both tables at the end. The tables those
// triggers keep, and data_version, are not copied.
var copyTables = []string{"user", "job", "tag", "build", "build_artifact", "access_list", "job_tag", "session"}

// copyBatchParams bounds the parameters of one multi-row INSERT: below
// SQLite's limit of 32,766 and PostgreSQL's of 65,535.
const copyBatchParams = 16000

// copyBatchRows is at most how many rows one INSERT of the copy carries:
// one statement per row cost a round trip each (1.2 million artifacts).
const copyBatchRows = 500

// CopyCounts is how many rows of each table CopyTo copied.
type CopyCounts map[string]int64

// CopyProgress is told, now and then, how far the copy of a table is.
type CopyProgress func(table string, done, total int64)

// CopyTo copies every row of d into dst, a migrated database (of either
// backend) holding no users, jobs or builds, in one write transaction of
// dst, keeping all ids. It then checks that both hold the same number of
// rows in each table.
func (d *DB) CopyTo(ctx context.Context, dst *DB, progress CopyProgress) (CopyCounts, error) {
	for _, t := range []string{"user", "job", "build"} {
		var n int64
		if err := dst.read.NewRaw(`SELECT count(*) FROM "`+t+`"`).Scan(ctx, &n); err != nil {
			return nil, fmt.Errorf("copy: count %s of the destination: %w", t, err)
		}
		if n > 0 {
			return nil, fmt.Errorf("copy: the destination %s is not empty: it holds %d rows of %s", dst.Location(), n, t)
		}
	}
	counts := CopyCounts{}
	err := dst.writeTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// The baseline's tag names are copied with their ids from d.
		if _, err := tx.ExecContext(ctx, "DELETE FROM tag"); err != nil {
			return fmt.Errorf("empty tag: %w", err)
		}
		mainAtOnce, err := dst.dialect.beginCopy(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range copyTables {
			n, err := d.copyTable(ctx, tx, dst.dialect, t, !mainAtOnce, progress)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
			counts[t] = n
		}
		if !mainAtOnce {
			if err := d.copyMainBinaries(ctx, tx, dst.dialect); err != nil {
				return err
			}
		}
		if err := dst.dialect.endCopy(ctx, tx); err != nil {
			return err
		}
		for _, t := range copyTables {
			if err := dst.dialect.afterCopy(ctx, tx, t); err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("copy to %s: %w", dst.Location(), err)
	}
	if err := dst.dialect.analyze(ctx, dst.w); err != nil {
		return nil, fmt.Errorf("copy to %s: %w", dst.Location(), err)
	}
	for _, t := range copyTables {
		var a, b int64
		q := `SELECT count(*) FROM "` + t + `"`
		if err := d.read.NewRaw(q).Scan(ctx, &a); err != nil {
			return nil, fmt.Errorf("verify %s: %w", t, err)
		}
		if err := dst.read.NewRaw(q).Scan(ctx, &b); err != nil {
			return nil, fmt.Errorf("verify %s: %w", t, err)
		}
		if a != b {
			return counts, fmt.Errorf("verify %s: %d rows in the source, %d in the destination", t, a, b)
		}
	}
	return counts, nil
}

// copyTable streams one table of d, by id, into tx with the same columns
// and ids, in multi-row INSERTs. With withoutMain, builds leave out their
// main binary (copyMainBinaries sets it).
func (d *DB) copyTable(ctx context.Context, tx bun.Tx, to dialect, table string, withoutMain bool, progress CopyProgress) (int64, error) {
	var total int64
	quoted := `"` + table + `"`
	if err := d.read.NewRaw("SELECT count(*) FROM "+quoted).Scan(ctx, &total); err != nil {
		return 0, err
	}
	order := "id"
	if table == "session" {
		order = "id_hash"
	}
	rows, err := d.read.QueryContext(ctx, "SELECT * FROM "+quoted+" ORDER BY "+order)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	names := make([]string, len(cols))
	marks := make([]string, len(cols))
	mainBinary := -1
	for i, c := range cols {
		names[i] = `"` + c + `"`
		marks[i] = "?"
		if withoutMain && table == "build" && c == "main_binary" {
			mainBinary = i
		}
	}
	tuple := "(" + strings.Join(marks, ", ") + ")"
	insert := func(rows int) string {
		return to.bind("INSERT INTO " + quoted + " (" + strings.Join(names, ", ") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(tuple+", ", rows), ", "))
	}
	per := max(1, min(copyBatchRows, copyBatchParams/len(cols)))
	st, err := tx.Tx.PrepareContext(ctx, insert(per))
	if err != nil {
		return 0, err
	}
	defer st.Close()
	batch := make([]any, 0, per*len(cols))
	var n, sent int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		var err error
		if len(batch) == per*len(cols) {
			_, err = st.ExecContext(ctx, batch...)
		} else {
			_, err = tx.Tx.ExecContext(ctx, insert(len(batch)/len(cols)), batch...)
		}
		if err != nil {
			return fmt.Errorf("rows %d to %d: %w", sent+1, n, err)
		}
		sent = n
		batch = batch[:0]
		if progress != nil {
			progress(table, n, total)
		}
		return nil
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		// Scan copies the driver's bytes into a *any, so the batch may
		// keep them past the next row.
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		if mainBinary >= 0 {
			vals[mainBinary] = nil
		}
		batch = append(batch, vals...)
		n++
		if len(batch) == per*len(cols) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	if progress != nil && n == 0 {
		progress(table, 0, 0)
	}
	return n, nil
}

// copyMainBinaries sets the main binary of every copied build.
func (d *DB) copyMainBinaries(ctx context.Context, tx bun.Tx, to dialect) error {
	rows, err := d.read.QueryContext(ctx, "SELECT id, main_binary FROM build WHERE main_binary IS NOT NULL ORDER BY id")
	if err != nil {
		return fmt.Errorf("copy main binaries: %w", err)
	}
	defer rows.Close()
	st, err := tx.Tx.PrepareContext(ctx, to.bind("UPDATE build SET main_binary = ? WHERE id = ?"))
	if err != nil {
		return fmt.Errorf("copy main binaries: %w", err)
	}
	defer st.Close()
	for rows.Next() {
		var id int64
		var main sql.NullInt64
		if err := rows.Scan(&id, &main); err != nil {
			return fmt.Errorf("copy main binaries: %w", err)
		}
		if _, err := st.ExecContext(ctx, main, id); err != nil {
			return fmt.Errorf("copy main binary of build %d: %w", id, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("copy main binaries: %w", err)
	}
	return nil
}
