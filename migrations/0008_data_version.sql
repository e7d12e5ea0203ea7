-- The data version (issue 17): one counter that every change able to alter
-- a page bumps, in the same transaction as the change. The page cache keys
-- rendered pages by it, so a committed upload, vacuum or job removal makes
-- every cached page a miss.
--
-- Triggers bump it whoever writes (uploads, builder-db in another process,
-- even the reference), so no writer can forget. build_artifact and tag are
-- not watched: they change only together with a build or job_tag row.
-- Sessions are not data: a login does not change any cached page.

-- +migrate Up
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);

INSERT INTO data_version (id, version) VALUES (1, 1);

-- +migrate StatementBegin
CREATE TRIGGER data_version_build_insert AFTER INSERT ON build BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_build_update AFTER UPDATE ON build BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_build_delete AFTER DELETE ON build BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_job_insert AFTER INSERT ON job BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_job_update AFTER UPDATE ON job BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_job_delete AFTER DELETE ON job BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_job_tag_insert AFTER INSERT ON job_tag BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_job_tag_update AFTER UPDATE ON job_tag BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_job_tag_delete AFTER DELETE ON job_tag BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_user_insert AFTER INSERT ON user BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_user_update AFTER UPDATE ON user BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_user_delete AFTER DELETE ON user BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_access_list_insert AFTER INSERT ON access_list BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_access_list_update AFTER UPDATE ON access_list BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER data_version_access_list_delete AFTER DELETE ON access_list BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
-- +migrate StatementEnd

-- +migrate Down
DROP TRIGGER data_version_build_insert;
DROP TRIGGER data_version_build_update;
DROP TRIGGER data_version_build_delete;
DROP TRIGGER data_version_job_insert;
DROP TRIGGER data_version_job_update;
DROP TRIGGER data_version_job_delete;
DROP TRIGGER data_version_job_tag_insert;
DROP TRIGGER data_version_job_tag_update;
DROP TRIGGER data_version_job_tag_delete;
DROP TRIGGER data_version_user_insert;
DROP TRIGGER data_version_user_update;
DROP TRIGGER data_version_user_delete;
DROP TRIGGER data_version_access_list_insert;
DROP TRIGGER data_version_access_list_update;
DROP TRIGGER data_version_access_list_delete;
DROP TABLE data_version;
