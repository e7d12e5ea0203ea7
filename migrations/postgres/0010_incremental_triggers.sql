-- Incremental triggers for the upload's own step (issue 17), as
-- ../0010_incremental_triggers.sql: a build gaining its main binary with
-- job, platform and input unchanged only adds to its reproducibility group
-- and can only replace its pair's latest_build entry, so that case is
-- applied as a change (one more build, the newest start, one more output
-- unless another build of the group made a main binary with the same
-- SHA-256) instead of recounting the group and rewriting the pair. Every
-- other change of those columns still recomputes with 0007's and 0009's
-- functions: the update triggers are recreated with a WHEN that leaves the
-- incremental case to the new triggers, as in SQLite.

-- +migrate Up
DROP TRIGGER repro_group_update ON build;

-- +migrate StatementBegin
CREATE FUNCTION repro_group_main_binary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO repro_group (job, platform, input_id, builds, outputs, latest)
    VALUES (NEW.job, NEW.platform, NEW.input_id, 0, 0, 0)
    ON CONFLICT (job, platform, input_id) DO NOTHING;
    UPDATE repro_group SET
        builds = builds + 1,
        latest = greatest(latest, NEW.start_d * 100000 + NEW.start_ps / 1000000000000),
        outputs = outputs + CASE WHEN EXISTS (
            SELECT 1 FROM build_artifact a JOIN build b ON b.main_binary = a.id
            WHERE a.sha256 = (SELECT sha256 FROM build_artifact WHERE id = NEW.main_binary)
                AND b.id <> NEW.id
                AND b.job = NEW.job AND b.platform = NEW.platform AND b.input_id = NEW.input_id)
            THEN 0 ELSE 1 END
    WHERE job = NEW.job AND platform = NEW.platform AND input_id = NEW.input_id;
    RETURN NULL;
END
$$;
-- +migrate StatementEnd

CREATE TRIGGER repro_group_main_binary AFTER UPDATE OF main_binary ON build FOR EACH ROW
WHEN (OLD.main_binary IS NULL AND NEW.main_binary IS NOT NULL AND NEW.input_id IS NOT NULL
    AND OLD.input_id IS NOT DISTINCT FROM NEW.input_id AND OLD.job = NEW.job AND OLD.platform = NEW.platform)
EXECUTE FUNCTION repro_group_main_binary();
CREATE TRIGGER repro_group_update AFTER UPDATE OF main_binary, input_id, job, platform ON build FOR EACH ROW
WHEN ((OLD.input_id IS NOT NULL OR NEW.input_id IS NOT NULL)
    AND NOT (OLD.main_binary IS NULL AND NEW.main_binary IS NOT NULL AND NEW.input_id IS NOT NULL
        AND OLD.input_id IS NOT DISTINCT FROM NEW.input_id AND OLD.job = NEW.job AND OLD.platform = NEW.platform))
EXECUTE FUNCTION repro_group_build();

-- A successful build arriving replaces its pair's entry only when it is
-- newer (start descending, then the smaller id): one primary-key read of
-- the entry and its build.
DROP TRIGGER latest_build_update ON build;

-- +migrate StatementBegin
CREATE FUNCTION latest_build_main_binary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO latest_build (job, platform, build)
    SELECT NEW.job, NEW.platform, NEW.id
    WHERE NOT EXISTS (
        SELECT 1 FROM latest_build l JOIN build x ON x.id = l.build
        WHERE l.job = NEW.job AND l.platform = NEW.platform
            AND (x.start_d > NEW.start_d
                OR (x.start_d = NEW.start_d AND (x.start_ps > NEW.start_ps
                    OR (x.start_ps = NEW.start_ps AND x.id < NEW.id)))))
    ON CONFLICT (job, platform) DO UPDATE SET build = EXCLUDED.build;
    RETURN NULL;
END
$$;
-- +migrate StatementEnd

CREATE TRIGGER latest_build_main_binary AFTER UPDATE OF main_binary ON build FOR EACH ROW
WHEN (OLD.main_binary IS NULL AND NEW.main_binary IS NOT NULL
    AND OLD.job = NEW.job AND OLD.platform = NEW.platform
    AND OLD.start_d = NEW.start_d AND OLD.start_ps = NEW.start_ps)
EXECUTE FUNCTION latest_build_main_binary();
CREATE TRIGGER latest_build_update AFTER UPDATE OF main_binary, job, platform, start_d, start_ps ON build FOR EACH ROW
WHEN (NOT (OLD.main_binary IS NULL AND NEW.main_binary IS NOT NULL
    AND OLD.job = NEW.job AND OLD.platform = NEW.platform
    AND OLD.start_d = NEW.start_d AND OLD.start_ps = NEW.start_ps))
EXECUTE FUNCTION latest_build_build();

-- +migrate Down
DROP TRIGGER latest_build_update ON build;
DROP TRIGGER latest_build_main_binary ON build;
DROP FUNCTION latest_build_main_binary();
CREATE TRIGGER latest_build_update AFTER UPDATE OF main_binary, job, platform, start_d, start_ps ON build FOR EACH ROW
EXECUTE FUNCTION latest_build_build();

DROP TRIGGER repro_group_update ON build;
DROP TRIGGER repro_group_main_binary ON build;
DROP FUNCTION repro_group_main_binary();
CREATE TRIGGER repro_group_update AFTER UPDATE OF main_binary, input_id, job, platform ON build FOR EACH ROW
WHEN (OLD.input_id IS NOT NULL OR NEW.input_id IS NOT NULL) EXECUTE FUNCTION repro_group_build();
