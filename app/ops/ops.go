// Package ops holds the operator actions of builder-db and builder-migrations
// (and, later, of the admin pages): migrating a data directory, removing
// jobs with their files, including records from disk, and account changes
// that take more than one database call.
package ops
