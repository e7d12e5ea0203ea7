-- The user administration page shows, per user, how many builds they uploaded
-- and when they last did; removing a user checks that they uploaded nothing.
-- The reference has no index on build(user), so each of these would scan the
-- whole build table.

-- +migrate Up
CREATE INDEX idx_build_user ON build(user, start_d DESC, start_ps DESC);

-- +migrate Down
DROP INDEX idx_build_user;
