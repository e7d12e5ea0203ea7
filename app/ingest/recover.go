package ingest

import (
	"context"
	"fmt"

	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
)

// Recover cleans what interrupted uploads of this node left behind
// (product.md §6.2.5): every entry of _staging/<node>/ goes; where a commit
// was interrupted after its files were moved but before the database
// committed, the build directory and the artifacts no row references are
// removed too. It runs inside a write transaction so that no other
// writer's upload interleaves. The other nodes' staging directories are
// left alone: they hold the uploads those nodes are receiving now.
func (in *Ingester) Recover(ctx context.Context) (int, error) {
	leftovers, err := in.Store.Leftovers()
	if err != nil {
		return 0, err
	}
	if !in.DB.Location().Postgres() {
		// A SQLite data directory is used by one machine only, so what
		// older versions staged directly in _staging/ is an interrupted
		// upload of this machine, not another node's upload in progress.
		// On PostgreSQL a node of an older version might be receiving it.
		old, err := in.Store.OldLeftovers()
		if err != nil {
			return 0, err
		}
		leftovers = append(leftovers, old...)
	}
	if len(leftovers) == 0 {
		return 0, nil
	}
	if err := in.cleanLeftovers(ctx, leftovers); err != nil {
		return 0, err
	}
	if in.Log != nil {
		in.Log.Info("cleaned interrupted uploads", "count", len(leftovers), "node", in.Store.Node())
	}
	return len(leftovers), nil
}

// cleanLeftovers removes staging entries, undoing what a commit without
// its database row moved into place. An entry that cannot be cleaned (a
// job name that is no longer valid, a file where a directory should be) is
// logged and left: one odd entry must not keep the server from starting.
// Only a database error aborts.
func (in *Ingester) cleanLeftovers(ctx context.Context, leftovers []store.Leftover) error {
	err := in.DB.WriteTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		for _, l := range leftovers {
			if l.Job != "" {
				exists, err := tx.BuildExists(ctx, l.Name)
				if err != nil {
					return err
				}
				if !exists {
					if err := in.undo(ctx, l); err != nil {
						return err
					}
				}
			}
			if err := in.Store.RemoveLeftover(l); err != nil {
				in.logSkipped(l, fmt.Errorf("remove staging entry: %w", err))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("clean interrupted uploads: %w", err)
	}
	return nil
}

// undo takes back what the interrupted commit of l moved into place. It
// returns only database errors; file errors are logged.
func (in *Ingester) undo(ctx context.Context, l store.Leftover) error {
	if err := ValidateJobName(l.Job); err != nil {
		// Written by an older version or by hand: there is no build
		// directory of ours to remove, and joining the name to the data
		// directory could name the database itself.
		in.logSkipped(l, fmt.Errorf("build directory left alone: %w", err))
		l.Job = ""
	}
	var dbErr error
	err := in.Store.Undo(l, func(sha []byte) (bool, error) {
		ok, err := in.DB.ArtifactExists(ctx, sha)
		if err != nil {
			dbErr = err
		}
		return !ok, err
	})
	if dbErr != nil {
		return dbErr
	}
	if err != nil {
		in.logSkipped(l, err)
	}
	return nil
}

func (in *Ingester) logSkipped(l store.Leftover, err error) {
	if in.Log != nil {
		in.Log.Warn("cleaning interrupted upload: skipped", "entry", l.Name, "job", l.Job, "err", err)
	}
}
