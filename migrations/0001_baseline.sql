-- Baseline: the reference's schema version 18 (robur-coop/builder-web,
-- `builder-db migrate` plus builder-migrations up to 2023-09-14), column for
-- column, so that the reference can keep using a database we created.
-- There is no down step: dropping the baseline would drop all data.
-- On a database that already holds schema 18 this file is recorded as applied
-- without being run (see db.Migrate).

-- +migrate Up
CREATE TABLE job (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  name VARCHAR(255) NOT NULL UNIQUE
);

CREATE TABLE user (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  username VARCHAR(255) NOT NULL UNIQUE,
  password_hash BLOB NOT NULL,
  password_salt BLOB NOT NULL,
  scrypt_n INTEGER NOT NULL,
  scrypt_r INTEGER NOT NULL,
  scrypt_p INTEGER NOT NULL,
  restricted BOOLEAN NOT NULL
);

CREATE TABLE build (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  uuid VARCHAR(36) NOT NULL UNIQUE,
  start_d INTEGER NOT NULL,
  start_ps INTEGER NOT NULL,
  finish_d INTEGER NOT NULL,
  finish_ps INTEGER NOT NULL,
  result_code INTEGER NOT NULL,
  result_msg TEXT,
  console TEXT NOT NULL,
  script TEXT NOT NULL,
  platform TEXT NOT NULL,
  main_binary INTEGER,
  user INTEGER NOT NULL,
  job INTEGER NOT NULL,
  input_id BLOB,

  FOREIGN KEY(main_binary) REFERENCES build_artifact(id) DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY(user) REFERENCES user(id),
  FOREIGN KEY(job) REFERENCES job(id)
);

CREATE TABLE build_artifact (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  filepath TEXT NOT NULL,
  sha256 BLOB NOT NULL,
  size INTEGER NOT NULL,
  build INTEGER NOT NULL,

  FOREIGN KEY(build) REFERENCES build(id),
  UNIQUE(build, filepath)
);

CREATE TABLE access_list (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  user INTEGER NOT NULL,
  job INTEGER NOT NULL,

  FOREIGN KEY(user) REFERENCES user(id),
  FOREIGN KEY(job) REFERENCES job(id),
  UNIQUE(user, job)
);

CREATE TABLE tag (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  tag VARCHAR(255) NOT NULL UNIQUE
);

CREATE TABLE job_tag (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  tag INTEGER NOT NULL,
  value TEXT NOT NULL,
  job INTEGER NOT NULL,

  FOREIGN KEY(job) REFERENCES job(id),
  FOREIGN KEY(tag) REFERENCES tag(id),
  UNIQUE(tag, job)
);

CREATE INDEX idx_build_job_start ON build(job, start_d DESC, start_ps DESC);
CREATE INDEX idx_build_failed ON build(job, start_d DESC, start_ps DESC) WHERE main_binary IS NULL;
CREATE INDEX idx_build_input_id ON build(input_id);
CREATE INDEX idx_build_main_binary ON build(main_binary);
CREATE INDEX idx_build_artifact_sha256 ON build_artifact(sha256);
CREATE INDEX idx_build_artifact_build ON build_artifact(build);

-- The reference's front-page query cross-joins the section and synopsis tag
-- rows; without them it shows no jobs at all (reference §15.2).
INSERT INTO tag (tag) VALUES ('section'), ('synopsis'), ('description'), ('readme.md');

-- Header fields by which the reference recognises its database. Both are
-- transactional in SQLite, so they commit or roll back with the tables.
PRAGMA application_id = 1234839235;
PRAGMA user_version = 18;
