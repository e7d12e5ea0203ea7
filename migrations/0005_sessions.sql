-- Browser sessions (product §3.2): who is logged in, stored server-side so that
-- logout, disabling a user and expiry take effect at once. Only a SHA-256 of
-- the session id is stored: a copy of the database does not let anyone log in.
-- Failed-login throttling is kept in memory and needs no table.

-- +migrate Up
CREATE TABLE session (
  id_hash BLOB PRIMARY KEY NOT NULL,
  -- ON DELETE CASCADE: removing a user (ours or the reference's user-remove,
  -- both run with foreign keys on) must not fail because of a session.
  user INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  -- The token every state-changing form of this session carries.
  csrf TEXT NOT NULL,
  -- Unix seconds: absolute and idle expiry are counted from these.
  created INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
CREATE INDEX idx_session_user ON session(user);

-- +migrate Down
DROP INDEX idx_session_user;
DROP TABLE session;
