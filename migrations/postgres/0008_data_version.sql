-- The data version (issue 17), as ../0008_data_version.sql: one counter
-- that every change able to alter a page bumps, in the same transaction as
-- the change, whichever process or node made it. Every node's page cache
-- reads it at most once a second (pagecache.Version).
--
-- The triggers run once per statement, not per row: a vacuum deleting
-- thousands of builds bumps it once per statement instead of writing the
-- row thousands of times. A statement that changed no row bumps it too,
-- which only costs a cache miss.

-- +migrate Up
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);

INSERT INTO data_version (id, version) VALUES (1, 1);

-- +migrate StatementBegin
CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
-- +migrate StatementEnd

CREATE TRIGGER data_version_build AFTER INSERT OR UPDATE OR DELETE ON build
FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_job AFTER INSERT OR UPDATE OR DELETE ON job
FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_job_tag AFTER INSERT OR UPDATE OR DELETE ON job_tag
FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_user AFTER INSERT OR UPDATE OR DELETE ON "user"
FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_access_list AFTER INSERT OR UPDATE OR DELETE ON access_list
FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();

-- +migrate Down
DROP TRIGGER data_version_access_list ON access_list;
DROP TRIGGER data_version_user ON "user";
DROP TRIGGER data_version_job_tag ON job_tag;
DROP TRIGGER data_version_job ON job;
DROP TRIGGER data_version_build ON build;
DROP FUNCTION data_version_bump();
DROP TABLE data_version;
