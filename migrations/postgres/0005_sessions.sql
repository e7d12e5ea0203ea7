-- Browser sessions, as ../0005_sessions.sql.

-- +migrate Up
CREATE TABLE session (
  id_hash BYTEA PRIMARY KEY,
  "user" BIGINT NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  created BIGINT NOT NULL,
  last_seen BIGINT NOT NULL
);
CREATE INDEX idx_session_user ON session("user");

-- +migrate Down
DROP INDEX idx_session_user;
DROP TABLE session;
