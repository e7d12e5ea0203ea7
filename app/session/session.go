// Package session keeps browser logins: random session ids whose SHA-256
// is stored in the database, idle and absolute expiry, a CSRF token per
// session and signed tokens for forms shown before login, plus the
// throttling of failed password checks.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/builder-web/builder-web/db"
)

// CookieName is the session cookie.
const CookieName = "builder_web_session"

// Expiry defaults: a session ends after IdleTimeout without a request, and
// MaxAge after login whatever happens.
const (
	DefaultIdleTimeout = 12 * time.Hour
	DefaultMaxAge      = 7 * 24 * time.Hour
)

// touchEvery bounds the writes Lookup does: last_seen is refreshed at most
// this often, so browsing is not a write per request. Idle expiry is
// accurate to this much.
const touchEvery = time.Minute

// idBytes is the entropy of a session id and of a CSRF token.
const idBytes = 32

// ErrNoSession means the cookie names no live session: unknown, expired,
// or its user is gone or disabled.
var ErrNoSession = errors.New("no session")

// Manager creates, finds and ends sessions.
type Manager struct {
	DB          *db.DB
	IdleTimeout time.Duration
	MaxAge      time.Duration
	// Now is the clock; tests replace it.
	Now func() time.Time

	// formKey signs the tokens of forms shown to visitors (the login
	// form). It is made per process: such a form from before a restart is
	// refused and shown again.
	formKey []byte
}

// Session is a live session and its user, as loaded for a request.
type Session struct {
	User *db.User
	// CSRF is the token this session's forms must carry.
	CSRF    string
	Created time.Time
	idHash  []byte
}

// New returns a Manager with the default expiry.
func New(d *db.DB) (*Manager, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("session form key: %w", err)
	}
	return &Manager{DB: d, IdleTimeout: DefaultIdleTimeout, MaxAge: DefaultMaxAge, Now: time.Now, formKey: key}, nil
}

// Create starts a session for the user and returns the cookie value. If
// previous names the browser's current session, that one is ended: the id
// changes at every login, so an id planted before login is worth nothing.
func (m *Manager) Create(ctx context.Context, u *db.User, previous string) (string, *Session, error) {
	if previous != "" {
		if err := m.DB.DeleteSession(ctx, hashID(previous)); err != nil {
			return "", nil, err
		}
	}
	now := m.Now()
	// Logins are rare: a good moment to forget expired sessions.
	if err := m.DB.DeleteExpiredSessions(ctx, now.Add(-m.IdleTimeout).Unix(), now.Add(-m.MaxAge).Unix()); err != nil {
		return "", nil, err
	}
	id, err := randomToken()
	if err != nil {
		return "", nil, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", nil, err
	}
	row := db.Session{IDHash: hashID(id), UserID: u.ID, CSRF: csrf, Created: now.Unix(), LastSeen: now.Unix()}
	if err := m.DB.InsertSession(ctx, row); err != nil {
		return "", nil, err
	}
	return id, &Session{User: u, CSRF: csrf, Created: now, idHash: row.IDHash}, nil
}

// Lookup returns the live session named by a cookie value, or ErrNoSession.
// An expired session is deleted.
func (m *Manager) Lookup(ctx context.Context, id string) (*Session, error) {
	if !wellFormed(id) {
		return nil, ErrNoSession
	}
	h := hashID(id)
	row, err := m.DB.SessionByHash(ctx, h)
	if errors.Is(err, db.ErrNoSession) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	now := m.Now()
	created, seen := time.Unix(row.Created, 0), time.Unix(row.LastSeen, 0)
	if now.Sub(created) >= m.MaxAge || now.Sub(seen) >= m.IdleTimeout {
		if err := m.DB.DeleteSession(ctx, h); err != nil {
			return nil, err
		}
		return nil, ErrNoSession
	}
	u, err := m.DB.UserByID(ctx, row.UserID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	// A disabled user (by an admin here or by builder-db) is logged out at
	// their next request.
	if u.Disabled() || u.DisabledAt != nil {
		if err := m.DB.DeleteUserSessions(ctx, u.ID, nil); err != nil {
			return nil, err
		}
		return nil, ErrNoSession
	}
	if now.Sub(seen) >= touchEvery {
		if err := m.DB.TouchSession(ctx, h, now.Unix()); err != nil {
			return nil, err
		}
	}
	return &Session{User: u, CSRF: row.CSRF, Created: created, idHash: h}, nil
}

// Delete ends the session named by a cookie value (logout). Ending a session
// that does not exist is not an error.
func (m *Manager) Delete(ctx context.Context, id string) error {
	if !wellFormed(id) {
		return nil
	}
	return m.DB.DeleteSession(ctx, hashID(id))
}

// EndOthers ends every session of userID except s (nil: all of them), e.g.
// after the user's password was reset.
func (m *Manager) EndOthers(ctx context.Context, userID int64, s *Session) error {
	var keep []byte
	if s != nil && s.User != nil && s.User.ID == userID {
		keep = s.idHash
	}
	return m.DB.DeleteUserSessions(ctx, userID, keep)
}

// CheckCSRF reports whether token is this session's CSRF token.
func (s *Session) CheckCSRF(token string) bool {
	return s != nil && token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRF)) == 1
}

func hashID(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

func randomToken() (string, error) {
	b := make([]byte, idBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// wellFormed rejects cookie values that cannot be ids before any database
// work: ids are 32 bytes in unpadded base64url.
func wellFormed(id string) bool {
	b, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil && len(b) == idBytes
}
