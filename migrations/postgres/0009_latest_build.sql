-- The front page's rows (issue 17), as ../0009_latest_build.sql: per job
-- and platform, the newest successful build ("newest": start descending,
-- then the smaller id), kept right by triggers whoever writes the build
-- table.

-- +migrate Up
CREATE TABLE latest_build (
    job BIGINT NOT NULL,
    platform TEXT NOT NULL,
    build BIGINT NOT NULL,
    PRIMARY KEY (job, platform)
);

INSERT INTO latest_build (job, platform, build)
SELECT p.job, p.platform, (SELECT x.id FROM build x
    WHERE x.main_binary IS NOT NULL AND x.job = p.job AND x.platform = p.platform
    ORDER BY x.start_d DESC, x.start_ps DESC, x.id LIMIT 1)
FROM (SELECT DISTINCT job, platform FROM build WHERE main_binary IS NOT NULL) p;

-- The pair's newest successful build, or no entry when it has none left
-- (the caller deleted it first).
-- +migrate StatementBegin
CREATE FUNCTION latest_build_recompute(j BIGINT, p TEXT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO latest_build (job, platform, build)
    SELECT x.job, x.platform, x.id FROM build x
    WHERE x.main_binary IS NOT NULL AND x.job = j AND x.platform = p
    ORDER BY x.start_d DESC, x.start_ps DESC, x.id LIMIT 1
    ON CONFLICT (job, platform) DO UPDATE SET build = EXCLUDED.build;
END
$$;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE FUNCTION latest_build_build() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM latest_build_recompute(NEW.job, NEW.platform);
    ELSIF TG_OP = 'UPDATE' THEN
        DELETE FROM latest_build WHERE job = OLD.job AND platform = OLD.platform;
        PERFORM latest_build_recompute(OLD.job, OLD.platform);
        PERFORM latest_build_recompute(NEW.job, NEW.platform);
    ELSE
        -- Only deleting the entry's own build changes it: vacuum deletes
        -- old builds by the thousand, and each costs one key lookup here.
        DELETE FROM latest_build WHERE job = OLD.job AND platform = OLD.platform AND build = OLD.id;
        IF NOT EXISTS (SELECT 1 FROM latest_build WHERE job = OLD.job AND platform = OLD.platform) THEN
            PERFORM latest_build_recompute(OLD.job, OLD.platform);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +migrate StatementEnd

CREATE TRIGGER latest_build_insert AFTER INSERT ON build FOR EACH ROW
WHEN (NEW.main_binary IS NOT NULL) EXECUTE FUNCTION latest_build_build();
CREATE TRIGGER latest_build_update AFTER UPDATE OF main_binary, job, platform, start_d, start_ps ON build FOR EACH ROW
EXECUTE FUNCTION latest_build_build();
CREATE TRIGGER latest_build_delete AFTER DELETE ON build FOR EACH ROW
WHEN (OLD.main_binary IS NOT NULL) EXECUTE FUNCTION latest_build_build();

-- +migrate Down
DROP TRIGGER latest_build_delete ON build;
DROP TRIGGER latest_build_update ON build;
DROP TRIGGER latest_build_insert ON build;
DROP FUNCTION latest_build_build();
DROP FUNCTION latest_build_recompute(BIGINT, TEXT);
DROP TABLE latest_build;
