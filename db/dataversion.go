package db

import (
	"context"
	"fmt"
)

// sqlDataVersion reads the counter that migration 0008's triggers bump on
// every change of the data pages show: one row by primary key.
const sqlDataVersion = "SELECT version FROM data_version WHERE id = 1"

// DataVersion returns the data version: it grows with every committed
// change of a build, job, tag, user or access list, whoever made it.
func (d *DB) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := d.read.QueryRowContext(ctx, d.sql(sqlDataVersion)).Scan(&v); err != nil {
		return 0, fmt.Errorf("read data version: %w", err)
	}
	return v, nil
}
