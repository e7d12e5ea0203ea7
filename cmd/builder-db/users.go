package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"

	"github.com/builder-web/builder-web/app/accounts"
	"github.com/builder-web/builder-web/app/ops"
	"github.com/builder-web/builder-web/db"
)

// userError gives the lookup failures the reference's wording.
func userError(name string, err error) error {
	switch {
	case errors.Is(err, db.ErrUnknownUser):
		return fmt.Errorf("unknown user: %s", name)
	case errors.Is(err, db.ErrDuplicate):
		return fmt.Errorf("user %s already exists", name)
	case errors.Is(err, ops.ErrUserHasBuilds):
		return fmt.Errorf("user %s uploaded builds and cannot be removed; use `builder-db user-disable %s`", name, name)
	}
	return err
}

func describeFlags(restricted, admin bool) string {
	s := "unrestricted"
	if restricted {
		s = "restricted"
	}
	if admin {
		s += ", admin"
	}
	return s
}

var userAddCmd = &command{
	name: "user-add", args: "NAME", minArgs: 1, maxArgs: 1,
	summary: "create an upload account; the password is read from stdin",
	help: `Creates the account NAME. The password is read from stdin: on a terminal
after a "Password: " prompt, without echo and twice; otherwise the first line.
A password has 8 to 1024 characters; it is stored as an argon2id hash.

A new account is restricted (it may upload only to jobs granted with
access-add) unless --unrestricted is given.

Flags:
      --unrestricted   may upload to any job, including new ones
      --admin          may use the administration pages`,
	setup: func(fs *flag.FlagSet) runFunc {
		unrestricted := fs.Bool("unrestricted", false, "")
		admin := fs.Bool("admin", false, "")
		return func(ctx context.Context, e *env, args []string) error {
			name := args[0]
			if err := accounts.CheckName(name); err != nil {
				return err
			}
			d, _, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			if _, err := d.UserByName(ctx, name); err == nil {
				return userError(name, db.ErrDuplicate) // before asking for a password
			}
			pw, err := e.readPassword()
			if err != nil {
				return err
			}
			if _, err := accounts.Create(ctx, d, name, pw, !*unrestricted, *admin); err != nil {
				return userError(name, err)
			}
			fmt.Fprintf(e.stdout, "added user %s (%s)\n", name, describeFlags(!*unrestricted, *admin))
			return nil
		}
	},
}

// optBool is a setting that a pair of flags (--x, --no-x) sets either way
// or leaves alone; the last flag given wins.
type optBool struct{ v *bool }

// to returns the flag function that sets v (or, given "=false", !v).
func (o *optBool) to(v bool) func(string) error {
	return func(s string) error {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		r := v == b
		o.v = &r
		return nil
	}
}

var userUpdateCmd = &command{
	name: "user-update", args: "NAME", minArgs: 1, maxArgs: 1,
	summary: "set a new password (from stdin) and change flags",
	help: `Sets a new password for NAME, read from stdin as for user-add, and stores
it as an argon2id hash. A disabled account is enabled again by this.

The flags change only what they name; without them restricted and admin stay
as they are (unlike the reference, which made the user restricted unless
--unrestricted was repeated).

Flags:
      --unrestricted   may upload to any job
      --restricted     may upload only to jobs on the access list
      --admin          may use the administration pages
      --no-admin       may not use the administration pages`,
	setup: func(fs *flag.FlagSet) runFunc {
		var restricted, admin optBool
		fs.BoolFunc("unrestricted", "", restricted.to(false))
		fs.BoolFunc("restricted", "", restricted.to(true))
		fs.BoolFunc("admin", "", admin.to(true))
		fs.BoolFunc("no-admin", "", admin.to(false))
		return func(ctx context.Context, e *env, args []string) error {
			name := args[0]
			d, _, err := e.open(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			if _, err := d.UserByName(ctx, name); err != nil {
				return userError(name, err) // before asking for a password
			}
			pw, err := e.readPassword()
			if err != nil {
				return err
			}
			c := accounts.Change{Password: &pw, Restricted: restricted.v, Admin: admin.v}
			u, err := accounts.Update(ctx, d, name, c)
			if err != nil {
				return userError(name, err)
			}
			fmt.Fprintf(e.stdout, "updated user %s (%s)\n", name, describeFlags(u.Restricted, u.Admin))
			return nil
		}
	},
}

var userRemoveCmd = &command{
	name: "user-remove", args: "NAME", minArgs: 1, maxArgs: 1,
	summary: "delete an account that never uploaded a build",
	help: `Deletes the account NAME and its access list. An account that uploaded
builds cannot be deleted, because the builds name it: use user-disable.`,
	setup: noFlags(func(ctx context.Context, e *env, args []string) error {
		name := args[0]
		d, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer d.Close()
		if err := ops.RemoveUser(ctx, d, name); err != nil {
			return userError(name, err)
		}
		fmt.Fprintf(e.stdout, "removed user %s\n", name)
		return nil
	}),
}

var userDisableCmd = &command{
	name: "user-disable", args: "NAME", minArgs: 1, maxArgs: 1,
	summary: "make an account unable to upload or log in",
	help: `Disables the account NAME: its password is removed (no password matches),
it becomes restricted and its access list is cleared. Its builds stay. Set a
new password with user-update to enable it again.`,
	setup: noFlags(func(ctx context.Context, e *env, args []string) error {
		name := args[0]
		d, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer d.Close()
		if err := d.DisableUser(ctx, name); err != nil {
			return userError(name, err)
		}
		fmt.Fprintf(e.stdout, "disabled user %s\n", name)
		return nil
	}),
}

var userListCmd = &command{
	name: "user-list", maxArgs: 0,
	summary: "print the account names, one per line",
	help:    `Prints the names of all accounts, one per line, oldest first.`,
	setup: noFlags(func(ctx context.Context, e *env, args []string) error {
		d, _, err := e.open(ctx)
		if err != nil {
			return err
		}
		defer d.Close()
		users, err := d.ListUsers(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			fmt.Fprintln(e.stdout, u.Username)
		}
		return nil
	}),
}
