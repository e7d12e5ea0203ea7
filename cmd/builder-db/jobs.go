package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/db"
)

// accessError gives the lookup failures the reference's wording.
func accessError(user, job string, err error) error {
	switch {
	case errors.Is(err, db.ErrUnknownUser):
		return fmt.Errorf("unknown user: %s", user)
	case errors.Is(err, db.ErrJobNotFound):
		return fmt.Errorf("job not found: %s", job)
	}
	return err
}

var accessAddCmd = accessCmd("access-add", "let a restricted account upload builds of a job",
	`Adds JOB to the access list of USER, so that the restricted account USER
may upload builds of JOB. The job must exist already. Granting twice is not
an error.`,
	(*db.DB).AccessAdd, "%s may upload builds of %s\n")

var accessRemoveCmd = accessCmd("access-remove", "revoke what access-add granted",
	`Removes JOB from the access list of USER. Removing what was not granted is
not an error.`,
	(*db.DB).AccessRemove, "%s may no longer upload builds of %s\n")

// accessCmd is a command USER JOB that changes an access list through
// change and then says so with done (a format of the user and the job).
func accessCmd(name, summary, help string, change func(*db.DB, context.Context, string, string) error, done string) *command {
	return &command{
		name: name, args: "USER JOB", minArgs: 2, maxArgs: 2, summary: summary, help: help,
		setup: noFlags(func(ctx context.Context, e *env, args []string) error {
			d, _, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			if err := change(d, ctx, args[0], args[1]); err != nil {
				return accessError(args[0], args[1], err)
			}
			fmt.Fprintf(e.stdout, done, args[0], args[1])
			return nil
		}),
	}
}

var jobRemoveCmd = &command{
	name: "job-remove", args: "JOB", minArgs: 1, maxArgs: 1,
	summary: "delete a job with all its builds and their files",
	help: `Deletes JOB, all its builds, their console and script files, the artifact
files that no other build shares, its access-list entries and its tags, in
one transaction. An unknown job is not an error.

Files that cannot be deleted are listed and make the exit status 1; the job
is gone from the database regardless.`,
	setup: noFlags(func(ctx context.Context, e *env, args []string) error {
		name := args[0]
		d, st, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer d.Close()
		res, err := ops.RemoveJob(ctx, d, st, name)
		if errors.Is(err, db.ErrJobNotFound) {
			fmt.Fprintf(e.stdout, "job %s does not exist; nothing removed\n", name)
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "removed job %s: %d builds, %d artifact files\n",
			name, res.Builds, res.DeletedArtifacts)
		for _, p := range res.Problems {
			fmt.Fprintf(e.stderr, "builder-db: warning: %v\n", p)
		}
		if len(res.Problems) > 0 {
			return fmt.Errorf("job %s removed, but %d files or directories could not be deleted", name, len(res.Problems))
		}
		return nil
	}),
}
