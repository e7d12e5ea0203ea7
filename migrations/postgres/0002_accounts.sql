-- Accounts (product §6.3), as ../0002_accounts.sql.

-- +migrate Up
ALTER TABLE "user" ADD COLUMN password_argon2id TEXT;
ALTER TABLE "user" ADD COLUMN admin BOOLEAN;
ALTER TABLE "user" ADD COLUMN disabled_at BIGINT;

-- +migrate Down
ALTER TABLE "user" DROP COLUMN disabled_at;
ALTER TABLE "user" DROP COLUMN admin;
ALTER TABLE "user" DROP COLUMN password_argon2id;
