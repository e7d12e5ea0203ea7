package session

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// FormCookieName holds the random value that a visitor's form tokens are
// derived from (double submit): a cross-site page can post the form but
// cannot read the cookie or the token.
const FormCookieName = "builder_web_form"

// NewFormSeed returns a fresh value for the FormCookieName cookie.
func (m *Manager) NewFormSeed() (string, error) { return randomToken() }

// FormToken is the token a visitor's form carries for the given cookie
// value. It is a MAC of the seed under the process's key, so a cookie
// planted by a sibling domain yields no token without the key.
func (m *Manager) FormToken(seed string) string {
	mac := hmac.New(sha256.New, m.formKey)
	mac.Write([]byte("form\x00"))
	mac.Write([]byte(seed))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// CheckFormToken reports whether token belongs to the cookie value seed,
// in constant time.
func (m *Manager) CheckFormToken(seed, token string) bool {
	if !wellFormed(seed) || token == "" {
		return false
	}
	return hmac.Equal([]byte(token), []byte(m.FormToken(seed)))
}
