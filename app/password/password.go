// Package password hashes and verifies account passwords: argon2id for every
// password set by us, scrypt for the records the reference (OCaml builder-web)
// wrote, which are upgraded to argon2id after a successful check.
package password

import (
	"crypto/subtle"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/scrypt"
)

// Argon2id parameters (product §6.3): OWASP's minimum recommendation for
// argon2id, 19 MiB of memory, 2 passes, 1 thread. This is the only place they
// are set; hashes made with other parameters verify (the parameters are part
// of the encoded hash) and are reported for upgrade.
const (
	memoryKiB   = 19 * 1024
	iterations  = 2
	parallelism = 1
	saltLength  = 16
	keyLength   = 32
)

// scryptKeyLen is the reference's scrypt output length.
const scryptKeyLen = 32

func params() *argon2id.Params {
	return &argon2id.Params{
		Memory:      memoryKiB,
		Iterations:  iterations,
		Parallelism: parallelism,
		SaltLength:  saltLength,
		KeyLength:   keyLength,
	}
}

// Stored is a user's stored credentials: the argon2id hash (ours) or the
// reference's scrypt hash, salt and parameters. All empty means disabled.
type Stored struct {
	Argon2id string // encoded "$argon2id$v=19$m=...,t=...,p=...$salt$key"

	ScryptHash []byte
	ScryptSalt []byte
	ScryptN    int
	ScryptR    int
	ScryptP    int
}

// Disabled reports whether no password can match these credentials (the
// reference disables a user by emptying hash and salt).
func (s Stored) Disabled() bool {
	return s.Argon2id == "" && (len(s.ScryptHash) == 0 || len(s.ScryptSalt) == 0)
}

// Hash returns the argon2id encoding of pw with a fresh random salt.
func Hash(pw string) (string, error) {
	return argon2id.CreateHash(pw, params())
}

// Verify checks pw against the stored credentials in constant time. upgrade
// is true when the check succeeded but the record should be re-hashed with
// Hash: it is a scrypt record of the reference, or an argon2id hash with
// other parameters than ours.
func Verify(u Stored, pw string) (ok, upgrade bool) {
	switch {
	case u.Argon2id != "":
		match, p, err := argon2id.CheckHash(pw, u.Argon2id)
		if err != nil || !match {
			return false, false
		}
		return true, *p != *params()
	case u.Disabled():
		// Cost the same as a real check, so a disabled account cannot be
		// told from one with a wrong password by timing.
		VerifyUnknown(pw)
		return false, false
	default:
		key, err := scrypt.Key([]byte(pw), u.ScryptSalt, u.ScryptN, u.ScryptR, u.ScryptP, scryptKeyLen)
		if err != nil {
			return false, false
		}
		if subtle.ConstantTimeCompare(key, u.ScryptHash) != 1 {
			return false, false
		}
		return true, true
	}
}

// VerifyUnknown spends the time of a real argon2id check and matches
// nothing. Call it for unknown users so that response times do not reveal
// which usernames exist.
func VerifyUnknown(pw string) {
	var salt [saltLength]byte
	_ = argon2.IDKey([]byte(pw), salt[:], iterations, memoryKiB, parallelism, keyLength)
}
