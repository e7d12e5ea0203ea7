package password

import "github.com/alexedwards/argon2id"

// createWith hashes with arbitrary parameters, to test hashes made before a
// parameter change.
func createWith(pw string, p *argon2id.Params) (string, error) {
	return argon2id.CreateHash(pw, p)
}
