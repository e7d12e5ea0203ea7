package db

import (
	"time"

	"github.com/uptrace/bun"
)

// The models mirror the reference's schema 18 column for column (reference
// §2.1) plus our nullable additions. Foreign keys are plain ids: the
// reference names those columns after the table they point to ("job", "user",
// "build"), which the Go field names spell out with an ID suffix.

// Job is a named thing that is built repeatedly.
type Job struct {
	bun.BaseModel `bun:"table:job"`

	ID   int64  `bun:"id,pk,autoincrement"`
	Name string `bun:"name,notnull"`
}

// Build is one execution of a job's script on one platform.
type Build struct {
	bun.BaseModel `bun:"table:build"`

	ID   int64  `bun:"id,pk,autoincrement"`
	UUID string `bun:"uuid,notnull"` // lowercase, hyphenated

	// Start and finish as days since the epoch and picoseconds of the day;
	// see PtimeFromTime.
	StartD   int64 `bun:"start_d,notnull"`
	StartPS  int64 `bun:"start_ps,notnull"`
	FinishD  int64 `bun:"finish_d,notnull"`
	FinishPS int64 `bun:"finish_ps,notnull"`

	// ResultCode packs the builder's execution result (reference §2.3);
	// ResultMsg is set only for aborted builds.
	ResultCode int64   `bun:"result_code,notnull"`
	ResultMsg  *string `bun:"result_msg"`

	// Console and Script are paths relative to the data directory,
	// "<job>/<uuid>/console.txt" and "<job>/<uuid>/script.txt".
	Console  string `bun:"console,notnull"`
	Script   string `bun:"script,notnull"`
	Platform string `bun:"platform,notnull"`

	// MainBinary is the build_artifact id of the main binary; nil means
	// the build failed (reference §1: successful = has a main binary).
	MainBinary *int64 `bun:"main_binary"`
	UserID     int64  `bun:"user,notnull"`
	JobID      int64  `bun:"job,notnull"`
	InputID    []byte `bun:"input_id"` // 32 raw bytes or nil
}

// Start returns the decoded start time.
func (b *Build) Start() time.Time { return TimeFromPtime(b.StartD, b.StartPS) }

// Finish returns the decoded finish time.
func (b *Build) Finish() time.Time { return TimeFromPtime(b.FinishD, b.FinishPS) }

// BuildArtifact is one file produced by a build. Its content lives at
// _artifacts/<hex[0:2]>/<hex> and is shared by all rows with that sha256.
type BuildArtifact struct {
	bun.BaseModel `bun:"table:build_artifact"`

	ID       int64  `bun:"id,pk,autoincrement"`
	Filepath string `bun:"filepath,notnull"` // e.g. "bin/hello.hvt"
	SHA256   []byte `bun:"sha256,notnull"`   // 32 raw bytes
	Size     int64  `bun:"size,notnull"`
	BuildID  int64  `bun:"build,notnull"`
}

// User is an uploader account (and, with Admin, an administrator).
type User struct {
	bun.BaseModel `bun:"table:user"`

	ID       int64  `bun:"id,pk,autoincrement"`
	Username string `bun:"username,notnull"`

	// scrypt credentials of the reference. Empty (not NULL: the columns
	// are NOT NULL) when the user is disabled or has an argon2id password.
	PasswordHash []byte `bun:"password_hash,notnull"`
	PasswordSalt []byte `bun:"password_salt,notnull"`
	ScryptN      int64  `bun:"scrypt_n,notnull"`
	ScryptR      int64  `bun:"scrypt_r,notnull"`
	ScryptP      int64  `bun:"scrypt_p,notnull"`
	Restricted   bool   `bun:"restricted,notnull"`

	// Added by migration 0002. NULL in rows the reference wrote.
	PasswordArgon2id *string `bun:"password_argon2id"`
	Admin            bool    `bun:"admin"`       // NULL reads as false
	DisabledAt       *int64  `bun:"disabled_at"` // unix seconds
}

// Disabled reports whether no password can match: the reference's disabled
// state (empty hash and salt) without an argon2id password.
func (u *User) Disabled() bool {
	return (u.PasswordArgon2id == nil || *u.PasswordArgon2id == "") &&
		len(u.PasswordHash) == 0 && len(u.PasswordSalt) == 0
}

// AccessList grants a restricted user upload access to one job.
type AccessList struct {
	bun.BaseModel `bun:"table:access_list"`

	ID     int64 `bun:"id,pk,autoincrement"`
	UserID int64 `bun:"user,notnull"`
	JobID  int64 `bun:"job,notnull"`
}

// Tag is a job metadata key: section, synopsis, description or readme.md.
type Tag struct {
	bun.BaseModel `bun:"table:tag"`

	ID  int64  `bun:"id,pk,autoincrement"`
	Tag string `bun:"tag,notnull"`
}

// JobTag is the value of one tag for one job.
type JobTag struct {
	bun.BaseModel `bun:"table:job_tag"`

	ID    int64  `bun:"id,pk,autoincrement"`
	TagID int64  `bun:"tag,notnull"`
	Value string `bun:"value,notnull"`
	JobID int64  `bun:"job,notnull"`
}

// Tag names the reference reads; the baseline migration creates them.
const (
	TagSection     = "section"
	TagSynopsis    = "synopsis"
	TagDescription = "description"
	TagReadme      = "readme.md"
)

// TagNames returns the tag rows every database has after Migrate, in the
// order the baseline inserts them.
func TagNames() []string {
	return []string{TagSection, TagSynopsis, TagDescription, TagReadme}
}
