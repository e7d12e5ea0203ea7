package ingest

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/builder-web/builder-web/app/store"
)

// Recover cleans what interrupted uploads left behind (product.md §6.2.5):
// every entry of _staging/ goes; where a commit was interrupted after its
// files were moved but before the database committed, the build directory
// and the artifacts no row references are removed too. It runs inside a
// write transaction so that no other writer's upload interleaves.
func (in *Ingester) Recover(ctx context.Context) (int, error) {
	leftovers, err := in.Store.Leftovers()
	if err != nil || len(leftovers) == 0 {
		return 0, err
	}
	if err := in.cleanLeftovers(ctx, leftovers); err != nil {
		return 0, err
	}
	if in.Log != nil {
		in.Log.Info("cleaned interrupted uploads", "count", len(leftovers))
	}
	return len(leftovers), nil
}

// cleanLeftovers removes staging entries, undoing what a commit without
// its database row moved into place.
func (in *Ingester) cleanLeftovers(ctx context.Context, leftovers []store.Leftover) error {
	err := in.DB.WriteTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, l := range leftovers {
			if l.Job != "" {
				exists, err := in.DB.BuildExists(ctx, l.Name)
				if err != nil {
					return err
				}
				if !exists {
					if err := in.Store.Undo(l, func(sha []byte) (bool, error) {
						ok, err := in.DB.ArtifactExists(ctx, sha)
						return !ok, err
					}); err != nil {
						return err
					}
				}
			}
			if err := in.Store.RemoveLeftover(l); err != nil {
				return fmt.Errorf("remove staging %s: %w", l.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("clean interrupted uploads: %w", err)
	}
	return nil
}
