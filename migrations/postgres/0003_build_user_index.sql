-- Builds by user, as ../0003_build_user_index.sql.

-- +migrate Up
CREATE INDEX idx_build_user ON build("user", start_d DESC, start_ps DESC);

-- +migrate Down
DROP INDEX idx_build_user;
