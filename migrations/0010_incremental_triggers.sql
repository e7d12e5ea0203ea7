-- Incremental triggers for the upload's own step (issue 17, builder-db
-- generate at 1,000 builds/s): an upload inserts its build without a main
-- binary and then sets it, and that UPDATE recounted the build's whole
-- reproducibility group twice (COUNT(DISTINCT) over every build of the same
-- job, platform and input, 0007) and rewrote its latest_build entry three
-- times (0009). It was most of the single writer's time per build, and it
-- grew with the group.
--
-- A build gaining its main binary with job, platform and input unchanged
-- only adds to its group and can only replace its pair's latest entry, so
-- that case is now applied as a change: one more build, the newest start,
-- and one more output unless another build of the group made a main binary
-- with the same SHA-256 (one seek in idx_build_artifact_sha256, which stops
-- at the first such build). CROSS JOIN and the unary + keep the planner
-- from walking the pair's builds in idx_build_job_platform_success
-- instead, which it prefers without statistics and which grows with the
-- job. Every other change of those columns (the
-- reference editing rows, moving a build) still recomputes as before.

-- +migrate Up
DROP TRIGGER repro_group_update;

-- +migrate StatementBegin
CREATE TRIGGER repro_group_main_binary AFTER UPDATE OF main_binary ON build
WHEN OLD.main_binary IS NULL AND NEW.main_binary IS NOT NULL AND NEW.input_id IS NOT NULL
    AND OLD.input_id IS NEW.input_id AND OLD.job = NEW.job AND OLD.platform = NEW.platform BEGIN
    INSERT OR IGNORE INTO repro_group (job, platform, input_id, builds, outputs, latest)
    VALUES (NEW.job, NEW.platform, NEW.input_id, 0, 0, 0);
    UPDATE repro_group SET
        builds = builds + 1,
        latest = max(latest, NEW.start_d * 100000 + NEW.start_ps / 1000000000000),
        outputs = outputs + NOT EXISTS (
            SELECT 1 FROM build_artifact a CROSS JOIN build b ON b.main_binary = a.id
            WHERE a.sha256 = (SELECT sha256 FROM build_artifact WHERE id = NEW.main_binary)
                AND b.id <> NEW.id
                AND +b.job = NEW.job AND +b.platform = NEW.platform AND +b.input_id = NEW.input_id)
    WHERE job = NEW.job AND platform = NEW.platform AND input_id = NEW.input_id;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER repro_group_update AFTER UPDATE OF main_binary, input_id, job, platform ON build
WHEN (OLD.input_id IS NOT NULL OR NEW.input_id IS NOT NULL)
    AND NOT (OLD.main_binary IS NULL AND NEW.main_binary IS NOT NULL AND NEW.input_id IS NOT NULL
        AND OLD.input_id IS NEW.input_id AND OLD.job = NEW.job AND OLD.platform = NEW.platform) BEGIN
    DELETE FROM repro_group WHERE job = OLD.job AND platform = OLD.platform AND input_id = OLD.input_id;
    INSERT INTO repro_group (job, platform, input_id, builds, outputs, latest)
    SELECT b.job, b.platform, b.input_id, COUNT(*), COUNT(DISTINCT a.sha256), MAX(b.start_d * 100000 + b.start_ps / 1000000000000)
    FROM build b JOIN build_artifact a ON a.id = b.main_binary
    WHERE b.input_id = OLD.input_id AND b.job = OLD.job AND b.platform = OLD.platform
    GROUP BY b.job, b.platform, b.input_id;
    DELETE FROM repro_group WHERE job = NEW.job AND platform = NEW.platform AND input_id = NEW.input_id;
    INSERT INTO repro_group (job, platform, input_id, builds, outputs, latest)
    SELECT b.job, b.platform, b.input_id, COUNT(*), COUNT(DISTINCT a.sha256), MAX(b.start_d * 100000 + b.start_ps / 1000000000000)
    FROM build b JOIN build_artifact a ON a.id = b.main_binary
    WHERE b.input_id = NEW.input_id AND b.job = NEW.job AND b.platform = NEW.platform
    GROUP BY b.job, b.platform, b.input_id;
END;
-- +migrate StatementEnd

-- A successful build arriving replaces its pair's entry only when it is
-- newer in idx_build_job_platform_success's order (start descending, then
-- the smaller id): one primary-key read of the entry and its build.
DROP TRIGGER latest_build_update;

-- +migrate StatementBegin
CREATE TRIGGER latest_build_main_binary AFTER UPDATE OF main_binary ON build
WHEN OLD.main_binary IS NULL AND NEW.main_binary IS NOT NULL
    AND OLD.job = NEW.job AND OLD.platform = NEW.platform
    AND OLD.start_d = NEW.start_d AND OLD.start_ps = NEW.start_ps BEGIN
    INSERT OR REPLACE INTO latest_build (job, platform, build)
    SELECT NEW.job, NEW.platform, NEW.id
    WHERE NOT EXISTS (
        SELECT 1 FROM latest_build l JOIN build x ON x.id = l.build
        WHERE l.job = NEW.job AND l.platform = NEW.platform
            AND (x.start_d > NEW.start_d
                OR (x.start_d = NEW.start_d AND (x.start_ps > NEW.start_ps
                    OR (x.start_ps = NEW.start_ps AND x.id < NEW.id)))));
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER latest_build_update AFTER UPDATE OF main_binary, job, platform, start_d, start_ps ON build
WHEN NOT (OLD.main_binary IS NULL AND NEW.main_binary IS NOT NULL
    AND OLD.job = NEW.job AND OLD.platform = NEW.platform
    AND OLD.start_d = NEW.start_d AND OLD.start_ps = NEW.start_ps) BEGIN
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

-- +migrate Down
DROP TRIGGER latest_build_update;
DROP TRIGGER latest_build_main_binary;

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

DROP TRIGGER repro_group_update;
DROP TRIGGER repro_group_main_binary;

-- +migrate StatementBegin
CREATE TRIGGER repro_group_update AFTER UPDATE OF main_binary, input_id, job, platform ON build
WHEN OLD.input_id IS NOT NULL OR NEW.input_id IS NOT NULL BEGIN
    DELETE FROM repro_group WHERE job = OLD.job AND platform = OLD.platform AND input_id = OLD.input_id;
    INSERT INTO repro_group (job, platform, input_id, builds, outputs, latest)
    SELECT b.job, b.platform, b.input_id, COUNT(*), COUNT(DISTINCT a.sha256), MAX(b.start_d * 100000 + b.start_ps / 1000000000000)
    FROM build b JOIN build_artifact a ON a.id = b.main_binary
    WHERE b.input_id = OLD.input_id AND b.job = OLD.job AND b.platform = OLD.platform
    GROUP BY b.job, b.platform, b.input_id;
    DELETE FROM repro_group WHERE job = NEW.job AND platform = NEW.platform AND input_id = NEW.input_id;
    INSERT INTO repro_group (job, platform, input_id, builds, outputs, latest)
    SELECT b.job, b.platform, b.input_id, COUNT(*), COUNT(DISTINCT a.sha256), MAX(b.start_d * 100000 + b.start_ps / 1000000000000)
    FROM build b JOIN build_artifact a ON a.id = b.main_binary
    WHERE b.input_id = NEW.input_id AND b.job = NEW.job AND b.platform = NEW.platform
    GROUP BY b.job, b.platform, b.input_id;
END;
-- +migrate StatementEnd
