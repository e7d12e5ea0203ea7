-- Accounts (product §6.3): argon2id passwords, an admin flag and the time a
-- user was disabled. All nullable, so rows written by the reference stay valid
-- and the reference, which selects its columns by name, never sees them.

-- +migrate Up
-- Encoded argon2id hash ($argon2id$v=19$m=...). When set it is the only
-- password and the scrypt columns are empty.
ALTER TABLE user ADD COLUMN password_argon2id TEXT;
-- NULL (users created by the reference) means not an admin.
ALTER TABLE user ADD COLUMN admin BOOLEAN;
-- Unix seconds; NULL for enabled users and users disabled by the reference.
ALTER TABLE user ADD COLUMN disabled_at INTEGER;

-- +migrate Down
ALTER TABLE user DROP COLUMN disabled_at;
ALTER TABLE user DROP COLUMN admin;
ALTER TABLE user DROP COLUMN password_argon2id;
