-- The front page's rows (issue 17): per job and platform, the newest
-- successful build, kept in a table so that a front page miss reads one row
-- per entry instead of walking idx_build_job_platform_success with a
-- recursive query (db.Overview).
--
-- Triggers keep it right whoever writes the build table (uploads,
-- builder-db vacuum and job-remove in another process, even the
-- reference), like repro_group (0007): a change that can move a pair's
-- newest successful build recomputes the pair with one seek in
-- idx_build_job_platform_success. "Newest" is the index's order: start
-- descending, then the smaller id. A build counts once it has a main
-- binary, which the upload sets after inserting the row.

-- +migrate Up
CREATE TABLE latest_build (
    job INTEGER NOT NULL,
    platform TEXT NOT NULL,
    build INTEGER NOT NULL,
    PRIMARY KEY (job, platform)
) WITHOUT ROWID;

INSERT INTO latest_build (job, platform, build)
SELECT p.job, p.platform, (SELECT x.id FROM build x
    WHERE x.main_binary IS NOT NULL AND x.job = p.job AND x.platform = p.platform
    ORDER BY x.start_d DESC, x.start_ps DESC, x.id LIMIT 1)
FROM (SELECT DISTINCT job, platform FROM build WHERE main_binary IS NOT NULL) p;

-- An insert with a main binary (the reference's upload) can only replace
-- the pair's entry, so recomputing is one seek.
-- +migrate StatementBegin
CREATE TRIGGER latest_build_insert AFTER INSERT ON build
WHEN NEW.main_binary IS NOT NULL BEGIN
    INSERT OR REPLACE INTO latest_build (job, platform, build)
    SELECT x.job, x.platform, x.id FROM build x
    WHERE x.main_binary IS NOT NULL AND x.job = NEW.job AND x.platform = NEW.platform
    ORDER BY x.start_d DESC, x.start_ps DESC, x.id LIMIT 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER latest_build_update AFTER UPDATE OF main_binary, job, platform, start_d, start_ps ON build BEGIN
    DELETE FROM latest_build WHERE job = OLD.job AND platform = OLD.platform;
    INSERT OR REPLACE INTO latest_build (job, platform, build)
    SELECT x.job, x.platform, x.id FROM build x
    WHERE x.main_binary IS NOT NULL AND x.job = OLD.job AND x.platform = OLD.platform
    ORDER BY x.start_d DESC, x.start_ps DESC, x.id LIMIT 1;
    INSERT OR REPLACE INTO latest_build (job, platform, build)
    SELECT x.job, x.platform, x.id FROM build x
    WHERE x.main_binary IS NOT NULL AND x.job = NEW.job AND x.platform = NEW.platform
    ORDER BY x.start_d DESC, x.start_ps DESC, x.id LIMIT 1;
END;
-- +migrate StatementEnd

-- Only deleting the entry's own build changes it: vacuum deletes old builds
-- by the thousand, and each of those costs a primary key lookup here.
-- +migrate StatementBegin
CREATE TRIGGER latest_build_delete AFTER DELETE ON build
WHEN OLD.main_binary IS NOT NULL BEGIN
    DELETE FROM latest_build WHERE job = OLD.job AND platform = OLD.platform AND build = OLD.id;
    INSERT INTO latest_build (job, platform, build)
    SELECT x.job, x.platform, x.id FROM build x
    WHERE x.main_binary IS NOT NULL AND x.job = OLD.job AND x.platform = OLD.platform
        AND NOT EXISTS (SELECT 1 FROM latest_build WHERE job = OLD.job AND platform = OLD.platform)
    ORDER BY x.start_d DESC, x.start_ps DESC, x.id LIMIT 1;
END;
-- +migrate StatementEnd

-- +migrate Down
DROP TRIGGER latest_build_delete;
DROP TRIGGER latest_build_update;
DROP TRIGGER latest_build_insert;
DROP TABLE latest_build;
